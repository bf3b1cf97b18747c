"""Image references, parsed the way Kubernetes pulls them.

The grammar and normalization follow distribution/reference (``ParseNormalizedNamed``, which the
kubelet and containerd use) and go-digest's validation with sha256, sha384 and sha512 available.
``parse`` gives either a :class:`Reference` or an :class:`InvalidReference` that carries the
upstream error text (for agreement tests) and a reason in plain words with the offset of the
defect inside the string (for findings that point at a column; ``diagnosis`` finds it).
"""

from __future__ import annotations

import functools

from imagelint.core.frozen import ValueRecord, set_field
from imagelint.images.diagnosis import diagnose
from imagelint.images.grammar import (
    DIGEST_HEX_LENGTHS,
    MAX_PATH_LENGTH,
    MAX_REFERENCE_LENGTH,
    patterns,
)
from imagelint.images.refscan import Groups, match_reference

DEFAULT_DOMAIN = "docker.io"
LEGACY_DEFAULT_DOMAIN = "index.docker.io"
OFFICIAL_PREFIX = "library/"

# Upstream error texts (distribution/reference and go-digest).
ERR_NAME_EMPTY = "repository name must have at least one component"
ERR_INVALID_FORMAT = "invalid reference format"
ERR_UPPERCASE = "repository name must be lowercase"
ERR_NAME_TOO_LONG = "repository name must not be more than 255 characters"
ERR_DIGEST_FORMAT = "invalid checksum digest format"
ERR_DIGEST_LENGTH = "invalid checksum digest length"
ERR_DIGEST_UNSUPPORTED = "unsupported digest algorithm"


class Reference(ValueRecord):
    """A valid image reference, normalized as Kubernetes pulls it; equal to another of the same
    fields."""

    __slots__ = ("domain", "path", "tag", "digest", "domain_given")
    domain: str
    path: str
    tag: str | None
    digest: str | None
    domain_given: bool  # the string named its registry host (``docker.io/x`` counts)
    # ``domain`` is empty when Docker took the first component for a host but the grammar does
    # not allow it as one (``my_registry.io/app``): upstream accepts the string, no pull works.

    def __init__(
        self, domain: str, path: str, tag: str | None, digest: str | None, domain_given: bool
    ) -> None:
        set_field(self, "domain", domain)
        set_field(self, "path", path)
        set_field(self, "tag", tag)
        set_field(self, "digest", digest)
        set_field(self, "domain_given", domain_given)

    @property
    def name(self) -> str:
        return f"{self.domain}/{self.path}" if self.domain else self.path

    @property
    def pull_tag(self) -> str | None:
        """The tag the kubelet asks for: ``latest`` only when there is neither tag nor digest."""
        if self.tag is None and self.digest is None:
            return "latest"
        return self.tag

    @property
    def familiar_name(self) -> str:
        if self.domain != DEFAULT_DOMAIN:
            return self.name
        path = self.path
        if path.startswith(OFFICIAL_PREFIX) and "/" not in path[len(OFFICIAL_PREFIX) :]:
            return path[len(OFFICIAL_PREFIX) :]
        return path

    def docker_ref(self) -> str:
        """The form containerd resolves (``ParseDockerRef``): the digest wins over a tag."""
        if self.digest is not None:
            return f"{self.name}@{self.digest}"
        return f"{self.name}:{self.pull_tag}"

    def __str__(self) -> str:
        text = self.name
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


class InvalidReference(ValueRecord):
    """Why a string cannot be pulled: upstream's error text and a reason in plain words; equal
    to another of the same fields."""

    __slots__ = ("upstream", "reason", "offset")
    upstream: str
    reason: str
    offset: int  # index into the string where the defect is

    def __init__(self, upstream: str, reason: str, offset: int) -> None:
        set_field(self, "upstream", upstream)
        set_field(self, "reason", reason)
        set_field(self, "offset", offset)


class _Invalid(Exception):
    def __init__(self, upstream: str) -> None:
        super().__init__(upstream)
        self.upstream = upstream


@functools.lru_cache(maxsize=8192)
def parse(image: str) -> Reference | InvalidReference:
    """Parse ``image`` like ``ParseNormalizedNamed``; never raises."""
    if len(image) > MAX_REFERENCE_LENGTH:
        return InvalidReference(
            ERR_INVALID_FORMAT,
            f"image reference is {len(image):,} characters long; no registry accepts that",
            0,
        )
    try:
        return _parse_normalized(image)
    except _Invalid as error:
        reason, offset = diagnose(image)
        return InvalidReference(error.upstream, reason or error.upstream, offset)


def _go_lower(text: str) -> str:
    # Go's strings.ToLower maps rune by rune; Python's lower() has one multi-rune special case.
    return text.lower() if "\u0130" not in text else text.replace("\u0130", "i").lower()


def _split_docker_domain(name: str) -> tuple[str, str, bool]:
    slash = name.find("/")
    first = name[:slash]
    if slash == -1 or (
        "." not in first and ":" not in first and first != "localhost" and _go_lower(first) == first
    ):
        domain, remainder, given = DEFAULT_DOMAIN, name, False
    else:
        domain, remainder, given = first, name[slash + 1 :], True
    if domain == LEGACY_DEFAULT_DOMAIN:
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in remainder:
        remainder = OFFICIAL_PREFIX + remainder
    return domain, remainder, given


def _parse_normalized(image: str) -> Reference:
    # The length first: the pattern (64 hex digits) is then compiled only for a string it may
    # match, not on every run.
    if len(image) == 64 and patterns().identifier.fullmatch(image):
        raise _Invalid(
            f"invalid repository name ({image}), cannot specify 64-byte hexadecimal strings"
        )
    domain, remainder, given = _split_docker_domain(image)
    remote = remainder.split(":", 1)[0]
    if _go_lower(remote) != remote:
        raise _Invalid(f"invalid reference format: repository name ({remote}) must be lowercase")
    return _parse(f"{domain}/{remainder}", given)


def _parse(text: str, domain_given: bool) -> Reference:
    """distribution/reference ``Parse`` (v0.6.0 and later: the length limit is on the path)."""
    if text == "":
        raise _Invalid(ERR_NAME_EMPTY)
    groups = _match(text)
    if groups is None:
        lowered = _go_lower(text)
        if lowered != text and _match(lowered) is not None:
            raise _Invalid(ERR_UPPERCASE)
        raise _Invalid(ERR_INVALID_FORMAT)
    domain, path, tag, digest = groups
    if len(path) > MAX_PATH_LENGTH:
        raise _Invalid(ERR_NAME_TOO_LONG)
    if digest is not None:
        _validate_digest(digest)
    return Reference(domain or "", path, tag, digest, domain_given)


# How the reference pattern is matched: by string operations (refscan) for the first strings of
# a run, which spares the one-file run compiling the pattern (about as long as the rest of its
# own work); by the compiled pattern after, four times faster a string, for runs of thousands
# of distinct images. Both give the same groups (tests/test_refscan.py).
SCANS_BEFORE_PATTERN = 32
_scanned = 0


def _match(text: str) -> Groups | None:
    global _scanned
    if _scanned < SCANS_BEFORE_PATTERN:
        _scanned += 1
        return match_reference(text)
    match = patterns().reference.fullmatch(text)
    if match is None:
        return None
    _, domain, path, tag, digest = match.groups()
    return domain, path, tag, digest


def _validate_digest(digest: str) -> None:
    """go-digest ``Digest.Validate`` with sha256, sha384 and sha512 available."""
    colon = digest.find(":")
    if colon <= 0 or colon + 1 == len(digest):
        raise _Invalid(ERR_DIGEST_FORMAT)
    algorithm, encoded = digest[:colon], digest[colon + 1 :]
    length = DIGEST_HEX_LENGTHS.get(algorithm)
    if length is None:
        if not patterns().go_digest.fullmatch(digest):
            raise _Invalid(ERR_DIGEST_FORMAT)
        raise _Invalid(ERR_DIGEST_UNSUPPORTED)
    if len(encoded) != length:
        raise _Invalid(ERR_DIGEST_LENGTH)
    if encoded.strip(_LOWER_HEX):  # the length is right: every character must be 0-9 a-f
        raise _Invalid(ERR_DIGEST_FORMAT)


_LOWER_HEX = "0123456789abcdef"
