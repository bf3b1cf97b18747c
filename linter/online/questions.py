"""What the online checks ask: one question per image reference and the credentials its pod
would use, shared by every image record that would be pulled the same way.

The credentials are the pod's pull secrets that the kubelet matches to the image (in the
kubelet's order), then the user's own logins; a question without any is asked anonymously.
"""

from __future__ import annotations

from typing import Any

from imagelint.core.model import ImageRecord, RegistryEntry, SecretRecord, Settings
from imagelint.images.reference import Reference
from imagelint.online.answers import Platform, required_platforms
from imagelint.online.client import DOCKER_HUB_DOMAINS, Auth
from imagelint.online.credentials import UserCredentials
from imagelint.pullsecrets.matching import covering
from imagelint.pullsecrets.view import NamedEntries, view
from imagelint.running.runindex import RunIndex


class Question:
    """One unique question, and the image records waiting for its answer."""

    __slots__ = ("domain", "repository", "reference", "by_digest", "auths", "unknown", "records",
                 "platforms")  # fmt: skip

    def __init__(
        self,
        ref: Reference,
        auths: tuple[tuple[Auth, bool], ...],
        unknown: tuple[str, ...],
    ) -> None:
        self.domain = ref.domain
        self.repository = ref.path
        self.by_digest = ref.digest is not None  # the kubelet pulls by digest when there is one
        self.reference = ref.digest or ref.pull_tag or "latest"
        self.auths = auths  # (credential, whether it is one of the pod's pull secrets)
        self.unknown = unknown
        self.records: list[ImageRecord] = []
        self.platforms: dict[Platform, None] = {}

    @property
    def name(self) -> str:
        return f"{self.domain}/{self.repository}"

    @property
    def shown(self) -> str:
        return f"{self.name}{'@' if self.by_digest else ':'}{self.reference}"

    @property
    def cache_key(self) -> str:
        sources = ",".join(auth.source for auth, _ in self.auths) or "anonymous"
        unknown = ",".join(self.unknown)
        return f"{self.shown}|{sources}|{unknown}"

    @property
    def hub(self) -> bool:
        return self.domain in DOCKER_HUB_DOMAINS


def gather(
    run: RunIndex,
    records: list[ImageRecord] | None,
    settings: Settings,
    user: UserCredentials | None,
) -> list[Question]:
    """The questions for the run's image records (or only for ``records``), in first-seen
    order, each with the platforms its pods need."""
    wanted = None if records is None else {id(record) for record in records}
    secrets = view(run, settings)
    configured = settings.option("platforms")
    by_key: dict[tuple[Any, ...], Question] = {}
    for record, ref in run.references():
        if wanted is not None and id(record) not in wanted:
            continue
        auths: list[tuple[Auth, bool]] = []
        unknown: list[str] = []
        if record.pod is not None:
            resolution = secrets.resolve(record.pod)
            for name, entry in _kubelet_order(resolution.entries, ref.name):
                if entry.credential is not None:
                    source = f"pull secret {record.pod.namespace}/{name}"
                    auths.append((Auth(source, entry.credential), True))
            if not resolution.known:
                for name_ref in resolution.refs:
                    found = secrets.lookup(record.pod.namespace, name_ref.name)
                    if not isinstance(found, SecretRecord) or found.entries is None:
                        unknown.append(name_ref.name)
        if user is not None:
            for login in user.lookup(ref.domain, ref.path):
                auths.append((Auth(login.source, login.credential, login.identity_token), False))
        auths = _without_repeats(auths)
        key = (
            ref.domain,
            ref.path,
            ref.digest or ref.pull_tag,
            tuple(id(auth.credential) for auth, _ in auths),
            tuple(unknown),
        )
        question = by_key.get(key)
        if question is None:
            question = by_key[key] = Question(ref, tuple(auths), tuple(unknown))
        question.records.append(record)
        for platform in required_platforms(record.pod, configured)[0]:
            question.platforms[platform] = None
    return list(by_key.values())


def _kubelet_order(entries: NamedEntries, repository: str) -> list[tuple[str, RegistryEntry]]:
    """The pull secret entries the kubelet tries for ``repository``: matching keys, most specific
    (reverse lexicographic) first, and in secret order for equal keys."""
    matching = [(name, entry) for name, entry in entries if covering((entry,), repository)]
    if not matching:  # Docker Hub's fallback key applies only when nothing else matched
        fallback = covering(tuple(entry for _, entry in entries), repository)
        matching = [(name, entry) for name, entry in entries if entry in fallback]
    return sorted(matching, key=lambda item: item[1].match_key or "", reverse=True)


def _without_repeats(auths: list[tuple[Auth, bool]]) -> list[tuple[Auth, bool]]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for auth, from_pod in auths:
        identity = (auth.credential.username, auth.credential.password)
        if identity not in seen:
            seen.add(identity)
            kept.append((auth, from_pod))
    return kept
