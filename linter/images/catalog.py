"""The curated data the offline image rules compare against, shipped in ``imagelint/data``:
well-known Docker Hub repositories, public registry hosts, and deprecated registries (each with
a date and a source). Loaded on first use."""

from __future__ import annotations

import functools

from imagelint.core.frozen import FrozenRecord, set_field
from imagelint.data import read_text
from imagelint.images.similarity import NameIndex


def _lines(name: str) -> list[str]:
    text = read_text(name)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@functools.cache
def dockerhub_popular() -> frozenset[str]:
    """Familiar names (``nginx``, ``bitnami/redis``) of well-known Docker Hub repositories."""
    return frozenset(_lines("dockerhub-popular.txt"))


@functools.cache
def dockerhub_index() -> NameIndex:
    """The well-known Docker Hub names, indexed for near-miss lookups (built on first use)."""
    return NameIndex(dockerhub_popular())


@functools.cache
def _host_index() -> NameIndex:
    return NameIndex(registry_hosts())


@functools.cache
def _hosts() -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    """The exact host names, and the globs (``*.pkg.dev``) split at their stars."""
    lines = _lines("registry-hosts.txt")
    exact = frozenset(h for h in lines if "*" not in h)
    return exact, tuple(tuple(h.split("*")) for h in lines if "*" in h)


def glob_matches(text: str, pieces: tuple[str, ...]) -> bool:
    """Whether ``text`` matches a glob whose only wildcard is ``*`` (``pieces``: the glob split at
    its stars), as ``fnmatch.fnmatchcase`` answers: the first piece at the start, the last at the
    end, the others in order between. Done by hand: fnmatch translates each glob into a regular
    expression and compiles it, which costs a one-file run more than its checks."""
    first, last = pieces[0], pieces[-1]
    end = len(text) - len(last)
    if end < len(first) or not text.startswith(first) or not text.endswith(last):
        return False
    at = len(first)
    for piece in pieces[1:-1]:
        at = text.find(piece, at, end)
        if at == -1:
            return False
        at += len(piece)
    return True


def registry_hosts() -> frozenset[str]:
    """Exact names of well-known public registry hosts."""
    return _hosts()[0]


@functools.lru_cache(maxsize=4096)
def is_known_host(host: str) -> bool:
    """A well-known public registry host, exact or by family (``*.pkg.dev``)."""
    host = host.lower().split(":", 1)[0] if not host.startswith("[") else host
    exact, globs = _hosts()
    return host in exact or any(glob_matches(host, glob) for glob in globs)


@functools.lru_cache(maxsize=4096)
def host_typo_of(host: str) -> str | None:
    """The well-known registry host that ``host`` (not itself known) is a near miss of."""
    if is_known_host(host):
        return None
    return _host_index().nearest(host.split(":", 1)[0].lower())


class Deprecation(FrozenRecord):
    """One deprecated registry (a line of ``deprecated-registries.tsv``)."""

    __slots__ = ("prefix", "status", "date", "event", "replacement", "note", "source", "rewrite")
    prefix: str  # host or host/path, matched on '/' boundaries
    status: str  # what happened: frozen, shut down, moved, ...
    date: str  # when, YYYY-MM-DD
    event: str  # what it means for a pull, in words for the message
    replacement: str
    note: str
    source: str
    rewrite: str | None  # path-for-path replacement of the prefix, when there is one

    def __init__(
        self,
        prefix: str,
        status: str,
        date: str,
        event: str,
        replacement: str,
        note: str,
        source: str,
        rewrite: str | None,
    ) -> None:
        set_field(self, "prefix", prefix)
        set_field(self, "status", status)
        set_field(self, "date", date)
        set_field(self, "event", event)
        set_field(self, "replacement", replacement)
        set_field(self, "note", note)
        set_field(self, "source", source)
        set_field(self, "rewrite", rewrite)

    def matches(self, name: str) -> bool:
        return name == self.prefix or name.startswith(self.prefix + "/")


@functools.cache
def deprecations() -> tuple[Deprecation, ...]:
    """Deprecated registries, most specific prefix first."""
    lines = _lines("deprecated-registries.tsv")
    header = lines[0].split("\t")
    entries = []
    for line in lines[1:]:
        entry = dict(zip(header, line.split("\t"), strict=True))
        rewrite = entry.pop("rewrite")
        entries.append(Deprecation(**entry, rewrite=None if rewrite == "-" else rewrite))
    return tuple(sorted(entries, key=lambda e: len(e.prefix), reverse=True))


@functools.lru_cache(maxsize=4096)
def deprecation_for(name: str) -> Deprecation | None:
    """The entry for a normalized image name (``docker.io/bitnami/redis``), if any."""
    return next((entry for entry in deprecations() if entry.matches(name)), None)
