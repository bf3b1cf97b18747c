"""distribution/reference's anchored reference pattern, matched by hand.

``grammar`` keeps the regular expressions as upstream writes them; compiling the reference
pattern costs about as much as the rest of a one-file run's own work, so the parser matches
a run's first strings here (``reference._match``). This module gives the same answer as
``grammar.patterns().reference.fullmatch(text).groups()[1:]`` (tests/test_refscan.py compares
the two on the reference vectors and on generated strings) with string operations only.

The pattern is ``((?:(DOMAIN)/)?(REMOTE))(?::(TAG))?(?:@(DIGEST))?``. Neither a domain nor a
path component holds ``/``, ``:`` is only in a domain's port or before the tag, ``@`` only
before the digest; so the string splits without backtracking: the digest after the first ``@``,
the domain before the first ``/`` (when it is a domain and the rest still matches: the
pattern tries the domain first), the tag after the last ``:`` of the rest.
"""

from __future__ import annotations

from imagelint.images.grammar import MAX_TAG_LENGTH

_LOWER_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_WORD = _ALNUM | {"_"}
_TAG_CHARS = _WORD | {".", "-"}
_HEX = frozenset("0123456789abcdefABCDEF")
_DIGITS = frozenset("0123456789")
_LOWER_ALPHA = frozenset("abcdefghijklmnopqrstuvwxyz")
_ALPHA = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ") | _LOWER_ALPHA

# (domain or None, path, tag or None, digest or None)
Groups = tuple[str | None, str, str | None, str | None]


def match_reference(text: str) -> Groups | None:
    """The groups of the reference pattern's full match of ``text`` (domain, path, tag,
    digest), or None when it does not match."""
    digest: str | None = None
    at = text.find("@")
    if at != -1:
        digest = text[at + 1 :]
        if not _is_digest(digest):
            return None
        text = text[:at]
    slash = text.find("/")
    if slash != -1 and _is_domain(text[:slash]):
        rest = _name_and_tag(text[slash + 1 :])
        if rest is not None:
            return text[:slash], rest[0], rest[1], digest
    rest = _name_and_tag(text)
    if rest is None:
        return None
    return None, rest[0], rest[1], digest


def _name_and_tag(text: str) -> tuple[str, str | None] | None:
    """REMOTE(:TAG)? matched whole: the path and the tag."""
    colon = text.rfind(":")
    tag: str | None = None
    if colon != -1:
        tag = text[colon + 1 :]
        if not _is_tag(tag):
            return None
        text = text[:colon]
    if not all(_is_component(part) for part in text.split("/")):
        return None
    return text, tag


def _is_component(part: str) -> bool:
    """``[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*``."""
    if not part or part[0] not in _LOWER_ALNUM or part[-1] not in _LOWER_ALNUM:
        return False
    separator = ""
    for char in part:
        if char in _LOWER_ALNUM:
            if separator:
                if separator not in (".", "_", "__") and separator.strip("-"):
                    return False
                separator = ""
        elif char in "._-":
            separator += char
        else:
            return False
    return True


def _is_tag(tag: str) -> bool:
    r"""``[\w][\w.-]{0,127}`` (ASCII)."""
    return (
        0 < len(tag) <= MAX_TAG_LENGTH
        and tag[0] in _WORD
        and all(char in _TAG_CHARS for char in tag)
    )


def _is_domain(domain: str) -> bool:
    """``(?:DOMAIN_NAME|IPV6)(?::[0-9]+)?``."""
    if domain.startswith("["):
        close = domain.find("]")
        if close == -1:
            return False
        inside, after = domain[1:close], domain[close + 1 :]
        if not inside or not all(char in _HEX or char == ":" for char in inside):
            return False
    else:
        colon = domain.find(":")
        name, after = (domain, "") if colon == -1 else (domain[:colon], domain[colon:])
        if not all(_is_domain_component(part) for part in name.split(".")):
            return False
    if not after:
        return True
    return after[0] == ":" and len(after) > 1 and all(char in _DIGITS for char in after[1:])


def _is_domain_component(part: str) -> bool:
    """``[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]``."""
    return (
        bool(part)
        and part[0] in _ALNUM
        and part[-1] in _ALNUM
        and all(char in _ALNUM or char == "-" for char in part)
    )


def _is_digest(digest: str) -> bool:
    """``[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}``."""
    algorithm, colon, encoded = digest.rpartition(":")
    if not colon or len(encoded) < 32 or not all(char in _HEX for char in encoded):
        return False
    word = ""  # the current word of the algorithm, after a separator
    for char in algorithm + "+":  # a separator at the end closes the last word
        if char in "-_+.":
            if not word or word[0] not in _ALPHA:
                return False
            word = ""
        elif char in _ALNUM:
            word += char
        else:
            return False
    return True
