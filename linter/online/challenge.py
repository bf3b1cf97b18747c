"""``WWW-Authenticate`` challenges (RFC 7235), parsed without tripping on real registries:
several challenges in one header (Quay sends Basic and Bearer together), quoted values with
commas (scopes list several actions), missing ``service`` (Artifact Registry), any case."""

from __future__ import annotations

import re
from typing import NamedTuple

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_PARAM = re.compile(rf'\s*({_TOKEN})\s*=\s*("(?:[^"\\]|\\.)*"|{_TOKEN})\s*(,|$)')
_SCHEME = re.compile(rf"\s*({_TOKEN})(?:\s+|$)")


class Challenge(NamedTuple):
    scheme: str  # lowercase: "basic", "bearer"
    params: dict[str, str]  # parameter names lowercased

    @property
    def realm(self) -> str | None:
        return self.params.get("realm")


def parse(header: str) -> list[Challenge]:
    """Every challenge of a header value, in order."""
    challenges: list[Challenge] = []
    position = 0
    while position < len(header):
        while position < len(header) and header[position] in " ,\t":
            position += 1
        scheme = _SCHEME.match(header, position)
        if scheme is None:
            break
        position = scheme.end()
        params: dict[str, str] = {}
        while position < len(header):
            param = _PARAM.match(header, position)
            if param is None:
                break
            name, value = param.group(1).lower(), param.group(2)
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            params[name] = value
            position = param.end()
            # A new challenge starts where a token is not followed by '='.
            following = _SCHEME.match(header, position)
            if following and not re.match(rf"\s*{_TOKEN}\s*=", header[position:]):
                break
        challenges.append(Challenge(scheme.group(1).lower(), params))
    return challenges


def find(challenges: list[Challenge], scheme: str) -> Challenge | None:
    return next((c for c in challenges if c.scheme == scheme), None)
