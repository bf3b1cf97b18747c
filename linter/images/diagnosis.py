"""Why a string is not a valid image reference, in plain words, and where in the string.

The parser (``reference``) gives upstream's error text, which says little ("invalid reference
format"); :func:`diagnose` names the first defect from left to right instead, with its offset,
so a finding can point at the column.
"""

from __future__ import annotations

from imagelint.images.grammar import DIGEST_HEX_LENGTHS, MAX_PATH_LENGTH, MAX_TAG_LENGTH, patterns

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
    scheme = patterns().scheme.match(image)
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
    if patterns().identifier.fullmatch(image):
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


def repaired(image: str) -> str | None:
    """The image without what surrounds a reference by mistake, when that is all that differs:
    whitespace around it, and an ``https://`` or ``http://`` prefix (copied from a browser).
    None when there is nothing of the kind to remove. (The result may still be invalid for
    other reasons, which their own rules report.)"""
    text = image.strip()
    scheme = patterns().scheme.match(text)
    if scheme and scheme.group(0).lower() in ("https://", "http://"):
        text = text[scheme.end() :].strip()
    return text if text and text != image else None


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
    for match in patterns().bad_separator.finditer(component):
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
