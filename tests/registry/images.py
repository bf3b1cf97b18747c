"""Deterministic image content for the test registries: blobs, manifests, indexes.

Nothing here talks to a network. Layers are gzip members of an exact, requested size whose
payload is pseudo-random (incompressible) bytes derived from a seed string, so the same
arguments always give the same digests. They are not tar archives: a registry never looks
inside a layer, and an image checker only reads the sizes and digests in the manifest.
"""

from __future__ import annotations

import hashlib
import json
import random
import struct
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"

#: The Accept header a checker must send: without it, distribution 2.8 answers 404 for OCI
#: content and silently converts Docker schema 2 to schema 1 (another digest).
ACCEPT_ALL = ", ".join((OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST))

#: push(kind=...) values and the media type of the top-level manifest each one stores.
KINDS = {
    "docker": DOCKER_MANIFEST,
    "oci": OCI_MANIFEST,
    "index": OCI_INDEX,
    "docker-list": DOCKER_LIST,
}
DEFAULT_PLATFORMS = ("linux/amd64", "linux/arm64")

_GZIP_OVERHEAD = 18  # 10-byte header + CRC32 + ISIZE
MIN_LAYER_SIZE = 32


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical_json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Blob:
    media_type: str
    data: bytes = field(repr=False)

    @property
    def digest(self) -> str:
        return sha256_digest(self.data)

    @property
    def size(self) -> int:
        return len(self.data)

    def descriptor(self) -> dict:
        return {"mediaType": self.media_type, "size": self.size, "digest": self.digest}


def _raw_deflate_stored(payload: bytes) -> bytes:
    compressor = zlib.compressobj(0, zlib.DEFLATED, -15)
    return compressor.compress(payload) + compressor.flush()


def gzip_layer(size: int, seed: str) -> tuple[bytes, bytes]:
    """Return ``(blob, payload)``: a valid gzip member of exactly ``size`` bytes.

    The payload is incompressible, stored in deflate "stored" blocks; the last few bytes of
    slack go into the gzip FNAME header field. ``gzip.decompress(blob) == payload``.
    """
    if size < MIN_LAYER_SIZE:
        raise ValueError(f"layer_size must be at least {MIN_LAYER_SIZE} bytes, not {size}")
    pool = random.Random(seed).randbytes(size)
    n = max(0, size - 64)
    for _ in range(64):
        deflated = _raw_deflate_stored(pool[:n])
        slack = size - _GZIP_OVERHEAD - len(deflated)
        if slack == 0 or 2 <= slack <= 48:
            break
        n = max(0, n + slack - 8)  # aim for a few bytes of slack, then settle
    else:  # pragma: no cover - the loop converges in 2-3 steps
        raise RuntimeError(f"cannot build a gzip layer of {size} bytes")
    payload = pool[:n]
    flags = 0x08 if slack else 0x00  # FNAME
    header = b"\x1f\x8b\x08" + bytes([flags]) + b"\x00\x00\x00\x00" + b"\x00\xff"
    name = (b"l" * (slack - 1) + b"\x00") if slack else b""
    trailer = struct.pack("<II", zlib.crc32(payload), n & 0xFFFFFFFF)
    blob = header + name + deflated + trailer
    assert len(blob) == size
    return blob, payload


@dataclass(frozen=True)
class Platform:
    os: str
    architecture: str
    variant: str | None = None

    @classmethod
    def parse(cls, text: str) -> Platform:
        parts = text.split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f"platform must look like os/arch[/variant], not {text!r}")
        return cls(*parts)

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)

    def as_json(self) -> dict:
        data = {"architecture": self.architecture, "os": self.os}
        if self.variant:
            data["variant"] = self.variant
        return data


@dataclass(frozen=True)
class ImageManifest:
    """One single-platform image, ready to upload (blobs first, then ``body``)."""

    media_type: str
    body: bytes = field(repr=False)
    platform: Platform
    config: Blob
    layers: tuple[Blob, ...]

    @property
    def digest(self) -> str:
        return sha256_digest(self.body)

    @property
    def size(self) -> int:
        return len(self.body)

    @property
    def layers_size(self) -> int:
        """Sum of the compressed layer sizes: what a pull downloads (config excluded)."""
        return sum(layer.size for layer in self.layers)

    def descriptor(self) -> dict:
        return {"mediaType": self.media_type, "size": self.size, "digest": self.digest}


def build_image(
    family: str,
    platform: Platform,
    layer_sizes: Sequence[int],
    seed: str,
    config: Mapping | None = None,
) -> ImageManifest:
    """A Docker schema 2 (``family="docker"``) or OCI (``"oci"``) image manifest."""
    if family == "docker":
        manifest_type, config_type, layer_type = DOCKER_MANIFEST, DOCKER_CONFIG, DOCKER_LAYER
    elif family == "oci":
        manifest_type, config_type, layer_type = OCI_MANIFEST, OCI_CONFIG, OCI_LAYER
    else:
        raise ValueError(f"unknown image family {family!r}")
    if not layer_sizes:
        raise ValueError("an image needs at least one layer")
    layers, diff_ids = [], []
    for i, size in enumerate(layer_sizes):
        data, payload = gzip_layer(size, f"{seed}|{platform}|layer{i}|{size}")
        layers.append(Blob(layer_type, data))
        diff_ids.append(sha256_digest(payload))
    image_config = {
        "created": "1970-01-01T00:00:00Z",
        **platform.as_json(),
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        # A history entry per layer: distribution converts schema 2 to schema 1 for clients
        # without a schema 2 Accept, and fails with MANIFEST_INVALID on an empty history.
        "history": [
            {"created": "1970-01-01T00:00:00Z", "created_by": f"imagelint-test layer {i}"}
            for i in range(len(layers))
        ],
    }
    if config:
        image_config.update(config)
    config_blob = Blob(config_type, canonical_json(image_config))
    manifest = {
        "schemaVersion": 2,
        "mediaType": manifest_type,
        "config": config_blob.descriptor(),
        "layers": [layer.descriptor() for layer in layers],
    }
    return ImageManifest(
        manifest_type, canonical_json(manifest), platform, config_blob, tuple(layers)
    )


def build_index(media_type: str, children: Iterable[ImageManifest]) -> bytes:
    """An OCI image index or a Docker manifest list over already built children."""
    entries = [{**child.descriptor(), "platform": child.platform.as_json()} for child in children]
    return canonical_json({"schemaVersion": 2, "mediaType": media_type, "manifests": entries})


@dataclass(frozen=True)
class PlatformImage:
    """What push() stored for one platform."""

    platform: str
    digest: str
    media_type: str
    size: int
    layers_size: int
    layer_sizes: tuple[int, ...]
    layer_digests: tuple[str, ...]
    config_digest: str


@dataclass(frozen=True)
class PushResult:
    """What push() stored. ``digest`` is the tag's manifest (the index for multi-platform kinds).

    ``layers_size`` is the total compressed layer size: of the single image, or summed over
    all children for an index (use ``platforms[...]`` for one platform's size).
    """

    registry: str  # host:port
    repo: str
    tag: str
    kind: str
    digest: str
    media_type: str
    size: int
    layers_size: int
    platforms: dict[str, PlatformImage]

    @property
    def image(self) -> str:
        """``host:port/repo:tag``, as it would appear in a pod spec."""
        return f"{self.registry}/{self.repo}:{self.tag}"

    @property
    def pinned(self) -> str:
        """``host:port/repo@sha256:...``."""
        return f"{self.registry}/{self.repo}@{self.digest}"


def platform_image(image: ImageManifest) -> PlatformImage:
    return PlatformImage(
        platform=str(image.platform),
        digest=image.digest,
        media_type=image.media_type,
        size=image.size,
        layers_size=image.layers_size,
        layer_sizes=tuple(layer.size for layer in image.layers),
        layer_digests=tuple(layer.digest for layer in image.layers),
        config_digest=image.config.digest,
    )
