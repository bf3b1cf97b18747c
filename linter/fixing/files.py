"""Reading a file to fix and writing it back: the same bytes but for the edits (its encoding and
byte-order mark kept), atomically, never over a file that changed since it was read, and
through a symbolic link only when the link's target is inside the checked tree."""

from __future__ import annotations

import codecs
import os
import stat
import tempfile
from collections.abc import Iterable

from imagelint.core.frozen import FrozenRecord, set_field
from imagelint.reading.sources import decode

# The byte-order marks reading.sources.decode knows, in the order it tries them.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class Original(FrozenRecord):
    """A file as read for fixing: its bytes, its text, and how to encode the text back."""

    __slots__ = ("path", "data", "text", "bom", "encoding")
    path: str  # where it was read
    data: bytes
    text: str  # decoded, the byte-order mark left out
    bom: bytes
    encoding: str

    def __init__(self, path: str, data: bytes, text: str, bom: bytes, encoding: str) -> None:
        set_field(self, "path", path)
        set_field(self, "data", data)
        set_field(self, "text", text)
        set_field(self, "bom", bom)
        set_field(self, "encoding", encoding)

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding)


class NotWritten(Exception):
    """Why a fixed file was not written."""


def read(path: str) -> Original | str:
    """The file at ``path``, or why it cannot be fixed."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return f"cannot read it: {error.strerror or error}"
    text = decode(data)
    if not isinstance(text, str):
        return "it is not text imagelint reads"
    bom, encoding = next(((b, e) for b, e in _BOMS if data.startswith(b)), (b"", "utf-8"))
    original = Original(path, data, text, bom, encoding)
    if original.encode(text) != data:  # decoding is exact for every encoding read, but be sure
        return "its bytes do not survive decoding"
    return original


def inside(path: str, roots: Iterable[str]) -> bool:
    real = os.path.realpath(path)
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def write(original: Original, data: bytes, roots: Iterable[str]) -> None:
    """Replace the file ``original`` was read from by ``data``: a temporary file in the same
    folder, with the file's mode, renamed over it. A link is followed only to a target inside
    ``roots`` (real paths of the checked tree); a file whose bytes changed since it was read is
    left alone."""
    path = original.path
    if os.path.islink(path) or os.path.realpath(path) != os.path.abspath(path):
        if not inside(path, roots):
            raise NotWritten("it is reached through a symbolic link to outside the checked tree")
    real = os.path.realpath(path)
    try:
        mode = stat.S_IMODE(os.stat(real).st_mode)
        with open(real, "rb") as handle:
            if handle.read() != original.data:
                raise NotWritten("it changed since it was read")
        folder, name = os.path.split(real)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".fix", dir=folder)
    except OSError as error:
        raise NotWritten(f"cannot write it: {error.strerror or error}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, real)
    except OSError as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise NotWritten(f"cannot write it: {error.strerror or error}") from None
