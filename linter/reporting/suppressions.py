"""Inline suppressions, read from a file's comments and from object annotations.

- ``# imagelint: disable=rule-name[,other]`` at the end of a line covers that line; alone on its
  line it covers the next line that is neither blank nor a comment; without ``=rules`` it
  covers every rule.
- ``# imagelint: disable-file`` or ``# imagelint: disable-file=rules`` anywhere covers the file.
- The annotation ``imagelint.io/disable: "rule-a,rule-b"`` on an object covers that object.

Rules are named by name, code or code prefix, as everywhere else.
"""

from __future__ import annotations

import re

from imagelint.core.frozen import ValueRecord, set_field
from imagelint.core.model import ObjectId, Site
from imagelint.reading.textlines import yaml_lines

ANNOTATION = "imagelint.io/disable"
_DIRECTIVE = (
    r"(?:^|[ \t])#[ \t]*imagelint:[ \t]*(disable-file|disable)\b(?:[ \t]*=[ \t]*([^#\r\n]*))?"
)


class Suppression(ValueRecord):
    """One suppression as written: which rules (empty: all), what it covers, where it is."""

    __slots__ = ("scope", "tokens", "site", "line", "object")
    scope: str  # "line", "file" or "object"
    tokens: tuple[str, ...]
    site: Site  # where the comment (or annotation value) is
    line: int  # the line covered, for scope "line"
    object: ObjectId | None  # the object covered, for scope "object"

    def __init__(
        self,
        scope: str,
        tokens: tuple[str, ...],
        site: Site,
        line: int = 0,
        object: ObjectId | None = None,
    ) -> None:
        set_field(self, "scope", scope)
        set_field(self, "tokens", tokens)
        set_field(self, "site", site)
        set_field(self, "line", line)
        set_field(self, "object", object)


def split_tokens(text: str) -> tuple[str, ...]:
    return tuple(token.strip() for token in text.split(",") if token.strip())


def from_comments(path: str, text: str) -> list[Suppression]:
    """The comment suppressions of a file's text (cheap when there are none)."""
    if "imagelint:" not in text:
        return []
    lines = yaml_lines(text)
    found = []
    following: list[int] | None = None  # for each line, the next line with content
    for index, line in enumerate(lines):
        if "imagelint:" not in line:
            continue
        match = re.search(_DIRECTIVE, line)  # compiled (and cached by re) only when used
        if match is None:
            continue
        kind, rules = match.group(1), match.group(2) or ""
        column = line.index("#", match.start()) + 1
        site = Site(path, index + 1, column, False)
        tokens = split_tokens(rules)
        if kind == "disable-file":
            found.append(Suppression("file", tokens, site))
            continue
        target = index + 1
        if line.lstrip().startswith("#"):  # alone on its line: the next line with content
            if following is None:
                following = _next_content(lines)
            after = following[index + 1] if index + 1 < len(lines) else -1
            target = after + 1 if after >= 0 else index + 1
        found.append(Suppression("line", tokens, site, target))
    return found


def _next_content(lines: list[str]) -> list[int]:
    """For each line, the index of the first line with content from it on (-1: none)."""
    result = [-1] * len(lines)
    upcoming = -1
    for index in range(len(lines) - 1, -1, -1):
        if _is_content(lines[index]):
            upcoming = index
        result[index] = upcoming
    return result


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")
