"""The kinds imagelint reads images from, and where in each.

One module per family (Kubernetes' own kinds, Tekton, Argo, batch and training operators,
database operators, platform operators) declares its kinds as tables of field paths
(:mod:`imagelint.kube.kinds.table`); :func:`lookup` finds an object's entry, the kinds declared
with the ``image-fields`` option first. Objects of other kinds get the generic walk
(:mod:`imagelint.kube.kinds.generic`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from imagelint.kube.kinds import argo, batch, builtin, data, platform, tekton
from imagelint.kube.kinds.paths import parse
from imagelint.kube.kinds.table import AUTO, Kind, Read

_declared: dict[tuple[str, str], Kind] = {}  # (apiVersion or group, kind) -> declared reads


@functools.cache
def table() -> dict[tuple[str, str], Kind]:
    """The built-in kinds by (API group, kind)."""
    entries: dict[tuple[str, str], Kind] = {}
    for family in (builtin, tekton, argo, batch, data, platform):
        for kind in family.KINDS:
            entries[(kind.group, kind.kind)] = kind
    return entries


def lookup(api_version: str, group: str, kind: str) -> Kind | None:
    """What to read in an object of this apiVersion and kind; None: the generic walk."""
    if _declared:
        found = _declared.get((api_version, kind)) or _declared.get((group, kind))
        if found is not None:
            return found
    return table().get((group, kind))


def declare(entries: Iterable[Mapping[str, Any]]) -> None:
    """Use the ``image-fields`` of the configuration (replacing any declared before): each
    entry names ``apiVersion`` (or ``group``), ``kind`` and ``paths``. Paths are checked here;
    the schema has checked the rest."""
    declared: dict[tuple[str, str], Kind] = {}
    for entry in entries:
        api = str(entry.get("apiVersion") or entry.get("group") or "")
        name = str(entry["kind"])
        paths = [str(path) for path in entry.get("paths", ())]
        for path in paths:
            parse(path)  # raises PathError
        group = api.rpartition("/")[0] if "apiVersion" in entry else api
        reads = tuple(Read(AUTO, path) for path in paths)
        previous = declared.get((api, name))
        if previous is not None:
            reads = previous.reads + reads
        declared[(api, name)] = Kind(group, name, reads, note="declared in image-fields")
    _declared.clear()
    _declared.update(declared)


def declared() -> list[Kind]:
    return list(_declared.values())
