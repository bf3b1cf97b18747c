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


# The patterns by name, each compiled on the first use of that one: a run of valid references
# never needs the ones only the diagnosis of a wrong string uses.
_SOURCES = {
    # Groups: the name, its domain and path (as upstream's anchored name pattern splits it:
    # the first split in the same order, so the same), the tag, the digest.
    "reference": rf"((?:({_DOMAIN})/)?({_REMOTE}))(?::({_TAG}))?(?:@({_DIGEST}))?",
    "identifier": r"[a-f0-9]{64}",
    "go_digest": r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+",
    "scheme": r"[A-Za-z][A-Za-z0-9+.-]*://",
    "bad_separator": r"[._-]{2,}",
}


class Patterns:
    """The grammar, each pattern compiled on first use (start-up of a one-file run stays small).

    re.ASCII keeps \\w to [0-9A-Za-z_] as in Go; fullmatch() stands in for Go's anchors
    (Python's $ would also match before a trailing newline).
    """

    reference: re.Pattern[str]
    identifier: re.Pattern[str]
    go_digest: re.Pattern[str]
    scheme: re.Pattern[str]
    bad_separator: re.Pattern[str]

    def __getattr__(self, name: str) -> re.Pattern[str]:
        """Compile a pattern on its first use; it is then an instance attribute, found first."""
        source = _SOURCES.get(name)
        if source is None:
            raise AttributeError(name)
        pattern = self.__dict__[name] = re.compile(source, re.ASCII)
        return pattern


@functools.cache
def patterns() -> Patterns:
    return Patterns()
