"""Output formats: each module turns a Report into text for one kind of reader."""

from __future__ import annotations

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")


def render(name: str, report, color: bool) -> str:
    # Each format is imported only when chosen: start-up time matters.
    if name == "json":
        from imagelint.formatters import jsonout

        return jsonout.render(report)
    if name == "sarif":
        from imagelint.formatters import sarif

        return sarif.render(report)
    if name == "github":
        from imagelint.formatters import github

        return github.render(report)
    if name == "gitlab":
        from imagelint.formatters import gitlab

        return gitlab.render(report)
    if name == "junit":
        from imagelint.formatters import junit

        return junit.render(report)
    from imagelint.formatters import text

    return text.render(report, color)
