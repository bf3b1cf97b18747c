"""Edits applied to one file's text: each scalar found again, the changed characters spliced
in, the result read back and compared (:mod:`imagelint.fixing.verify`)."""

from __future__ import annotations

from collections.abc import Sequence

from imagelint.core.fixes import Edit
from imagelint.fixing.scalars import Unfixable, replacement, scalars_on, target
from imagelint.fixing.verify import differences
from imagelint.reading.loader import load


class TextFix:
    """What became of a file's edits: the fixed text (None: nothing changed), the edits made,
    and those left for another pass (overlapping an edit made) or abandoned, with why."""

    __slots__ = ("text", "made", "later", "abandoned")

    def __init__(self) -> None:
        self.text: str | None = None
        self.made: list[Edit] = []
        self.later: list[Edit] = []
        self.abandoned: list[tuple[Edit, str]] = []


def fix_text(display: str, text: str, edits: Sequence[Edit]) -> TextFix:
    """Apply ``edits`` (of the file ``display``, whose text is ``text`` as decoded, a byte-order
    mark removed) where they do not overlap; verify; give the fixed text."""
    result = TextFix()
    # libyaml's marks skip a byte-order mark left in the text (see reading.loader.load).
    lead = 1 if text.startswith("\ufeff") else 0
    loaded = load(display, text)
    scalars = scalars_on(loaded, {edit.line for edit in edits})
    spans: list[tuple[int, int, str]] = []
    expected: dict[int, str] = {}
    taken: dict[int, str] = {}  # id of a scalar edited -> its new value
    for edit in dict.fromkeys(edits):  # the same edit twice (an alias, two trees) is one
        try:
            node, offset = target(scalars, loaded, edit)
            start, end, written = replacement(loaded.text, node, offset, edit.old, edit.new)
        except Unfixable as error:
            result.abandoned.append((edit, str(error)))
            continue
        start, end = start + lead, end + lead
        value = node.value[:offset] + edit.new + node.value[offset + len(edit.old) :]
        if id(node) in taken or any(s < end and start < e for s, e, _ in spans):
            if taken.get(id(node)) == value:
                result.made.append(edit)  # another finding's edit already gives this value
            else:
                result.later.append(edit)
            continue
        taken[id(node)] = value
        spans.append((start, end, written))
        expected[id(node)] = value
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
