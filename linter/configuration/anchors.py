"""The folder that the globs of a run's configuration are relative to, and ``exclude`` as
anchored globs: the configuration file's entries relative to its folder, the command line's to
the current directory (ruff's rule; see :mod:`imagelint.reading.globs`).
"""

from __future__ import annotations

import os

from imagelint.configuration.effective import Effective
from imagelint.configuration.userconfig import is_user_level
from imagelint.reading.globs import Glob, anchored


def folder(settings: Effective) -> str | None:
    """The configuration file's folder; None (the current directory) without a file, or for
    the user-level file, which belongs to no project."""
    config = settings.config
    if config is None or config.path is None or is_user_level(config.path):
        return None
    return os.path.dirname(os.path.abspath(config.path))


def exclude(settings: Effective) -> list[Glob]:
    """``exclude`` from the file (relative to its folder), then ``--exclude`` (relative to the
    current directory)."""
    patterns: list[str] = list(settings["exclude"])
    config = settings.config
    from_file = len(config.values.get("exclude", ())) if config is not None else 0
    return [*anchored(patterns[:from_file], folder(settings)), *anchored(patterns[from_file:])]
