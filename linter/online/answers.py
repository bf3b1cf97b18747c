"""What the registries said, as the online rules read it: one :class:`Answer` per question.

Plain data, no network: the checker fills :class:`Answers` in before the run rules, and the
rules turn answers into findings. Nothing here holds a credential, only where one came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from imagelint.core.model import ImageRecord, PodRecord

# Outcomes of asking for one image.
FOUND = "found"
TAG_MISSING = "tag-missing"  # the repository answered, the tag or digest is not in it
REPOSITORY_MISSING = "repository-missing"
HUB_UNKNOWN = "hub-unknown"  # Docker Hub's 401: missing repository or private without access
AUTH_REFUSED = "auth-refused"  # the credentials were rejected (wrong user name or password)
AUTH_REQUIRED = "auth-required"  # credentials demanded, none to give
DENIED = "denied"  # authenticated, but no pull access (insufficient_scope, 403)
UNREACHABLE = "unreachable"
RATE_LIMITED = "rate-limited"

AUTH_PROBLEMS = frozenset({AUTH_REFUSED, AUTH_REQUIRED, DENIED})


class Attempt(NamedTuple):
    """One credential tried, by where it came from (never what it is)."""

    source: str  # "pull secret default/regcred", "~/.docker/config.json"...; "" anonymous
    outcome: str  # one of AUTH_PROBLEMS, or HUB_UNKNOWN
    from_pod: bool  # what the pod itself would send (rather than the user's own login)


class Platform(NamedTuple):
    os: str
    architecture: str
    variant: str = ""

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)

    @classmethod
    def parse(cls, text: str) -> Platform:
        parts = [p.strip().lower() for p in text.split("/")]
        if len(parts) == 1:  # "arm64": Linux is implied
            parts.insert(0, "linux")
        return cls(parts[0], parts[1], parts[2] if len(parts) > 2 else "")

    def satisfied_by(self, offered: Platform) -> bool:
        if (self.os, normal_arch(self.architecture)) != (
            offered.os,
            normal_arch(offered.architecture),
        ):
            return False
        wanted = normal_variant(self.architecture, self.variant)
        return (
            not wanted
            or not offered.variant
            or wanted == normal_variant(offered.architecture, offered.variant)
        )


def normal_arch(architecture: str) -> str:
    return {"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64"}.get(
        architecture, architecture
    )


def normal_variant(architecture: str, variant: str) -> str:
    """containerd's defaults: arm64 is v8, arm without a variant is v7."""
    if normal_arch(architecture) == "arm64" and variant in ("", "v8"):
        return ""
    return variant


class Content(NamedTuple):
    """What a manifest says, for the platform and size rules (cached by digest, for good)."""

    platforms: tuple[Platform, ...]  # an index: what it offers; one image: its own
    # Whether it is an index; the name hides tuple.index, which nothing calls on this.
    index: bool  # type: ignore[assignment]  # the field's name, see above
    sizes: tuple[tuple[Platform, int], ...]  # compressed size (config + layers) per platform read


class Answer(NamedTuple):
    outcome: str
    registry: str  # the host asked, e.g. registry-1.docker.io
    reference: str  # the normalized reference asked for
    name: str = ""  # its repository, e.g. docker.io/library/nginx
    credential: str | None = None  # where the credential that got this answer came from
    credential_from_pod: bool = True  # a pull secret of the pod (or its anonymous pull)
    attempts: tuple[Attempt, ...] = ()  # credentials refused on the way
    detail: str = ""  # cause of a fault, rate-limit figures, the registry's words
    digest: str | None = None
    suggestions: tuple[str, ...] = ()  # nearest existing tags, for a missing tag
    tags_listed: bool = False  # whether the tag list could be read at all
    content: Content | None = None
    unknown_secrets: tuple[str, ...] = ()  # the pod's pull secrets imagelint could not read
    cached: bool = False


class Answers:
    """The answers of a run, found by image record."""

    def __init__(self) -> None:
        self._by_record: dict[int, Answer] = {}
        self.requests = 0  # HTTP requests made (the cache saved the others)
        self.questions = 0  # unique questions asked (of the registries or of the cache)

    def set(self, record: ImageRecord, answer: Answer) -> None:
        self._by_record[id(record)] = answer

    def get(self, record: ImageRecord) -> Answer | None:
        return self._by_record.get(id(record))


def required_platforms(
    pod: PodRecord | None, configured: list[str] | tuple[str, ...]
) -> tuple[tuple[Platform, ...], str]:
    """The platforms an image must offer for this pod, and why: the pod's own node selection on
    ``kubernetes.io/os`` and ``kubernetes.io/arch`` where it has one, else the configured
    ``platforms`` (the cluster's nodes). Every one of them: the pod may land on any."""
    defaults = tuple(Platform.parse(text) for text in configured) or (Platform("linux", "amd64"),)
    if pod is None or not (pod.node_arch or pod.node_os):
        return defaults, "the configured platforms"
    arches = pod.node_arch or tuple(dict.fromkeys(p.architecture for p in defaults))
    systems = pod.node_os or tuple(dict.fromkeys(p.os for p in defaults))
    variants = {p.architecture: p.variant for p in defaults}
    wanted = tuple(Platform(o, a, variants.get(a, "")) for o in systems for a in arches)
    return wanted, f"its {pod.placement_origin}"


def answered(run: Any) -> Iterator[tuple[ImageRecord, Answer]]:
    """The image records of a run that the registries answered for (none when offline)."""
    answers = getattr(run, "online", None)
    if answers is None:
        return
    for record in run.images:
        answer = answers.get(record)
        if answer is not None:
            yield record, answer


def asked_with(answer: Answer) -> str:
    return f"asked with {answer.credential}" if answer.credential else "asked anonymously"


_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "ki": 1024,
    "kib": 1024,
    "mi": 1024**2,
    "mib": 1024**2,
    "gi": 1024**3,
    "gib": 1024**3,
    "ti": 1024**4,
    "tib": 1024**4,
    "tb": 1000**4,
}


def parse_size(value: int | float | str) -> int:
    """``1GiB``, ``500MB``, ``750Mi`` or a number of bytes."""
    if isinstance(value, bool):
        raise ValueError(f"not a size: {value!r}")
    if isinstance(value, (int, float)):
        if value <= 0:
            raise ValueError(f"not a size: {value!r}")
        return int(value)
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", str(value))
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _UNITS or float(match.group(1)) <= 0:
        raise ValueError(f"not a size: {value!r} (use e.g. 1GiB, 500MB, 750Mi)")
    return int(float(match.group(1)) * _UNITS[unit])


def format_size(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}".replace(".0 ", " ")
    return f"{size} bytes"
