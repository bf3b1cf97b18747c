"""Helpers for the text of findings."""

from __future__ import annotations

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "\\": "\\\\"}
SHOWN_LENGTH = 120


def shown(value: str, limit: int = SHOWN_LENGTH) -> str:
    """A user's string for a one-line message: double-quoted, invisible characters escaped,
    long values shortened with an ellipsis."""
    if len(value) > limit:
        value = value[: limit - 1] + "\u2026"
    if value.isprintable() and '"' not in value and "\\" not in value:
        return '"' + value + '"'  # nothing to escape: most values
    return '"' + "".join(_escape(c) for c in value) + '"'


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if not char.isprintable():
        return f"\\u{ord(char):04x}"
    return char


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


VIA_SHOWN = 3


def via_text(via: tuple[str, ...]) -> str:
    """' (via overlays/prod)' for a finding built through trees: the first few named, then
    how many more; '' for a plain file's."""
    if not via:
        return ""
    named = ", ".join(via[:VIA_SHOWN])
    more = len(via) - VIA_SHOWN
    return f" (via {named} and {more} more)" if more > 0 else f" (via {named})"
