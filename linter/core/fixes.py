"""What a fix is, from the rule that proposes it to the edit the fixing stage applies.

A rule says what the checked value should be (:class:`Fix`, on its
:class:`~imagelint.core.model.Violation`); the engine turns that into an :class:`Edit` of the
place where the value is written (the file, line and column the finding's site gives; for a value
built from parts, the one part that changes), which travels on the
:class:`~imagelint.core.model.Finding` across worker processes. The fixing stage
(:mod:`imagelint.fixing`) finds the written scalar again from those coordinates and splices the
edit into the file's text.

An edit may instead change an entry beside the scalar it addresses (:class:`Entry`: a chart's
``digest`` next to its ``tag``, a kustomize ``newTag`` renamed to ``digest``), and may name
another edit to make when its own cannot be made (``otherwise``: the entry is not there, or
holds another value), which only the file's text can tell.
"""

from __future__ import annotations

from imagelint.core.frozen import ValueRecord, set_field

# How sure a fix is, ruff's words: "safe" keeps the meaning the author had in mind beyond doubt,
# "unsafe" is a likely repair that a person should look at (applied with --unsafe-fixes only).
SAFE, UNSAFE = "safe", "unsafe"
APPLICABILITIES = (SAFE, UNSAFE)


class Fix(ValueRecord):
    """A rule's repair: the whole new value of what it checked (an image, a pull policy).
    ``pin``: the digest, for a fix that pins an image to one (``value`` is then the image with
    ``@digest``); where the image is built from parts, the digest may be written in a field of
    its own (see :mod:`imagelint.running.fixes`)."""

    __slots__ = ("value", "applicability", "title", "pin")
    value: str
    applicability: str  # SAFE or UNSAFE
    title: str  # what it does, short: "remove the trailing '.'"
    pin: str | None

    def __init__(self, value: str, applicability: str, title: str, pin: str | None = None) -> None:
        if applicability not in APPLICABILITIES:
            raise ValueError(f"a fix is safe or unsafe, not {applicability!r}")
        set_field(self, "value", value)
        set_field(self, "applicability", applicability)
        set_field(self, "title", title)
        set_field(self, "pin", pin)


class Entry(ValueRecord):
    """An edit of an entry beside the addressed scalar: in the mapping that holds that scalar
    as a value, and whose key for it is one of ``beside`` (the fields the edit was made for:
    ``("newTag", "tag")``), the entry ``key``, whose whole value must be the edit's ``old``,
    gets the edit's ``new``, and its key becomes ``rename`` when one is given (the mapping must
    have no entry of that name yet)."""

    __slots__ = ("beside", "key", "rename")
    beside: tuple[str, ...]
    key: str
    rename: str | None

    def __init__(self, beside: tuple[str, ...], key: str, rename: str | None = None) -> None:
        set_field(self, "beside", beside)
        set_field(self, "key", key)
        set_field(self, "rename", rename)


class Edit(ValueRecord):
    """A change of one written scalar: in the file ``path`` (display path), the scalar whose
    value starts at ``line``/``column`` (1-based, as a Site gives them; for a part of a built
    value, ``column`` may stand inside the scalar, at the part's start), ``old`` at ``start``
    characters from there becomes ``new``.

    With ``entry``, the scalar there (which must start exactly at ``line``/``column``) only
    says where: the entry it describes is changed instead (``start`` is 0, ``old`` that
    entry's whole value). ``otherwise``: the edit made instead, in the same file, when this one
    cannot be (and so on down the chain); the first that can be made is made."""

    __slots__ = (
        "path",
        "line",
        "column",
        "start",
        "old",
        "new",
        "applicability",
        "title",
        "entry",
        "otherwise",
    )
    path: str
    line: int
    column: int
    start: int
    old: str
    new: str
    applicability: str
    title: str
    entry: Entry | None
    otherwise: Edit | None

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
        entry: Entry | None = None,
        otherwise: Edit | None = None,
    ) -> None:
        if otherwise is not None and otherwise.path != path:
            raise ValueError("an edit and the one made otherwise are in the same file")
        set_field(self, "path", path)
        set_field(self, "line", line)
        set_field(self, "column", column)
        set_field(self, "start", start)
        set_field(self, "old", old)
        set_field(self, "new", new)
        set_field(self, "applicability", applicability)
        set_field(self, "title", title)
        set_field(self, "entry", entry)
        set_field(self, "otherwise", otherwise)

    @property
    def safe(self) -> bool:
        return self.applicability == SAFE

    def chain(self) -> list[Edit]:
        """This edit and those made otherwise, in the order they are tried."""
        edits: list[Edit] = []
        edit: Edit | None = self
        while edit is not None:
            edits.append(edit)
            edit = edit.otherwise
        return edits
