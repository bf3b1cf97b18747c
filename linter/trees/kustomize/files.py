"""The YAML files of kustomize trees, composed once per process.

Planning a run reads every kustomization (what it uses, to find the roots); building each root
reads its kustomization again, with the bases and patches it names. Both read through here: a
file composed for the plan is handed to the build that needs it (and to the worker processes
forked after planning, which inherit it), instead of being composed twice.

An entry is keyed by the file's real path and checked against its size and modification time
whenever it is used (``os.stat``, or the run's stat of it: one run sees one state of its
files), so a file changed since it was composed (a long-lived process, tests rewriting a
fixture) is read again. Where the plan knows how a build will show a file, the file is
composed with its nodes naming it so (:class:`~imagelint.trees.origins.NamedText`). A builder
*takes* the entry it uses (it is removed from here): the builder keeps what several roots
share in its own cache and lets a root's own files go once the root is built, so nothing here
outlives its use by a build.
"""

from __future__ import annotations

import os

from imagelint.reading.loader import LoadedFile, load
from imagelint.trees.origins import compose_named, name_marks
from imagelint.trees.realpaths import RealPaths

# A manifest or patch file larger than this is not read (kustomize has no limit; a file this
# large in a kustomize tree is a mistake or an attack).
YAML_CAP = 16 * 1024 * 1024


class _Parsed:
    """A file composed: the stamp it was read at, and its documents (``named``: the display
    path their marks name, None while they name no file)."""

    __slots__ = ("stamp", "loaded", "named")

    def __init__(self, stamp: tuple[int, int], loaded: LoadedFile, named: str | None) -> None:
        self.stamp = stamp
        self.loaded = loaded
        self.named = named


# real path -> the file composed
_PARSED: dict[str, _Parsed] = {}


def parsed(
    real: str, display: str | None = None, paths: RealPaths | None = None
) -> LoadedFile | str:
    """The file at ``real`` (a real path) composed, for reading only, or why it cannot be (a
    sentence). ``display``: how a build will most likely show the file (its nodes are named
    so as they are composed, which a build taking it by that name then needs not do);
    ``paths``: the run's memo, which may know the file's stat already."""
    found = _entry(real, display, paths)
    return found if isinstance(found, str) else found.loaded


def take(real: str, display: str, paths: RealPaths | None = None) -> LoadedFile | str:
    """The file at ``real`` composed for a build: every node's start mark naming ``display``
    (:func:`~imagelint.trees.origins.load_tree_file`), or why it cannot be read (a sentence).
    The entry is removed: the builder caches what it needs to keep."""
    found = _entry(real, display, paths)
    if isinstance(found, str):
        return found
    del _PARSED[real]
    if found.named is None or found.named == display:
        loaded = found.loaded
        loaded.display = display
        if found.named is None:
            name_marks(loaded, display)
        return loaded
    # Named for another display path (the same file reached by two paths): compose anew.
    return compose_named(display, found.loaded.text)


def _entry(real: str, display: str | None, paths: RealPaths | None) -> _Parsed | str:
    # The run's stat of the file, else the system's now (which says why it failed).
    status = paths.stat(real) if paths is not None else None
    if status is None:
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
    if display is None:
        loaded = load(real, text)
        _ = loaded.documents  # compose now: problems are known, the nodes shared
    else:
        loaded = compose_named(display, text)
    entry = _PARSED[real] = _Parsed(stamp, loaded, display)
    return entry


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
        # Unbuffered, with the system's calls alone: a tree is many small files. (Not
        # inherited by child processes, as os.open makes it.)
        descriptor = os.open(real, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except (OSError, ValueError) as error:
        return _unreadable(error)
    try:
        # As large as the file is (a buffer of ``cap`` bytes for every small file costs more
        # than reading it), and on up to the cap if it grew since.
        chunks: list[bytes] = []
        total = 0
        while total <= cap:
            chunk = os.read(descriptor, (size + 1 if total <= size else cap + 1) - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as error:
        return _unreadable(error)
    finally:
        os.close(descriptor)
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if len(data) > cap:
        return f"it is more than imagelint reads for a kustomize build ({cap:,} bytes)"
    return data


def _unreadable(error: Exception) -> str:
    reason = error.strerror if isinstance(error, OSError) else None
    return f"it cannot be read ({reason or error})"
