"""``os.path.realpath`` for one run, remembered folder by folder.

A tree names the same folders over and over (200 overlays each name ``../../bases/b01``,
their patches and generator inputs), and ``os.path.realpath`` checks every component of every
path it is given with a system call. :class:`RealPaths` resolves a path's folder once and then
checks only the last component, with the same result as ``os.path.realpath`` (non-strict: a
missing component is kept as written; ``..`` is taken after the symbolic links before it are
followed). A symbolic link is handed to ``os.path.realpath`` itself.

One is made per run (per plan, per builder): a tree that changes between runs is never seen
through an earlier run's answers.
"""

from __future__ import annotations

import os


class RealPaths:
    """A memo of real paths, for one run."""

    __slots__ = ("_known",)

    def __init__(self) -> None:
        # path -> (its real path, whether a symbolic link was met on the way)
        self._known: dict[str, tuple[str, bool]] = {}

    def __call__(self, path: str) -> str:
        return self._resolve(path)[0]

    def _resolve(self, path: str) -> tuple[str, bool]:
        found = self._known.get(path)
        if found is not None:
            return found
        if not os.path.isabs(path):
            # The current folder as the system gives it is already real.
            found = self._resolve(os.path.join(os.getcwd(), path))
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
