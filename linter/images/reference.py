"""Image references, parsed the way Kubernetes pulls them.

The grammar and normalization follow distribution/reference (``ParseNormalizedNamed``, which the
kubelet and containerd use) and go-digest's validation with sha256, sha384 and sha512 available.
``parse`` gives either a :class:`Reference` or an :class:`InvalidReference` that carries the
upstream error text (for agreement tests) and a reason in plain words with the offset of the
defect inside the string (for findings that point at a column).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import NamedTuple

DEFAULT_DOMAIN = "docker.io"
LEGACY_DEFAULT_DOMAIN = "index.docker.io"
OFFICIAL_PREFIX = "library/"
MAX_PATH_LENGTH = 255
MAX_TAG_LENGTH = 128
# No valid reference comes near this; longer strings are refused before any regex runs.
MAX_REFERENCE_LENGTH = 4096
DIGEST_HEX_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_REMOTE = rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_NAME = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*"
_IPV6 = r"\[(?:[a-fA-F0-9:]+)\]"
_DOMAIN = rf"(?:{_DOMAIN_NAME}|{_IPV6})(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}"


class _Patterns:
    """The grammar, compiled on first use (start-up of a one-file run stays small).

    re.ASCII keeps \\w to [0-9A-Za-z_] as in Go; fullmatch() stands in for Go's anchors
    (Python's $ would also match before a trailing newline).
    """

    def __init__(self) -> None:
        self.reference = re.compile(
            rf"((?:{_DOMAIN}/)?{_REMOTE})(?::({_TAG}))?(?:@({_DIGEST}))?", re.ASCII
        )
        self.anchored_name = re.compile(rf"(?:({_DOMAIN})/)?({_REMOTE})", re.ASCII)
        self.identifier = re.compile(r"[a-f0-9]{64}", re.ASCII)
        self.go_digest = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+", re.ASCII)
        self.scheme = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://", re.ASCII)
        self.bad_separator = re.compile(r"[._-]{2,}", re.ASCII)


@functools.cache
def _patterns() -> _Patterns:
    return _Patterns()


# Upstream error texts (distribution/reference and go-digest).
ERR_NAME_EMPTY = "repository name must have at least one component"
ERR_INVALID_FORMAT = "invalid reference format"
ERR_UPPERCASE = "repository name must be lowercase"
ERR_NAME_TOO_LONG = "repository name must not be more than 255 characters"
ERR_DIGEST_FORMAT = "invalid checksum digest format"
ERR_DIGEST_LENGTH = "invalid checksum digest length"
ERR_DIGEST_UNSUPPORTED = "unsupported digest algorithm"


@dataclass(frozen=True, slots=True)
class Reference:
    """A valid image reference, normalized as Kubernetes pulls it."""

    domain: str
    path: str
    tag: str | None
    digest: str | None
    domain_given: bool  # the string named its registry host (``docker.io/x`` counts)
    # ``domain`` is empty when Docker took the first component for a host but the grammar does
    # not allow it as one (``my_registry.io/app``): upstream accepts the string, no pull works.

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


@dataclass(frozen=True, slots=True)
class InvalidReference:
    """Why a string cannot be pulled: upstream's error text and a reason in plain words."""

    upstream: str
    reason: str
    offset: int  # index into the string where the defect is


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
    if _patterns().identifier.fullmatch(image):
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
    match = _patterns().reference.fullmatch(text)
    if match is None:
        lowered = _go_lower(text)
        if lowered != text and _patterns().reference.fullmatch(lowered):
            raise _Invalid(ERR_UPPERCASE)
        raise _Invalid(ERR_INVALID_FORMAT)
    name, tag, digest = match.groups()
    name_match = _patterns().anchored_name.fullmatch(name)
    assert name_match is not None  # the reference pattern embeds the name pattern
    domain, path = name_match.groups()
    if len(path) > MAX_PATH_LENGTH:
        raise _Invalid(ERR_NAME_TOO_LONG)
    if digest is not None:
        _validate_digest(digest)
    return Reference(domain or "", path, tag, digest, domain_given)


def _validate_digest(digest: str) -> None:
    """go-digest ``Digest.Validate`` with sha256, sha384 and sha512 available."""
    colon = digest.find(":")
    if colon <= 0 or colon + 1 == len(digest):
        raise _Invalid(ERR_DIGEST_FORMAT)
    algorithm, encoded = digest[:colon], digest[colon + 1 :]
    length = DIGEST_HEX_LENGTHS.get(algorithm)
    if length is None:
        if not _patterns().go_digest.fullmatch(digest):
            raise _Invalid(ERR_DIGEST_FORMAT)
        raise _Invalid(ERR_DIGEST_UNSUPPORTED)
    if len(encoded) != length:
        raise _Invalid(ERR_DIGEST_LENGTH)
    if encoded.strip(_LOWER_HEX):  # the length is right: every character must be 0-9 a-f
        raise _Invalid(ERR_DIGEST_FORMAT)


_LOWER_HEX = "0123456789abcdef"


# --- plain-words diagnosis --------------------------------------------------------------------

_CHAR_NAMES = {
    " ": "a space",
    "\t": "a tab",
    "\n": "a line break",
    "\r": "a carriage return",
    "\u00a0": "a non-breaking space",
}


def _describe_char(char: str) -> str:
    if char in _CHAR_NAMES:
        return _CHAR_NAMES[char]
    if ord(char) < 32 or ord(char) == 127:
        return f"the control character U+{ord(char):04X}"
    if ord(char) > 126:
        return f"the non-ASCII character {char!r} (U+{ord(char):04X})"
    return repr(char)


def diagnose(image: str) -> tuple[str | None, int]:
    """Name the first defect of an invalid reference, left to right, and where it is.

    Only meaningful for strings that ``parse`` rejected; returns ``(None, 0)`` when no specific
    defect is recognised.
    """
    if image == "":
        return "the image is empty", 0
    stripped = image.strip()
    if stripped == "":
        return "the image is only whitespace", 0
    if image[0].isspace():
        return f"{_describe_char(image[0])} at the start", 0
    if image[-1].isspace():
        return f"whitespace at the end ({_describe_char(image[-1])})", len(image.rstrip())
    for index, char in enumerate(image):
        if char.isspace() or not (32 < ord(char) < 127):
            return f"it contains {_describe_char(char)}", index
    scheme = _patterns().scheme.match(image)
    if scheme and scheme.group(0) == "ko://":
        return (
            "ko:// is a ko build path, not an image: it becomes one only through 'ko resolve' "
            "or 'ko apply' (check their output instead)",
            0,
        )
    if scheme:
        return (
            f"an image reference has no URL scheme; remove {scheme.group(0)!r}",
            0,
        )
    if _patterns().identifier.fullmatch(image):
        return "a 64-character hex string is an image ID, not an image name", 0

    at = image.find("@")
    name_tag = image if at == -1 else image[:at]
    if at != -1:
        found = _diagnose_digest(image, at)
        if found:
            return found
    found = _diagnose_name_tag(name_tag)
    if found:
        return found
    return None, 0


def _diagnose_digest(image: str, at: int) -> tuple[str, int] | None:
    digest = image[at + 1 :]
    start = at + 1
    second = digest.find("@")
    if second != -1:
        return "it contains more than one '@'", start + second
    if digest == "":
        return "'@' must be followed by a digest such as sha256:<64 hex characters>", at
    colon = digest.find(":")
    if colon == -1:
        return (
            f"digest {digest!r} must have the form <algorithm>:<hex>, e.g. sha256:<64 hex characters>",
            start,
        )
    algorithm, encoded = digest[:colon], digest[colon + 1 :]
    hex_start = start + colon + 1
    if algorithm == "":
        return "the digest has no algorithm before ':' (e.g. sha256)", start
    if algorithm not in DIGEST_HEX_LENGTHS:
        if algorithm.lower() in DIGEST_HEX_LENGTHS:
            return f"digest algorithm {algorithm!r} must be lowercase", start
        return (
            f"unsupported digest algorithm {algorithm!r}; use sha256 (or sha384, sha512)",
            start,
        )
    if encoded == "":
        return f"digest {algorithm} has no hex characters after ':'", hex_start
    for index, char in enumerate(encoded):
        if char not in "0123456789abcdefABCDEF":
            return (
                f"digest contains {_describe_char(char)}, which is not a hex digit",
                hex_start + index,
            )
    expected = DIGEST_HEX_LENGTHS[algorithm]
    if len(encoded) != expected:
        return (
            f"digest {algorithm} needs {expected} hex characters, got {len(encoded)}",
            hex_start,
        )
    for index, char in enumerate(encoded):
        if char.isupper():
            return "digest hex must be lowercase", hex_start + index
    return None


def _diagnose_name_tag(name_tag: str) -> tuple[str, int] | None:
    if "/" not in name_tag and name_tag.startswith("["):
        return "a registry address must be followed by '/' and a repository path", 0
    first = name_tag.split("/", 1)[0]
    if "/" in name_tag and first.count(":") > 1 and not first.startswith("["):
        return "an IPv6 registry address must be in brackets, e.g. [fc00::1]:5000", 0
    last_slash = name_tag.rfind("/")
    colon = name_tag.find(":", last_slash + 1)
    name = name_tag if colon == -1 else name_tag[:colon]
    if colon != -1:
        tag = name_tag[colon + 1 :]
        start = colon + 1
        if name == "":
            return "the repository name is missing before ':'", 0
        if tag == "":
            return "':' must be followed by a tag", colon
        second = tag.find(":")
        if second == 0:
            return "a tag may not contain ':' (is the ':' doubled?)", start
        if second != -1:
            return "a tag may not contain ':'", start + second
        if tag[0] in ".-":
            return f"a tag may not start with {tag[0]!r}", start
        for index, char in enumerate(tag):
            if not (char.isascii() and (char.isalnum() or char in "_.-")):
                return f"a tag may not contain {_describe_char(char)}", start + index
        if len(tag) > MAX_TAG_LENGTH:
            return (
                f"the tag is {len(tag)} characters long; the limit is {MAX_TAG_LENGTH}",
                start + MAX_TAG_LENGTH,
            )
    if name == "":
        return "the repository name is missing", 0
    return _diagnose_name(name)


def _diagnose_name(name: str) -> tuple[str, int] | None:
    slash = name.find("/")
    path_start = 0
    if slash != -1:
        first = name[:slash]
        # Docker takes the first component as a registry host when it has '.' or ':' or is
        # localhost. An uppercase first component is also a host to Docker, but people who write
        # "MyCompany/api" mean a Docker Hub namespace, so it is diagnosed as part of the path.
        if "." in first or ":" in first or first == "localhost":
            found = _diagnose_domain(first)
            if found:
                return found
            path_start = slash + 1
    path = name[path_start:]
    if path == "":
        return "the repository path is missing after the registry host", len(name)
    offset = path_start
    for component in path.split("/"):
        found = _diagnose_path_component(component, offset)
        if found:
            return found
        offset += len(component) + 1
    if len(path) > MAX_PATH_LENGTH:
        return (
            f"the repository path is {len(path)} characters long; the limit is {MAX_PATH_LENGTH}",
            path_start + MAX_PATH_LENGTH,
        )
    return None


def _diagnose_path_component(component: str, offset: int) -> tuple[str, int] | None:
    if component == "":
        return "the repository path has an empty component ('//' or a trailing '/')", offset
    for index, char in enumerate(component):
        if char.isascii() and char.isupper():
            return (
                f"the repository path must be lowercase ({component!r})",
                offset + index,
            )
        if not (char.isascii() and (char.islower() or char.isdigit() or char in "._-")):
            return (
                f"the repository path may not contain {_describe_char(char)}",
                offset + index,
            )
    if component[0] in "._-":
        return f"a path component may not start with {component[0]!r}", offset
    if component[-1] in "._-":
        return f"a path component may not end with {component[-1]!r}", offset + len(component) - 1
    for match in _patterns().bad_separator.finditer(component):
        run = match.group(0)
        if set(run) == {"-"} or run == "__":
            continue
        return f"{run!r} is not allowed in a repository path", offset + match.start()
    return None


def _diagnose_domain(domain: str) -> tuple[str, int] | None:
    if domain.startswith("["):
        close = domain.find("]")
        if close == -1:
            return "the IPv6 registry address has no closing ']'", 0
        inner = domain[1:close]
        for index, char in enumerate(inner):
            if char == "%":
                return "an IPv6 zone ('%...') is not allowed in a registry address", 1 + index
            if char not in "0123456789abcdefABCDEF:":
                return (
                    f"the IPv6 registry address may not contain {_describe_char(char)}",
                    1 + index,
                )
        if inner == "":
            return "the IPv6 registry address is empty", 0
        host, rest, rest_start = domain[: close + 1], domain[close + 1 :], close + 1
        if rest and not rest.startswith(":"):
            return "':' and a port must follow the IPv6 registry address", rest_start
        port, port_start = (rest[1:], rest_start + 1) if rest else (None, 0)
    else:
        colon = domain.find(":")
        host = domain if colon == -1 else domain[:colon]
        port, port_start = (None, 0) if colon == -1 else (domain[colon + 1 :], colon + 1)
        if host == "":
            return "the registry host is missing before ':'", 0
        offset = 0
        for label in host.split("."):
            if label == "":
                return "the registry host has an empty label ('..' or a dot at an end)", offset
            for index, char in enumerate(label):
                if not (char.isascii() and (char.isalnum() or char == "-")):
                    return (
                        f"the registry host may not contain {_describe_char(char)}",
                        offset + index,
                    )
            if label[0] == "-":
                return "a registry host label may not start with '-'", offset
            if label[-1] == "-":
                return "a registry host label may not end with '-'", offset + len(label) - 1
            offset += len(label) + 1
    if port is not None:
        if port == "":
            return "':' after the registry host must be followed by a port", port_start - 1
        if not port.isascii() or not port.isdigit():
            return f"the registry port must be a number, got {port!r}", port_start
    return None


# --- lenient split ----------------------------------------------------------------------------


class Parts(NamedTuple):
    """An image string cut where a person would cut it, valid or not, with offsets.

    The first component is the registry host when it has a '.' or ':', is ``localhost`` or is
    bracketed; an uppercase first component (``MyCompany/api``) is taken as part of the path,
    as its author meant, not as a host as Docker reads it.
    """

    host: str | None
    path: str
    path_at: int
    tag: str | None
    tag_at: int
    digest: str | None
    digest_at: int

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
