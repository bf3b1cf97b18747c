"""Output formats: each module turns a Report into text for one kind of reader."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotation only: the formats import what they need when chosen
    from imagelint.running.results import Report

# text and concise are one format (ruff's name for it); full adds the line and a caret.
FORMATS = ("text", "concise", "full", "json", "sarif", "github", "gitlab", "junit")
# The formats for people: --quiet drops their summary line.
HUMAN = ("text", "concise", "full")
# The formats that show each finding's fingerprint (reporting.fingerprint).
FINGERPRINTED = ("json", "sarif", "gitlab")


def render(name: str, report: Report, color: bool, summary: bool = True) -> str:
    """The report in format ``name``; ``summary=False`` (--quiet) leaves out the summary line
    of the formats for people."""
    # Each format is imported only when chosen: start-up time matters.
    if name == "json":
        from imagelint.reporting.formatters import jsonout

        return jsonout.render(report)
    if name == "sarif":
        from imagelint.reporting.formatters import sarif

        return sarif.render(report)
    if name == "github":
        from imagelint.reporting.formatters import github

        return github.render(report)
    if name == "gitlab":
        from imagelint.reporting.formatters import gitlab

        return gitlab.render(report)
    if name == "junit":
        from imagelint.reporting.formatters import junit

        return junit.render(report)
    if name == "full":
        from imagelint.reporting.formatters import full

        return full.render(report, color, summary)
    from imagelint.reporting.formatters import text

    return text.render(report, color, summary)
