"""Path globs anchored to a folder: ``exclude`` and ``per-file-ignores``.

A pattern in a configuration file is relative to that file's folder, one on the command line to
the current directory (ruff's rule), so ``exclude: [charts/*/templates]`` means the same folder
whether the run is ``imagelint check .``, ``imagelint check $PWD`` or ``cd apps && imagelint
check ..``. A pattern without ``/`` matches any single part of a path (``templates``,
``*.generated.yaml``); one with ``/`` matches the whole path from its folder, or any folder
above the path (so an excluded folder also excludes a file named inside it). ``*`` crosses
``/``, as ``fnmatch`` does.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable

from imagelint.core.frozen import ValueRecord, set_field


def _slashed(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


class Glob(ValueRecord):
    """One pattern, with the folder it is relative to."""

    __slots__ = ("pattern", "base", "component", "absolute")
    pattern: str  # as written, without a leading ./ or a trailing /
    base: str  # the absolute folder it is relative to
    component: bool  # no '/': matches any single part of a path
    absolute: str  # with '/': the pattern joined to its folder, '/'-separated

    def __init__(self, pattern: str, base: str | None = None) -> None:
        pattern = _slashed(pattern.strip())
        while pattern.startswith("./") and len(pattern) > 2:
            pattern = pattern[2:]
        pattern = pattern.rstrip("/") or pattern
        folder = os.path.abspath(base or os.getcwd())
        set_field(self, "pattern", pattern)
        set_field(self, "base", folder)
        set_field(self, "component", "/" not in pattern)
        joined = os.path.normpath(os.path.join(folder, pattern)) if "/" in pattern else ""
        set_field(self, "absolute", _slashed(joined))

    def __reduce__(self) -> tuple[type[Glob], tuple[str, str]]:
        return (Glob, (self.pattern, self.base))

    def matches(self, absolute_path: str) -> bool:
        """Whether the glob matches an absolute, '/'-separated path or a folder above it."""
        parts = absolute_path.split("/")
        if self.component:
            return any(fnmatch.fnmatchcase(part, self.pattern) for part in parts if part)
        for end in range(len(parts), 1, -1):
            if fnmatch.fnmatchcase("/".join(parts[:end]), self.absolute):
                return True
        return False


def anchored(patterns: Iterable[str | Glob], base: str | None = None) -> list[Glob]:
    """Globs from patterns (a plain string is relative to ``base``, else the current
    directory); empty patterns are dropped."""
    return [
        item if isinstance(item, Glob) else Glob(item, base)
        for item in patterns
        if isinstance(item, Glob) or item.strip()
    ]


def absolute(path: str) -> str:
    """A path as globs match it: absolute, normalized, '/'-separated."""
    return _slashed(os.path.abspath(path))


class Matcher:
    """Whether a path (as shown: relative to the current directory, or absolute) matches any of
    some globs."""

    __slots__ = ("globs",)

    def __init__(self, patterns: Iterable[str | Glob], base: str | None = None) -> None:
        self.globs = anchored(patterns, base)

    def __bool__(self) -> bool:
        return bool(self.globs)

    def __call__(self, path: str) -> bool:
        return self.which(path) is not None

    def which(self, path: str) -> Glob | None:
        """The first glob that matches ``path``, if any."""
        if not self.globs:
            return None
        full = absolute(path)
        for glob in self.globs:
            if glob.matches(full):
                return glob
        return None
