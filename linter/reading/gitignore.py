"""The files git ignores, so that walking a folder of a git work tree skips them, as ruff does.

git itself answers (``git ls-files --others --ignored --exclude-standard --directory``): its
answer covers ``.gitignore`` files at every level, ``.git/info/exclude`` and
``core.excludesFile`` with git's own pattern rules, which no re-implementation would match
exactly. It lists untracked paths only: a tracked file that a pattern matches is not ignored,
as for git. git is asked once per walked folder, and only when the folder is inside a work
tree (a ``.git`` above it); without git on ``PATH``, or if it fails (a folder that is itself
ignored, a repository git will not read), nothing is skipped.
"""

from __future__ import annotations

import os

from imagelint.reading.globs import absolute

# git on a work tree of 100,000 files answers in well under this.
_TIME_LIMIT = 60.0


def work_tree(folder: str) -> str | None:
    """The top of the git work tree ``folder`` is in (where ``.git`` is), or None."""
    directory = os.path.abspath(folder)
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


class Ignored:
    """The paths git ignores under one folder: absolute and '/'-separated, folders with a
    trailing '/'."""

    __slots__ = ("paths",)

    def __init__(self, paths: frozenset[str]) -> None:
        self.paths = paths

    def folder(self, path: str) -> bool:
        return absolute(path) + "/" in self.paths

    def file(self, path: str) -> bool:
        return absolute(path) in self.paths


def ignored_under(folder: str) -> Ignored | None:
    """What git ignores under ``folder``; None outside a work tree or when git cannot say."""
    if work_tree(folder) is None:
        return None
    command = [
        "git",
        "-C",
        folder,
        "ls-files",
        "-z",
        "--others",
        "--ignored",
        "--exclude-standard",
        "--directory",
    ]
    import subprocess  # here, not at the top: only a walk inside a work tree needs it

    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=_TIME_LIMIT,
            env=env,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    base = absolute(folder)
    paths = set()
    for entry in done.stdout.decode("utf-8", errors="surrogateescape").split("\0"):
        if not entry:
            continue
        if entry == "./":  # the folder itself is ignored: named on purpose, so read it all
            return None
        trailing = "/" if entry.endswith("/") else ""
        paths.add(absolute(os.path.join(base, entry)) + trailing)
    return Ignored(frozenset(paths))
