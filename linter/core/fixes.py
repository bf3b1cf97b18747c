"""What a fix is, from the rule that proposes it to the edit the fixing stage applies.

A rule says what the checked value should be (:class:`Fix`, on its
:class:`~imagelint.core.model.Violation`); the engine turns that into an :class:`Edit` of the
place where the value is written (the file, line and column the finding's site gives; for a value
built from parts, the one part that changes), which travels on the
:class:`~imagelint.core.model.Finding` across worker processes. The fixing stage
(:mod:`imagelint.fixing`) finds the written scalar again from those coordinates and splices the
edit into the file's text.
"""

from __future__ import annotations

from imagelint.core.frozen import ValueRecord, set_field

# How sure a fix is, ruff's words: "safe" keeps the meaning the author had in mind beyond doubt,
# "unsafe" is a likely repair that a person should look at (applied with --unsafe-fixes only).
SAFE, UNSAFE = "safe", "unsafe"
APPLICABILITIES = (SAFE, UNSAFE)


class Fix(ValueRecord):
    """A rule's repair: the whole new value of what it checked (an image, a pull policy)."""

    __slots__ = ("value", "applicability", "title")
    value: str
    applicability: str  # SAFE or UNSAFE
    title: str  # what it does, short: "remove the trailing '.'"

    def __init__(self, value: str, applicability: str, title: str) -> None:
        if applicability not in APPLICABILITIES:
            raise ValueError(f"a fix is safe or unsafe, not {applicability!r}")
        set_field(self, "value", value)
        set_field(self, "applicability", applicability)
        set_field(self, "title", title)


class Edit(ValueRecord):
    """A change of one written scalar: in the file ``path`` (display path), the scalar whose
    value starts at ``line``/``column`` (1-based, as a Site gives them; for a part of a built
    value, ``column`` may stand inside the scalar, at the part's start), ``old`` at ``start``
    characters from there becomes ``new``."""

    __slots__ = ("path", "line", "column", "start", "old", "new", "applicability", "title")
    path: str
    line: int
    column: int
    start: int
    old: str
    new: str
    applicability: str
    title: str

    def __init__(
        self,
        path: str,
        line: int,
        column: int,
        start: int,
        old: str,
        new: str,
        applicability: str,
        title: str,
    ) -> None:
        set_field(self, "path", path)
        set_field(self, "line", line)
        set_field(self, "column", column)
        set_field(self, "start", start)
        set_field(self, "old", old)
        set_field(self, "new", new)
        set_field(self, "applicability", applicability)
        set_field(self, "title", title)

    @property
    def safe(self) -> bool:
        return self.applicability == SAFE
