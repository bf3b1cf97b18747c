"""A rule's fix (the new value of what it checked) as an edit of the place the value is written.

The finding's site says where the value starts (its file, line and column); for a value built
from parts written in different places (a kustomize ``newTag`` over a base's image, a chart's
``repository`` and ``tag``), the site knows each part, and only the part that changes is edited:
a change that spans two parts has no edit (it cannot be made in one place).
"""

from __future__ import annotations

from imagelint.core.fixes import Edit, Fix
from imagelint.core.model import Site


def edit_for(site: Site, old: str | None, fix: Fix) -> Edit | None:
    """The edit that turns ``old`` (the value written at ``site``) into ``fix.value``."""
    new = fix.value
    if old is None or old == new:
        return None
    # The changed stretch: old[begin:old_end] becomes new[begin:new_end].
    begin = 0
    limit = min(len(old), len(new))
    while begin < limit and old[begin] == new[begin]:
        begin += 1
    tail = 0
    while tail < limit - begin and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_end, new_end = len(old) - tail, len(new) - tail
    start = 0
    if site.parts:
        part = _part_holding(site.parts, begin, old_end, len(old))
        if part is None:
            return None
        start, site = part
        if site.parts:  # a part that is itself built (not written in one place)
            return None
    return Edit(
        site.path,
        site.line,
        site.column,
        begin - start,
        old[begin:old_end],
        new[begin:new_end],
        fix.applicability,
        fix.title,
    )


def _part_holding(
    parts: tuple[tuple[int, Site], ...], begin: int, end: int, length: int
) -> tuple[int, Site] | None:
    """The part that holds old[begin:end] whole, if one does (an insertion where two parts meet
    goes to the first of them)."""
    for index, (start, site) in enumerate(parts):
        stop = parts[index + 1][0] if index + 1 < len(parts) else length
        if start <= begin and end <= stop:
            return start, site
    return None
