"""What one kustomization refers to, read cheaply and without following anything: the
kustomization folders it builds on and the files it reads. (Finding the roots of a run, and
the trees a changed file belongs to, asks this of every kustomization.)"""

from __future__ import annotations

import stat
from collections.abc import Callable

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from imagelint.core.frozen import ValueRecord, set_field
from imagelint.trees.kustomize.files import parsed
from imagelint.trees.kustomize.kustomization import display_of_file, find_kustomization
from imagelint.trees.kustomize.nodes import get, items, text
from imagelint.trees.realpaths import RealPaths


class Uses(ValueRecord):
    """``folders``: real paths of the kustomization folders used through resources, bases or
    components; ``files``: real paths of the files read (resources, patches, generator
    inputs, replacement sources...). Paths that do not exist are left out."""

    __slots__ = ("folders", "files")
    folders: tuple[str, ...]
    files: tuple[str, ...]

    def __init__(self, folders: tuple[str, ...], files: tuple[str, ...]) -> None:
        set_field(self, "folders", folders)
        set_field(self, "files", files)


def uses(
    folder: str,
    realpath: RealPaths | None = None,
    display: str | None = None,
    find: Callable[[str], str | None] = find_kustomization,
) -> Uses:
    """What the kustomization in ``folder`` (a real path) uses (``realpath``: the run's
    :class:`~imagelint.trees.realpaths.RealPaths`; ``display``: how the user sees the folder,
    if known; ``find``: a folder's kustomization file, the run's memo of it)."""
    paths = realpath if realpath is not None else RealPaths()
    path = find(folder)
    if path is None:
        return Uses((), ())
    loaded = parsed(path, display_of_file(display, path) if display is not None else None, paths)
    if isinstance(loaded, str):
        return Uses((), ())
    documents = loaded.documents
    node = documents[0].node if documents else None
    if not isinstance(node, MappingNode):
        return Uses((), ())
    folders: dict[str, None] = {}
    files: dict[str, None] = {}

    def add(entry: str | None) -> None:
        if not entry or "\n" in entry:
            return
        real = paths.under(folder, entry)
        mode = paths.mode(real)
        if stat.S_ISDIR(mode):
            if find(real) is not None:
                folders[real] = None
        elif stat.S_ISREG(mode):
            files[real] = None

    # field -> its value (the last of a repeated key, as get() reads it)
    fields = {k.value: v for k, v in node.value if isinstance(k, ScalarNode)}
    for field in ("resources", "bases", "components", "patchesStrategicMerge", "crds"):
        for entry in items(fields.get(field)):
            add(text(entry))
    for entry in items(fields.get("configurations")):
        add(text(entry))
    for field in ("patches", "patchesJson6902", "replacements"):
        for entry in items(fields.get(field)):
            add(text(get(entry, "path")))
    add(text(get(fields.get("openapi"), "path")))
    for field in ("secretGenerator", "configMapGenerator"):
        for entry in items(fields.get(field)):
            for source in _inputs(entry):
                add(source)
    return Uses(tuple(folders), tuple(files))


def _inputs(entry: Node) -> list[str]:
    result: list[str] = []
    for env in [*items(get(entry, "envs")), get(entry, "env")]:
        value = text(env)
        if value:
            result.append(value)
    for source in items(get(entry, "files")):
        value = text(source)
        if value:
            result.append(value.partition("=")[2] if value.count("=") == 1 else value)
    return result
