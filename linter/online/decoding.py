"""Content-Encoding, decoded within the answer's size limit.

httpx decodes each read whole before the caller sees it, so a 2 MB gzip answer that inflates to
2 GB reaches a size check only after tens of megabytes have been made, per read. Here the raw
bytes are decoded by the client itself, and no stage of decoding may produce more than the
limit: zlib's ``max_length`` stops inflating one byte past it.

Only what the client asks for (``Accept-Encoding: gzip``) and its close kin are decoded:
``gzip``/``x-gzip``, ``deflate`` and ``identity``, in any stacking. Anything else (``br``,
``zstd``, ``compress``) is an answer the client cannot read, and says so.
"""

from __future__ import annotations

import zlib

ACCEPT_ENCODING = "gzip"
# zlib's window bits: 16 + 15 reads a gzip member; 15 a zlib-wrapped deflate stream.
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class TooLarge(Exception):
    """The answer, decoded, is larger than the limit."""


class UnknownEncoding(Exception):
    """The answer is in a Content-Encoding the client does not decode (``args[0]`` names it)."""


class BadEncoding(Exception):
    """The answer is not valid data of the encoding it names (``args[0]`` names it)."""


class BoundedDecoder:
    """Decode an answer chunk by chunk; raise :class:`TooLarge` as soon as any stage's output
    would pass ``limit`` bytes."""

    __slots__ = ("_stages", "_names", "_limit", "_made")

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        names = [n.strip().lower() for n in (content_encoding or "").split(",") if n.strip()]
        names = [n for n in names if n != "identity"]
        for name in names:
            if name not in _WBITS:
                raise UnknownEncoding(name)
        # Encodings are listed in the order they were applied: undo the last one first.
        self._names = list(reversed(names))
        self._stages = [zlib.decompressobj(_WBITS[name]) for name in self._names]
        self._limit = limit
        self._made = [0] * len(self._stages)

    @property
    def encoding(self) -> str:
        """The encodings being undone, as the answer named them ("" for none)."""
        return ", ".join(reversed(self._names))

    def feed(self, data: bytes) -> bytes:
        for index, stage in enumerate(self._stages):
            data = self._inflate(index, stage, data)
        return data

    def finish(self) -> bytes:
        """What the decoders still hold once the answer has ended."""
        data = b""
        for index, stage in enumerate(self._stages):
            if data:
                data = self._inflate(index, stage, data)
            try:
                tail = stage.flush()
            except zlib.error:
                raise BadEncoding(self._names[index]) from None
            data += self._count(index, tail)
        return data

    def _inflate(self, index: int, stage: zlib._Decompress, data: bytes) -> bytes:
        room = self._limit - self._made[index]
        try:
            out = stage.decompress(data, room + 1)  # one byte past the room tells "too large"
        except zlib.error:
            raise BadEncoding(self._names[index]) from None
        return self._count(index, out)

    def _count(self, index: int, out: bytes) -> bytes:
        self._made[index] += len(out)
        if self._made[index] > self._limit:
            raise TooLarge
        return out
