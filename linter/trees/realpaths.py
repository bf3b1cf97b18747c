"""``os.path.realpath`` for one run, remembered folder by folder.

A tree names the same folders over and over (200 overlays each name ``../../bases/b01``,
their patches and generator inputs), and ``os.path.realpath`` checks every component of every
path it is given with a system call. :class:`RealPaths` resolves a path's folder once and then
checks only the last component, with the same result as ``os.path.realpath`` (non-strict: a
missing component is kept as written; ``..`` is taken after the symbolic links before it are
followed). A symbolic link is handed to ``os.path.realpath`` itself.

It also remembers what ``os.stat`` says of a real path (:meth:`RealPaths.stat`): a tree's
kustomizations are looked at by the plan, then again by the builds.

One is made per run: the plan makes it and hands it over to the builder of the run
(:func:`hand_over`, :func:`take_over`), so what the plan looked up is not looked up again; a
tree that changes between runs is never seen through an earlier run's answers.
"""

from __future__ import annotations

import os
import stat


class RealPaths:
    """A memo of real paths, for one run."""

    __slots__ = ("_known", "_cwd", "_stats")

    def __init__(self) -> None:
        # path -> (its real path, whether a symbolic link was met on the way)
        self._known: dict[str, tuple[str, bool]] = {}
        self._cwd: str | None = None
        self._stats: dict[str, os.stat_result | None] = {}

    def __call__(self, path: str) -> str:
        found = self._known.get(path)
        return found[0] if found is not None else self._resolve(path)[0]

    def _resolve(self, path: str) -> tuple[str, bool]:
        found = self._known.get(path)
        if found is not None:
            return found
        if not os.path.isabs(path):
            # The current folder as the system gives it is already real (asked once a run).
            if self._cwd is None:
                self._cwd = os.getcwd()
            found = self._resolve(os.path.join(self._cwd, path))
        else:
            head, tail = os.path.split(path)
            if head == path:  # the root
                found = (os.path.realpath(path), False)
            elif not tail:  # a trailing slash
                found = self._resolve(head)
                if found[1]:
                    found = (os.path.realpath(path), True)
            else:
                folder, linked = self._resolve(head)
                if linked:  # past a link (or a loop of links): as the system library says
                    found = (os.path.realpath(path), True)
                elif tail == os.curdir:
                    found = (folder, False)
                elif tail == os.pardir:
                    found = (os.path.dirname(folder), False)
                else:
                    joined = os.path.join(folder, tail)
                    # The same place reached by another path (``../../bases/b01`` from each
                    # overlay) is known already: ``folder`` is real and link-free, so ``path``
                    # resolves as ``joined`` does.
                    known = self._known.get(joined)
                    if known is not None:
                        found = known
                    elif os.path.islink(joined):
                        found = (os.path.realpath(path), True)
                    else:
                        found = (joined, False)
        self._known[path] = found
        return found

    def under(self, folder: str, entry: str) -> str:
        """``self(os.path.join(folder, entry))`` for a ``folder`` that is a real path (as the
        folders of kustomizations are): the entry's parts are taken one by one from the
        folder, each looked up once a run, instead of the joined path (a new string in each
        overlay naming ``../../bases/b01``) from the start."""
        if entry.startswith("/"):
            return self(entry)
        current = folder
        known = self._known
        for name in entry.split("/"):
            if not name or name == os.curdir:
                continue
            if name == os.pardir:
                current = os.path.dirname(current)
                continue
            joined = current + name if current.endswith("/") else current + "/" + name
            found = known.get(joined)
            if found is None:
                # ``current`` is real and link-free: ``joined`` resolves to itself unless it
                # is a link (as in _resolve).
                if os.path.islink(joined):
                    found = (os.path.realpath(joined), True)
                else:
                    found = (joined, False)
                known[joined] = found
            if found[1]:  # past a link: as the system library says
                return self(os.path.join(folder, entry))
            current = found[0]
        return current

    def stat(self, real: str) -> os.stat_result | None:
        """``os.stat(real)`` (None: it cannot be stat'ed), asked once a run: a tree names the
        same folders (bases, components) from many kustomizations, and the builds look at
        what the plan looked at."""
        stats = self._stats
        if real in stats:
            return stats[real]
        found: os.stat_result | None
        try:
            found = os.stat(real)
        except (OSError, ValueError):
            found = None
        stats[real] = found
        return found

    def mode(self, real: str) -> int:
        """The file mode of ``real`` (0: it cannot be stat'ed)."""
        found = self.stat(real)
        return found.st_mode if found is not None else 0

    def is_file(self, real: str) -> bool:
        """``os.path.isfile(real)``, from :meth:`stat`."""
        return stat.S_ISREG(self.mode(real))


# The plan's memo, until the builder of the run takes it over: (the memo, the real paths of
# the kustomize roots the plan found, the current folder it was made in).
_HANDED_OVER: list[tuple[RealPaths, frozenset[str], str]] = []


def hand_over(paths: RealPaths, roots: frozenset[str]) -> None:
    """Leave the plan's memo for the builder that builds its ``roots`` (worker processes,
    forked after planning, inherit it). A newer plan's replaces it."""
    _HANDED_OVER[:] = [(paths, roots, os.getcwd())] if roots else []


def take_over(root: str) -> RealPaths | None:
    """The memo of the plan that found ``root``, for the builder's first build (None: no plan
    did, or it was taken). A memo is taken once, and only in the folder it was made in (it
    resolved relative paths from there)."""
    if _HANDED_OVER and root in _HANDED_OVER[0][1]:
        paths, _roots, cwd = _HANDED_OVER.pop()
        if cwd == os.getcwd():
            return paths
    return None
