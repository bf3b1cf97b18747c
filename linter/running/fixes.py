"""A rule's fix (the new value of what it checked) as an edit of the place the value is written.

The finding's site says where the value starts (its file, line and column); for a value built
from parts written in different places (a kustomize ``newTag`` over a base's image, a chart's
``repository`` and ``tag``), the site knows each part, and only the part that changes is edited:
a change that spans two parts has no edit (it cannot be made in one place).

A pin (a fix that adds a digest, ``Fix.pin``) of a value built from parts is written the way a
user of that tree writes one, where the tag is set (the tree's own rules, checked against
``kubectl kustomize``, kustomize v5):

- a kustomize ``images:`` entry's ``newTag``: its empty ``digest:`` is filled when it has one
  (``app:1.2@sha256:...`` is built from both); else ``newTag: latest`` becomes
  ``digest: sha256:...`` (the key renamed: the build is ``app@sha256:...``, the form Renovate
  tracks as ``latest``), and any other tag gets the digest after it, ``newTag: 1.2@sha256:...``
  (kustomize joins ``:`` and the newTag as text; Renovate reads the digest there);
- a chart's values: an empty ``digest:`` beside the ``tag`` is filled (Bitnami's and
  cert-manager's templates then write ``@digest`` instead of ``:tag``; ingress-nginx's both);
  else the digest goes after the tag, ``tag: 1.2@sha256:...`` (``tag: latest@sha256:...``: the
  template writes ``repository:tag``, so ``latest`` cannot be left out). A tag that is the
  chart's ``appVersion`` (an empty ``tag``) is not edited in Chart.yaml (the chart's version,
  printed into labels too): the empty ``digest:`` is filled, else the empty ``tag:`` gets
  ``2.1.0@sha256:...``; a chart whose values have neither gets no edit;
- an image with no tag, its name written in one place: an empty ``digest:`` beside the name is
  filled (a chart's ``repository`` gets nothing after it: its template writes ``:`` and a tag
  there); an overlay's ``newName`` alone gets ``@sha256:...`` after it;
- an image written whole in one place (a base's ``image:`` that no overlay changes, a patch)
  gets it there, as in a plain manifest.

A digest belongs to the name and the tag together, so it is written with the tag only where
every build that uses the tag's file takes the same name (:func:`_decided_in`): a base's image
under an overlay's ``newTag``, an entry's own ``newName`` and ``newTag``, a chart's
``values.yaml`` under a values variant of it. Otherwise there is no edit (the finding stays): an
overlay's ``newName`` over a base's ``app:1.2`` (the base is shared with builds of other names,
and a ``newTag`` or ``digest`` in the entry would retag every image it matches), a base
kustomization's ``newTag`` under an overlay's ``newName``, a registry from other values than
the repository's.

Which of these applies depends on the file (is there an empty ``digest:``?), which only the
fixing stage reads: the edit names the field it was made for and the entry to change
(:class:`~imagelint.core.fixes.Entry`), and the edits to try ``otherwise``, in order.
"""

from __future__ import annotations

import os

from imagelint.core.fixes import Edit, Entry, Fix
from imagelint.core.model import Site
from imagelint.kube.kustomize import KUSTOMIZATION_NAMES

# Helm's name for a chart's own file (trees.plan.CHART_FILE), where appVersion is written.
_CHART_FILE = "Chart.yaml"
# The fields a tag is written in (a kustomize images entry, a chart's image mapping), and those
# that write the name an appVersion or no tag follows.
_TAG_FIELDS = ("newTag", "tag")
_NAME_FIELDS = ("newName", "repository", "image", "name")
# A chart's own values (trees.helm.values.VALUES_FILE), under every variant's; and the files of
# trees that set what other files build on.
_VALUES_FILE = "values.yaml"
_TREE_FILES = frozenset((*KUSTOMIZATION_NAMES, _CHART_FILE, _VALUES_FILE))


def edit_for(site: Site, old: str | None, fix: Fix) -> Edit | None:
    """The edit that turns ``old`` (the value written at ``site``) into ``fix.value``."""
    if old is None or old == fix.value:
        return None
    if site.parts and fix.pin is not None:
        return _pin(site, old, fix, fix.pin)
    return _spliced(site, old, fix)


def _spliced(site: Site, old: str, fix: Fix) -> Edit | None:
    """The edit of the changed stretch of ``old``, in the one part that holds it."""
    new = fix.value
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


def _index_at(parts: tuple[tuple[int, Site], ...], offset: int) -> int:
    """The index of the part that wrote the character at ``offset``."""
    chosen = 0
    for index, (start, _) in enumerate(parts):
        if start > offset:
            break
        chosen = index
    return chosen


def _pin(site: Site, old: str, fix: Fix, digest: str) -> Edit | None:
    """The edit that pins a value built from parts (see the module's documentation)."""
    parts = site.parts
    colon = old.rfind(":")
    if colon <= old.rfind("/"):  # no tag: a chart's registry and repository, say
        anchor = parts[-1][1]
        if fix.value != f"{old}@{digest}":
            return _spliced(site, old, fix)
        if _files(parts, len(old)) != {anchor.path}:
            return None
        # Only an empty digest: the chart's template writes ':' after the repository.
        return _entry_edit(anchor, fix, "", digest, Entry(_NAME_FIELDS, "digest"))
    tag = old[colon + 1 :]
    if fix.value == f"{old}@{digest}":
        keeps_tag = True
    elif tag == "latest" and fix.value == f"{old[:colon]}@{digest}":
        keeps_tag = False
    else:  # not a pin of the form unpinned-tag makes
        return _spliced(site, old, fix)
    if _index_at(parts, colon) != _index_at(parts, colon - 1):
        # ':' and the tag left from another image (a base's) under a name written elsewhere.
        return None
    tag_parts = [index for index, (start, _) in enumerate(parts) if start > colon]
    if not tag_parts:
        return _spliced(site, old, fix)  # the tag written with the name, in one place
    if parts[tag_parts[0]][0] != colon + 1:
        return None  # a tag begun with the name and ended elsewhere
    names = _files(parts, colon)
    if all(os.path.basename(parts[i][1].path) == _CHART_FILE for i in tag_parts):
        # The chart's appVersion: the values beside the name say the tag instead.
        anchor = parts[_index_at(parts, colon)][1]
        if names != {anchor.path}:
            return None  # a registry from other values than the repository's
        fill = _entry_edit(anchor, fix, "", f"{tag}@{digest}", Entry(_NAME_FIELDS, "tag"))
        return _filled(anchor, fix, digest, _NAME_FIELDS, fill)
    if len(tag_parts) != 1 or not _decided_in(parts[tag_parts[0]][1].path, names, site.via):
        return None  # a tag put together from several places, or used under other names
    return _tag_field(parts[tag_parts[0]][1], tag, fix, digest, keeps_tag)


def _files(parts: tuple[tuple[int, Site], ...], end: int) -> set[str]:
    """The files that wrote the value's first ``end`` characters."""
    return {site.path for start, site in parts if start < end}


def _decided_in(tag_file: str, names: set[str], via: str | None) -> bool:
    """Whether every build that uses ``tag_file`` takes the name from ``names``, so that the
    digest of the name and tag can be written with the tag. Yes when the name is written in
    the same file; or the tag in a kustomization and the name in manifests (its resources or
    its bases': a patch after it would set the tag too), or in anything when that
    kustomization is the tree's root (nothing comes after it); or the name in a chart's
    ``values.yaml`` and the tag in a values file of that chart's folder, layered over it. Not
    when an overlay's ``newName`` may come after the tag's kustomization in other builds."""
    if names == {tag_file}:
        return True
    folder, tag_name = os.path.split(tag_file)
    if tag_name in KUSTOMIZATION_NAMES:
        if via is not None and os.path.normpath(folder or ".") == os.path.normpath(via):
            return True
        return not any(os.path.basename(name) in _TREE_FILES for name in names)
    if len(names) != 1 or tag_name in _TREE_FILES:
        return False
    [name] = names
    chart = os.path.dirname(name)
    return os.path.basename(name) == _VALUES_FILE and (
        not chart or tag_file.startswith(os.path.join(chart, ""))
    )


def _tag_field(anchor: Site, tag: str, fix: Fix, digest: str, keeps_tag: bool) -> Edit:
    """The pin of a tag written in a field of its own (``newTag``, a chart's ``tag``)."""
    after = Edit(
        anchor.path,
        anchor.line,
        anchor.column,
        len(tag),
        "",
        f"@{digest}",
        fix.applicability,
        fix.title,
    )
    if not keeps_tag:
        rename = Entry(("newTag",), "newTag", rename="digest")
        after = _entry_edit(anchor, fix, tag, digest, rename, after)
    return _filled(anchor, fix, digest, _TAG_FIELDS, after)


def _filled(anchor: Site, fix: Fix, digest: str, beside: tuple[str, ...], otherwise: Edit) -> Edit:
    """An empty ``digest:`` beside the field ``anchor`` is written at, filled with the pin;
    ``otherwise`` when it has none."""
    return _entry_edit(anchor, fix, "", digest, Entry(beside, "digest"), otherwise)


def _entry_edit(
    anchor: Site, fix: Fix, old: str, new: str, entry: Entry, otherwise: Edit | None = None
) -> Edit:
    return Edit(
        anchor.path,
        anchor.line,
        anchor.column,
        0,
        old,
        new,
        fix.applicability,
        fix.title,
        entry,
        otherwise,
    )
