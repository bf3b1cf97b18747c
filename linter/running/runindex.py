"""What the run-scope (cross-object) rules see: small records gathered from every file.

Records hold no YAML, so per-file work can happen anywhere (a worker process) and the records be
merged before the run rules look at all of them together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar, cast

from imagelint.core.contract import PULL_SECRETS
from imagelint.core.model import ImageRecord, PodRecord, SecretRecord, ServiceAccountRecord
from imagelint.images.reference import Reference, parse

_View = TypeVar("_View")


class RunIndex:
    def __init__(self) -> None:
        self.images: list[ImageRecord] = []
        self.service_accounts: list[ServiceAccountRecord] = []
        self.secrets: list[SecretRecord] = []
        self._derived: dict[str, object] = {}
        # What the registries answered (imagelint.online.answers.Answers), with --online only.
        self.online: Any = None

    def add(
        self,
        images: Iterable[ImageRecord],
        service_accounts: Iterable[ServiceAccountRecord] = (),
        secrets: Iterable[SecretRecord] = (),
    ) -> None:
        self.images.extend(images)
        self.service_accounts.extend(service_accounts)
        self.secrets.extend(secrets)
        self._derived.clear()

    def derived(self, name: str, build: Callable[[RunIndex], _View]) -> _View:
        """A view of the run that several rules share (built once, after all records are in;
        ``name`` says which, and always comes with the same ``build``)."""
        if name not in self._derived:
            self._derived[name] = build(self)
        return cast(_View, self._derived[name])

    def views(self) -> list[RunIndex]:
        """The run as clusters: the plain files' records, and each tree's (by the ``via`` of
        their sites), each a run of its own; the run itself when it holds no tree."""
        if not any(record.site.via for record in self.images) and not any(
            secret.site.via for secret in self.secrets
        ):
            return [self]
        parts: dict[str | None, RunIndex] = {}

        def part(via: str | None) -> RunIndex:
            found = parts.get(via)
            if found is None:
                found = parts[via] = RunIndex()
                found.online = self.online
            return found

        for record in self.images:
            part(record.site.via).images.append(record)
        for account in self.service_accounts:
            part(account.via).service_accounts.append(account)
        for secret in self.secrets:
            part(secret.site.via).secrets.append(secret)
        return list(parts.values())

    def holds(self, need: str) -> bool:
        """Whether the run holds what a run rule's NEEDS names (core.contract.NEEDS): for
        "pull-secrets", a Secret, or a pull secret named by a pod or a ServiceAccount."""
        if need != PULL_SECRETS:
            raise ValueError(f"unknown need {need!r}")
        return self.derived("holds pull-secrets", _holds_pull_secrets)  # several rules ask

    def pulls(self) -> Iterator[tuple[ImageRecord, Reference, PodRecord]]:
        """Valid image references with the pod whose credentials pull them."""
        for record, ref in self.references():
            if record.pod is not None:
                yield record, ref, record.pod

    def references(self) -> Iterable[tuple[ImageRecord, Reference]]:
        """Image records with a valid reference, for rules that compare references (parsed
        once per run: several rules walk them, and a run may hold more distinct images than
        the parser's cache)."""
        return self.derived("references", _references)


def _references(run: RunIndex) -> list[tuple[ImageRecord, Reference]]:
    found = []
    for record in run.images:
        if record.image is None or record.resolved_at_runtime:
            continue
        ref = record.parsed if record.parsed is not None else parse(record.image)
        if isinstance(ref, Reference) and ref.domain:
            found.append((record, ref))
    return found


def _holds_pull_secrets(run: RunIndex) -> bool:
    return (
        bool(run.secrets)
        or any(account.pull_secrets for account in run.service_accounts)
        or any(record.pod is not None and record.pod.pull_secrets for record in run.images)
    )
