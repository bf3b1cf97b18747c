"""The grammar of image references: distribution/reference's regular expressions and limits,
and go-digest's digest lengths (sha256, sha384 and sha512 available).

Shared by the parser (``reference``) and by the plain-words diagnosis of what a string gets
wrong (``diagnosis``).
"""

from __future__ import annotations

import functools
import re

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


class Patterns:
    """The grammar, compiled on first use (start-up of a one-file run stays small).

    re.ASCII keeps \\w to [0-9A-Za-z_] as in Go; fullmatch() stands in for Go's anchors
    (Python's $ would also match before a trailing newline).
    """

    __slots__ = (
        "reference",
        "anchored_name",
        "identifier",
        "go_digest",
        "scheme",
        "bad_separator",
    )

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
def patterns() -> Patterns:
    return Patterns()
