"""A registry credential from a pull secret: a value that never shows."""

from __future__ import annotations

from typing import Any


class Credential:
    """A user name and password from a pull secret, for talking to registries. Its text never
    shows: repr() and str() are redacted, and it is kept out of every message and log."""

    __slots__ = ("username", "password")

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self.password = password

    def __repr__(self) -> str:
        return "Credential(<redacted>)"

    __str__ = __repr__

    def __reduce__(self) -> tuple[Any, ...]:  # picklable between processes, never printable
        return (Credential, (self.username, self.password))
