"""The YAML files of kustomize trees, composed once per process.

Planning a run reads every kustomization (what it uses, to find the roots); building each root
reads its kustomization again, with the bases and patches it names. Both read through here: a
file composed for the plan is handed to the build that needs it (and to the worker processes
forked after planning, which inherit it), instead of being composed twice.

An entry is keyed by the file's real path and checked against its size and modification time
(``os.stat``) whenever it is used, so a file changed since it was composed (a long-lived
process, tests rewriting a fixture) is read again. A builder *takes* the entry it uses (it is
removed from here): the builder keeps what several roots share in its own cache and lets a
root's own files go once the root is built, so nothing here outlives its use by a build.
"""

from __future__ import annotations

import os

from imagelint.reading.loader import LoadedFile, load
from imagelint.trees.origins import name_marks

# A manifest or patch file larger than this is not read (kustomize has no limit; a file this
# large in a kustomize tree is a mistake or an attack).
YAML_CAP = 16 * 1024 * 1024


class _Parsed:
    """A file composed: the stamp it was read at, and its documents (their marks not yet
    naming a file: ``named`` is None until a build names them)."""

    __slots__ = ("stamp", "loaded", "named")

    def __init__(self, stamp: tuple[int, int], loaded: LoadedFile) -> None:
        self.stamp = stamp
        self.loaded = loaded
        self.named: str | None = None


# real path -> the file composed
_PARSED: dict[str, _Parsed] = {}


def parsed(real: str) -> LoadedFile | str:
    """The file at ``real`` (a real path) composed, for reading only (its nodes' marks name no
    file, or the file a build named them with), or why it cannot be (a sentence)."""
    found = _entry(real)
    return found if isinstance(found, str) else found.loaded


def take(real: str, display: str) -> LoadedFile | str:
    """The file at ``real`` composed for a build: every node's start mark naming ``display``
    (:func:`~imagelint.trees.origins.load_tree_file`), or why it cannot be read (a sentence).
    The entry is removed: the builder caches what it needs to keep."""
    found = _entry(real)
    if isinstance(found, str):
        return found
    del _PARSED[real]
    if found.named is None or found.named == display:
        loaded = found.loaded
        if found.named is None:
            loaded.display = display
            name_marks(loaded, display)
        return loaded
    # Named for another display path (the same file reached by two paths): compose anew.
    return _compose(found.loaded.text, display, named=True)


def _entry(real: str) -> _Parsed | str:
    try:
        status = os.stat(real)
    except (OSError, ValueError) as error:
        return _unreadable(error)
    stamp = (status.st_size, status.st_mtime_ns)
    found = _PARSED.get(real)
    if found is not None and found.stamp == stamp:
        return found
    data = _read(real, status.st_size)
    if isinstance(data, str):
        return data
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "it is not UTF-8 text"
    entry = _PARSED[real] = _Parsed(stamp, _compose(text, real, named=False))
    return entry


def _compose(text: str, display: str, named: bool) -> LoadedFile:
    loaded = load(display, text)
    _ = loaded.documents  # compose now: problems are known, the nodes shared
    if named:
        name_marks(loaded, display)
    return loaded


def _read(real: str, size: int) -> bytes | str:
    """The file's bytes, or why they are not read (a sentence)."""
    return read_capped(real, size, YAML_CAP)


def read_capped(real: str, size: int, cap: int) -> bytes | str:
    """The bytes of the file at ``real`` (``size``: as os.stat gave it), or why they are not
    read (a sentence): a file larger than ``cap`` is not."""
    if size > cap:
        return (
            f"it is {size:,} bytes, more than imagelint reads for a kustomize build ({cap:,} bytes)"
        )
    try:
        with open(real, "rb") as handle:
            # As large as the file is (a buffer of ``cap`` bytes for every small file costs
            # more than reading it), and on up to the cap if it grew since.
            data = handle.read(size + 1)
            if len(data) > size:
                data += handle.read(cap + 1 - len(data))
    except (OSError, ValueError) as error:
        return _unreadable(error)
    if len(data) > cap:
        return f"it is more than imagelint reads for a kustomize build ({cap:,} bytes)"
    return data


def _unreadable(error: Exception) -> str:
    reason = error.strerror if isinstance(error, OSError) else None
    return f"it cannot be read ({reason or error})"
