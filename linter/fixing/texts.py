"""Edits applied to one file's text: each scalar found again, the changed characters spliced
in, the result read back and compared (:mod:`imagelint.fixing.verify`)."""

from __future__ import annotations

from collections.abc import Sequence

from ruamel.yaml.nodes import MappingNode, ScalarNode

from imagelint.core.fixes import Edit
from imagelint.fixing.scalars import (
    Change,
    Unfixable,
    entry_changes,
    holders,
    in_flow,
    replacement,
    scalars_on,
    target,
)
from imagelint.fixing.verify import differences
from imagelint.reading.loader import LoadedFile, load

# A change resolved in the text: the scalar, its new value, and (start, end, text) to splice.
_Resolved = tuple[ScalarNode, str, tuple[int, int, str]]


class TextFix:
    """What became of a file's edits: the fixed text (None: nothing changed), the edits made,
    and those left for another pass (overlapping an edit made) or abandoned, with why."""

    __slots__ = ("text", "made", "later", "abandoned")

    def __init__(self) -> None:
        self.text: str | None = None
        self.made: list[Edit] = []
        self.later: list[Edit] = []
        self.abandoned: list[tuple[Edit, str]] = []


class _Place:
    """What the edits are resolved against: the file as composed, and its scalars and
    mappings by where they are."""

    __slots__ = ("loaded", "scalars", "held")

    def __init__(self, loaded: LoadedFile, edits: Sequence[Edit]) -> None:
        self.loaded = loaded
        self.scalars = scalars_on(loaded, {edit.line for edit in edits})
        entries = any(edit.entry is not None for edit in edits)
        self.held: dict[int, list[tuple[MappingNode, int]]] = holders(loaded) if entries else {}

    def resolve(self, edit: Edit) -> list[_Resolved]:
        """The changes of the first edit of ``edit``'s chain that can be made."""
        reason = ""
        for candidate in edit.chain():
            try:
                return [self._spliced(change) for change in self._changes(candidate)]
            except Unfixable as error:
                reason = str(error)
        raise Unfixable(reason)

    def _changes(self, edit: Edit) -> list[Change]:
        if edit.entry is not None:
            return entry_changes(self.scalars, self.held, edit)
        node, offset = target(self.scalars, self.loaded, edit)
        return [(node, offset, edit.old, edit.new)]

    def _spliced(self, change: Change) -> _Resolved:
        node, offset, old, new = change
        value = node.value[:offset] + new + node.value[offset + len(old) :]
        # Asked of plain scalars only: a quoted one reads the same in flow and block context.
        flow = not node.style and in_flow(self.loaded, node)
        return node, value, replacement(self.loaded.text, node, offset, old, new, flow)


def fix_text(display: str, text: str, edits: Sequence[Edit]) -> TextFix:
    """Apply ``edits`` (of the file ``display``, whose text is ``text`` as decoded, a byte-order
    mark removed) where they do not overlap; verify; give the fixed text.

    Two edits that want different values for the same characters of one scalar (a value
    shared, through an alias or an overlay's entry, by images that differ) are both abandoned:
    one of them would be wrong for the other's image."""
    result = TextFix()
    # libyaml's marks skip a byte-order mark left in the text (see reading.loader.load).
    lead = 1 if text.startswith("\ufeff") else 0
    loaded = load(display, text)
    unique = list(dict.fromkeys(edits))  # the same edit twice (an alias, two trees) is one
    place = _Place(loaded, [candidate for edit in unique for candidate in edit.chain()])
    resolved: list[tuple[Edit, list[_Resolved]]] = []
    for edit in unique:
        try:
            resolved.append((edit, place.resolve(edit)))
        except Unfixable as error:
            result.abandoned.append((edit, str(error)))
    wanted: dict[tuple[int, int, int], set[str]] = {}  # (scalar, span) -> the texts for it
    for _, changes in resolved:
        for node, _, (start, end, written) in changes:
            wanted.setdefault((id(node), start, end), set()).add(written)
    spans: list[tuple[int, int, str]] = []
    expected: dict[int, str] = {}  # id of a scalar edited -> its new value
    for edit, changes in resolved:
        if any(len(wanted[(id(node), s, e)]) > 1 for node, _, (s, e, _) in changes):
            result.abandoned.append(
                (edit, "other findings want another value there (a value shared by images)")
            )
            continue
        if all(expected.get(id(node)) == value for node, value, _ in changes):
            result.made.append(edit)  # another finding's edit already gives these values
            continue
        placed = [(start + lead, end + lead, written) for _, _, (start, end, written) in changes]
        if any(id(node) in expected for node, _, _ in changes) or any(
            s < end and start < e for start, end, _ in placed for s, e, _ in spans
        ):
            result.later.append(edit)
            continue
        spans.extend(placed)
        expected.update((id(node), value) for node, value, _ in changes)
        result.made.append(edit)
    if not spans:
        return result
    pieces, at = [], 0
    for start, end, written in sorted(spans):
        pieces.append(text[at:start])
        pieces.append(written)
        at = end
    pieces.append(text[at:])
    fixed = "".join(pieces)
    problem = differences(loaded, fixed[lead:], expected)
    if problem is not None:
        result.abandoned.extend((edit, problem) for edit in result.made)
        result.made = []
        return result
    result.text = fixed
    return result
