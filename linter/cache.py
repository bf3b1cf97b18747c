"""imagelint's cache directory: ``$IMAGELINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/imagelint``,
else ``~/.cache/imagelint``. Created readable by the user only; it never holds credentials.
Every use is optional: a cache that cannot be written is simply not used."""

from __future__ import annotations

import hashlib
import os


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


def key(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def has_mark(kind: str, name: str) -> bool:
    """Whether ``mark(kind, name)`` was done before (a file that exists)."""
    return os.path.exists(os.path.join(directory(), kind, name))


def mark(kind: str, name: str) -> None:
    folder = os.path.join(directory(), kind)
    if _ensure(directory()) and _ensure(folder):
        try:
            with open(os.path.join(folder, name), "w", encoding="ascii"):
                pass
        except OSError:
            pass
