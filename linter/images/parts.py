"""An image string cut into host, path, tag and digest the lenient way, valid or not, for
messages and suggested fixes that rebuild the string with a part changed."""

from __future__ import annotations

import functools

from imagelint.core.frozen import ValueRecord, set_field


class Parts(ValueRecord):
    """An image string cut where a person would cut it, valid or not, with offsets.

    The first component is the registry host when it has a '.' or ':', is ``localhost`` or is
    bracketed; an uppercase first component (``MyCompany/api``) is taken as part of the path,
    as its author meant, not as a host as Docker reads it.
    """

    __slots__ = ("host", "path", "path_at", "tag", "tag_at", "digest", "digest_at")
    host: str | None
    path: str
    path_at: int
    tag: str | None
    tag_at: int
    digest: str | None
    digest_at: int

    def __init__(
        self,
        host: str | None,
        path: str,
        path_at: int,
        tag: str | None,
        tag_at: int,
        digest: str | None,
        digest_at: int,
    ) -> None:
        set_field(self, "host", host)
        set_field(self, "path", path)
        set_field(self, "path_at", path_at)
        set_field(self, "tag", tag)
        set_field(self, "tag_at", tag_at)
        set_field(self, "digest", digest)
        set_field(self, "digest_at", digest_at)

    def join(self, host: str | None = None, path: str | None = None, tag: str | None = None) -> str:
        """The string with some parts replaced (None keeps a part as it is)."""
        host = self.host if host is None else host
        text = f"{host}/" if host is not None else ""
        text += self.path if path is None else path
        tag = self.tag if tag is None else tag
        if tag is not None:
            text += f":{tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


@functools.lru_cache(maxsize=8192)
def split(image: str) -> Parts:
    at = image.find("@")
    name_tag, digest = (image, None) if at == -1 else (image[:at], image[at + 1 :])
    colon = name_tag.find(":", name_tag.rfind("/") + 1)
    name, tag = (name_tag, None) if colon == -1 else (name_tag[:colon], name_tag[colon + 1 :])
    slash = name.find("/")
    first = name[:slash]
    if slash != -1 and (
        "." in first or ":" in first or first == "localhost" or first.startswith("[")
    ):
        host, path, path_at = first, name[slash + 1 :], slash + 1
    else:
        host, path, path_at = None, name, 0
    return Parts(host, path, path_at, tag, colon + 1, digest, at + 1)
