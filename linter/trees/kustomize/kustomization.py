"""One kustomization file: finding it, reading its fields, and locating the paths it names.

kustomize v5 refuses a kustomization with a field it does not know, and (with its default
load restrictor, ``LoadRestrictionsRootOnly``) a *file* outside the kustomization's folder;
a *folder* holding a kustomization may be anywhere (``../base``).
"""

from __future__ import annotations

import functools
import os
import posixpath
import stat
from collections.abc import Iterable

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from imagelint.core.frozen import ValueRecord, set_field
from imagelint.core.patterns import pattern
from imagelint.kube.kustomize import KUSTOMIZATION_NAMES
from imagelint.reading.loader import LoadedFile
from imagelint.trees.kustomize.nodes import items, text
from imagelint.trees.realpaths import RealPaths

NAMES = KUSTOMIZATION_NAMES  # in the order kustomize looks for them

# The fields of kustomize v5's Kustomization type (and Component's, the same).
FIELDS = frozenset(
    """apiVersion kind metadata openapi namePrefix nameSuffix namespace commonLabels labels
    commonAnnotations patchesStrategicMerge patchesJson6902 patches images replacements replicas
    vars sortOptions resources components crds bases configMapGenerator secretGenerator
    helmGlobals helmCharts helmChartInflationGenerator generatorOptions configurations generators
    transformers validators buildMetadata""".split()
)

# What kustomize fetches over the network when no local path has the name.
_REMOTE = r"^(?:[a-z][a-z0-9+.-]*://|git@|git::|github\.com/|gitlab\.com/)|\?ref="


def find_kustomization(folder: str) -> str | None:
    """The kustomization file of a folder (kustomize looks for these three names)."""
    for name in NAMES:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None


def kustomization_files(folder: str, paths: RealPaths) -> list[str]:
    """The kustomization files of a folder (more than one: kustomize refuses the folder)."""
    return [name for name in NAMES if paths.is_file(os.path.join(folder, name))]


class Kustomization:
    """A kustomization file read: its folder (real path, and as the user sees it), its
    mapping node and the file it was loaded from."""

    __slots__ = ("folder", "folder_display", "path", "display", "node", "loaded", "_fields")

    def __init__(
        self,
        folder: str,
        folder_display: str,
        path: str,
        display: str,
        node: MappingNode,
        loaded: LoadedFile,
    ) -> None:
        self.folder = folder
        self.folder_display = folder_display
        self.path = path
        self.display = display
        self.node = node
        self.loaded = loaded
        # field -> (key, value), the last of a repeated key (as get() reads it); a node is
        # never changed, so this is read once.
        self._fields: dict[str, tuple[Node, Node]] = {
            k.value: (k, v) for k, v in node.value if isinstance(k, ScalarNode)
        }

    def get(self, field: str) -> Node | None:
        found = self._fields.get(field)
        return found[1] if found is not None else None

    def key(self, field: str) -> Node | None:
        found = self._fields.get(field)
        return found[0] if found is not None else None

    def fields_among(self, fields: Iterable[str]) -> list[str]:
        """Those of ``fields`` this kustomization has, in their order."""
        present = self._fields
        return [field for field in fields if field in present]

    def text(self, field: str) -> str | None:
        return text(self.get(field))

    def entries(self, field: str) -> list[Node]:
        return items(self.get(field))

    @property
    def is_component(self) -> bool:
        return self.text("kind") == "Component"


class Located(ValueRecord):
    """Where a path named in a kustomization leads. ``what``: "file", "folder", "missing",
    "remote" or "outside" (a file outside the kustomization's folder, which kustomize's default
    load restrictor refuses)."""

    __slots__ = ("what", "real", "display")
    what: str
    real: str
    display: str

    def __init__(self, what: str, real: str, display: str) -> None:
        set_field(self, "what", what)
        set_field(self, "real", real)
        set_field(self, "display", display)


def locate(k: Kustomization, entry: str, realpath: RealPaths) -> Located:
    """Where ``entry`` (a path as written in ``k``) leads, as kustomize resolves it
    (``realpath``: the run's :class:`~imagelint.trees.realpaths.RealPaths`)."""
    display = joined_display(k.folder_display, entry.replace(os.sep, "/"))
    real = realpath.under(k.folder, entry)
    mode = realpath.mode(real)
    if stat.S_ISDIR(mode):
        return Located("folder", real, display)
    if stat.S_ISREG(mode):
        if not within(real, k.folder):
            return Located("outside", real, display)
        return Located("file", real, display)
    if pattern(_REMOTE).search(entry):
        return Located("remote", real, display)
    return Located("missing", real, display)


def within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def display_of_file(folder_display: str, path: str) -> str:
    return joined_display(folder_display, os.path.basename(path))


def joined_display(folder_display: str, entry: str) -> str:
    """``entry`` (a path as written) under a folder as the user sees it, normalized."""
    if (
        "/" not in entry
        and entry not in _SPECIAL
        and folder_display not in _SPECIAL
        and not folder_display.endswith("/")
        and _normal(folder_display)
    ):
        return f"{folder_display}/{entry}"  # (what normpath would give: nothing to take out)
    return posixpath.normpath(posixpath.join(folder_display, entry))


# Names and folders a plain join of a file name would not leave normalized.
_SPECIAL = frozenset({"", ".", ".."})


@functools.lru_cache(maxsize=4096)
def _normal(folder_display: str) -> bool:
    """Whether a folder as the user sees it is normalized already (asked for each file a
    kustomization names: the answer is the same for all of them)."""
    return posixpath.normpath(folder_display) == folder_display
