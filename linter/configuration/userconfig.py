"""The configuration used when no project file is found, as yamllint looks for one: the file
``$IMAGELINT_CONFIG`` names, else the user's own ``$XDG_CONFIG_HOME/imagelint/config.yaml``
(``~/.config/imagelint/config.yaml`` when ``XDG_CONFIG_HOME`` is unset or not absolute).

The order, first found wins: ``--config PATH``; the nearest ``.imagelint.yaml`` /
``.imagelint.yml`` / ``pyproject.toml`` with ``[tool.imagelint]`` from the current directory
upwards; ``$IMAGELINT_CONFIG``; the user-level file; the defaults. Globs in the user-level file
are relative to the current directory (it belongs to no project, as ruff's user configuration);
in every other file, to that file's folder.
"""

from __future__ import annotations

import os

ENV = "IMAGELINT_CONFIG"


class MissingConfig(Exception):
    """``$IMAGELINT_CONFIG`` names no file; the message is ready for the user."""


def user_file() -> str:
    """Where the user-level configuration is (whether or not it exists)."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    if not os.path.isabs(base):  # the XDG specification: a relative value is to be ignored
        base = os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "imagelint", "config.yaml")


def fallback() -> str | None:
    """The configuration file to use when no project file is found, or None."""
    named = os.environ.get(ENV, "")
    if named:
        if not os.path.isfile(named):
            raise MissingConfig(f"${ENV} names no such file: {named}")
        return named
    candidate = user_file()
    return candidate if os.path.isfile(candidate) else None


def is_user_level(path: str) -> bool:
    """Whether ``path`` is the user-level file (so globs in it follow the current directory)."""
    try:
        return os.path.samefile(path, user_file())
    except OSError:
        return False
