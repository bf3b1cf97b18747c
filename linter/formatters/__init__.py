"""Output formats: each module turns a Report into text for one kind of reader."""

from __future__ import annotations

FORMATS = ("text", "json")


def render(name: str, report, color: bool) -> str:
    if name == "json":
        from imagelint.formatters import jsonout

        return jsonout.render(report)
    from imagelint.formatters import text

    return text.render(report, color)
