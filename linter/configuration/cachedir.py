"""imagelint's cache directory: ``$IMAGELINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/imagelint``,
else ``~/.cache/imagelint``. Created readable by the user only; it never holds credentials.
Every use is optional: a cache that cannot be written is simply not used."""

from __future__ import annotations

import os
import zlib


def directory() -> str:
    explicit = os.environ.get("IMAGELINT_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "imagelint")


def _ensure(path: str) -> bool:
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        return True
    except OSError:
        return False


def remembers(kind: str, content: bytes) -> bool:
    """Whether ``remember(kind, content)`` was done for exactly these bytes."""
    try:
        with open(os.path.join(directory(), kind, _name(content)), "rb") as handle:
            return handle.read() == content
    except OSError:
        return False


def remember(kind: str, content: bytes) -> None:
    folder = os.path.join(directory(), kind)
    if _ensure(directory()) and _ensure(folder):
        try:
            with open(os.path.join(folder, _name(content)), "wb") as handle:
                handle.write(content)
        except OSError:
            pass


def _name(content: bytes) -> str:
    """A file name for content; the content itself is compared on lookup, so a collision can
    only cost a miss (zlib instead of hashlib: hashlib's OpenSSL import costs start-up time)."""
    return f"{zlib.crc32(content):08x}-{len(content)}"
