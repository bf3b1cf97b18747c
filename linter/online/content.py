"""What an image offers, for the platform and size rules: the platforms of an index (or of one
image) and the compressed size of each platform a pod needs.

Manifests are summarised as they are read (``children`` of an index: platform and digest;
one image: its ``platform`` and ``size``), once a run and, by digest, for good in the disk
cache. :func:`content_of` turns summaries into :class:`Content`, whichever way they are fetched:
from the registry (:class:`ManifestReader`) or from the disk cache alone
(:func:`cached_content`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from imagelint.online.answers import Content, Platform
from imagelint.online.client import MEDIA_TYPES, Auth, Registry
from imagelint.online.diskcache import OnlineCache
from imagelint.online.errors import Oversized, RateLimited, Unreachable
from imagelint.online.questions import Question
from imagelint.online.transport import Reply

INDEX_TYPES = frozenset(MEDIA_TYPES[0::2])  # OCI index, Docker manifest list
SCHEMA1_TYPES = frozenset(
    {
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
        "application/vnd.docker.distribution.manifest.v1+json",
    }
)

# What a manifest says: {"children": [[platform, digest], ...]} for an index, else an image's
# {"platform": "linux/arm64/v8", "size": bytes} (either may be missing).
Summary = dict[str, Any]
SummaryOf = Callable[[str], Summary | None]


def content_of(
    summary_of: SummaryOf, reference: str, platforms: Iterable[Platform]
) -> Content | None:
    """The content of the manifest at ``reference``, with the size of each of ``platforms``
    an index offers. ``summary_of`` fetches a summary by tag or digest: None when the top
    manifest has none means no content; a child without one has no size. Whatever it raises
    goes to the caller."""
    manifest = summary_of(reference)
    if manifest is None:
        return None
    if "children" not in manifest:
        platform, size = manifest.get("platform"), manifest.get("size")
        own = (Platform.parse(platform),) if isinstance(platform, str) and platform else ()
        return Content(own, False, tuple((p, size) for p in own if isinstance(size, int)))
    children = [(Platform.parse(p), d) for p, d in manifest["children"]]
    sizes: list[tuple[Platform, int]] = []
    for wanted in platforms:
        child = next((d for p, d in children if wanted.satisfied_by(p)), None)
        if child is None:
            continue
        image = summary_of(child)
        if image is not None and isinstance(image.get("size"), int):
            sizes.append((wanted, image["size"]))
    return Content(tuple(p for p, _ in children), True, tuple(sizes))


class _NotCached(Exception):
    """A summary the disk cache does not hold."""


def cached_content(cache: OnlineCache, question: Question, digest: str) -> Content | None:
    """The content of ``digest`` from the disk cache alone; None when any summary it needs is
    missing, so that the question is asked again."""
    prefix = f"{question.domain}/{question.repository}@"

    def summary_of(reference: str) -> Summary:
        summary = cache.content(prefix + reference)
        if summary is None:
            raise _NotCached(reference)
        return summary

    try:
        return content_of(summary_of, digest, question.platforms)
    except _NotCached:
        return None


class ManifestReader:
    """Reads manifests (and the config blob of an image, for its platform) from a registry,
    each digest once a run, and keeps their summaries in the disk cache."""

    def __init__(self, client: Registry, cache: OnlineCache | None) -> None:
        self.client = client
        self.cache = cache
        self._read: dict[str, Summary] = {}  # summaries read this run, by repository@digest

    def content(self, question: Question, reference: str, auth: Auth | None) -> Content | None:
        """The content of ``reference``; None when the registry did not answer. Raises
        :class:`Oversized` for a manifest or config past its limit (no runtime pulls it)."""
        try:
            return content_of(
                lambda child: self.summary(question, child, auth), reference, question.platforms
            )
        except Oversized:
            raise
        except (Unreachable, RateLimited):
            return None

    def summary(self, question: Question, reference: str, auth: Auth | None) -> Summary | None:
        """What a manifest says, from the cache when the digest is known, else read and
        remembered."""
        key = f"{question.domain}/{question.repository}@{reference}"
        known = reference.startswith("sha256:")
        if known and key in self._read:
            return self._read[key]
        if known and self.cache is not None:
            cached = self.cache.content(key)
            if cached is not None:
                return cached
        reply = self.client.manifest(
            question.domain, question.repository, reference, auth, method="GET"
        )
        document = json_object(reply)
        if document is None:
            return None
        media_type = document.get("mediaType") or reply.headers.get("content-type", "")
        media_type = media_type.split(";")[0].strip()
        summary = self._summarise(question, document, media_type, auth)
        digest = reference if known else reply.headers.get("docker-content-digest")
        if summary is not None and digest:
            name = f"{question.domain}/{question.repository}@{digest}"
            self._read[name] = summary  # several tags of one image: read once a run
            if self.cache is not None:
                self.cache.remember_content(name, summary)
        return summary

    def _summarise(
        self, question: Question, document: dict[str, Any], media_type: str, auth: Auth | None
    ) -> Summary | None:
        if media_type in INDEX_TYPES or "manifests" in document:
            children = []
            for item in document.get("manifests") or ():
                if not isinstance(item, dict) or not isinstance(item.get("digest"), str):
                    continue
                platform = item.get("platform")
                if not isinstance(platform, dict):
                    platform = {}
                os_, arch = platform.get("os"), platform.get("architecture")
                if not os_ or not arch or "unknown" in (os_, arch):
                    continue  # attestations and other non-images
                variant = platform.get("variant") or ""
                children.append([str(Platform(str(os_), str(arch), str(variant))), item["digest"]])
            return {"children": children}
        if media_type in SCHEMA1_TYPES:
            arch = document.get("architecture")
            return {"platform": f"linux/{arch}"} if isinstance(arch, str) and arch else {}
        config = document.get("config")
        layers = document.get("layers")
        if not isinstance(config, dict) or not isinstance(layers, list):
            return None
        sizes = [config.get("size")] + [
            layer.get("size") for layer in layers if isinstance(layer, dict)
        ]
        summary: Summary = {}
        if all(isinstance(size, int) and size >= 0 for size in sizes):
            summary["size"] = sum(sizes)
        platform = self._config_platform(question, config.get("digest"), auth)
        if platform:
            summary["platform"] = platform
        return summary

    def _config_platform(self, question: Question, digest: Any, auth: Auth | None) -> str | None:
        if not isinstance(digest, str):
            return None
        reply = self.client.blob(question.domain, question.repository, digest, auth)
        config = json_object(reply)
        if config is None:
            return None
        os_, arch = config.get("os"), config.get("architecture")
        if not isinstance(os_, str) or not isinstance(arch, str) or not os_ or not arch:
            return None
        variant = config.get("variant") if isinstance(config.get("variant"), str) else ""
        return str(Platform(os_, arch, variant or ""))


def json_object(reply: Reply, status: int = 200) -> dict[str, Any] | None:
    """The JSON object a reply of this status carries, if it is one."""
    if reply.status != status:
        return None
    try:
        document = json.loads(reply.body)
    except ValueError:  # UnicodeDecodeError included
        return None
    return document if isinstance(document, dict) else None
