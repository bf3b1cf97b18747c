"""The run's pull secrets as the rules see them: Secrets, ServiceAccounts and pods, looked up the
way the kubelet and the ServiceAccount admission do, with helpers for the rules' messages."""

from __future__ import annotations

import fnmatch
import operator
from collections import defaultdict

from imagelint.core.frozen import ValueRecord, set_field
from imagelint.core.model import (
    NameRef,
    ObjectId,
    PodRecord,
    RegistryEntry,
    SecretRecord,
    ServiceAccountRecord,
    Settings,
)
from imagelint.images.similarity import allowed_edits, distance
from imagelint.pullsecrets.matching import covering, display_key, registry_pattern_matches
from imagelint.running.runindex import RunIndex

EXTERNAL = "declared in configuration"
_POD = operator.attrgetter("pod")
# (secret name, entry) of the pull secrets a pod uses.
NamedEntries = tuple[tuple[str, RegistryEntry], ...]


class Resolution(ValueRecord):
    """What the kubelet would use for one image of one pod."""

    __slots__ = ("refs", "account", "known", "entries")
    refs: tuple[NameRef, ...]  # the pod's effective pull secrets
    account: ServiceAccountRecord | None  # the ServiceAccount that supplied them, if it did
    known: bool  # every effective secret was read, so coverage is certain
    entries: NamedEntries  # (secret name, entry) of those secrets

    def __init__(
        self,
        refs: tuple[NameRef, ...],
        account: ServiceAccountRecord | None,
        known: bool,
        entries: NamedEntries,
    ) -> None:
        set_field(self, "refs", refs)
        set_field(self, "account", account)
        set_field(self, "known", known)
        set_field(self, "entries", entries)


class PullSecretView:
    """The run's Secrets, ServiceAccounts and pods, looked up the way the kubelet does."""

    def __init__(self, run: RunIndex, settings: Settings) -> None:
        self.secrets: dict[tuple[str, str], SecretRecord] = {}
        self.namespaces_of: dict[str, set[str]] = defaultdict(set)
        for secret in run.secrets:
            self.secrets.setdefault((secret.namespace, secret.name), secret)
            self.namespaces_of[secret.name].add(secret.namespace)
        self.accounts = {
            (a.object.namespace or "", a.object.name or ""): a for a in run.service_accounts
        }
        self.external = tuple(settings.option("external-secrets"))
        self.private = tuple(settings.option("private-registries"))
        # With no Secret-making object in the run, "not found" would say nothing useful.
        self.active = bool(run.secrets or self.external or settings.option("require-secrets"))
        # Each pod once, in the order of its first image (records of one pod share the object).
        pods = {id(pod): pod for pod in map(_POD, run.images)}
        pods.pop(id(None), None)
        self.pods: list[PodRecord] = list(pods.values())
        self._resolved: dict[int, Resolution] = {}
        self._run = run
        self._peers: dict[str, tuple[set[ObjectId], set[str]]] | None = None

    def lookup(self, namespace: str, name: str) -> SecretRecord | str | None:
        found = self.secrets.get((namespace, name))
        if found is not None:
            return found
        qualified = f"{namespace}/{name}"
        if any(fnmatch.fnmatchcase(qualified, pattern) for pattern in self.external):
            return EXTERNAL
        return None

    def names_in(self, namespace: str) -> list[str]:
        return sorted(name for ns, name in self.secrets if ns == namespace)

    def account_of(self, pod: PodRecord) -> ServiceAccountRecord | None:
        return self.accounts.get((pod.namespace, pod.service_account))

    def resolve(self, pod: PodRecord) -> Resolution:
        """The ServiceAccount admission: a pod's own list, else its ServiceAccount's (a
        replacement, never a merge); lookups by name in the pod's namespace. Cached per pod."""
        cached = self._resolved.get(id(pod))
        if cached is not None:
            return cached
        account = None
        refs = pod.pull_secrets
        if not refs:
            account = self.account_of(pod)
            refs = account.pull_secrets if account is not None else ()
        entries, known = self._entries(pod.namespace, refs)
        resolution = self._resolved[id(pod)] = Resolution(
            refs, account, known and bool(refs), entries
        )
        return resolution

    def resolve_account(self, pod: PodRecord, account: ServiceAccountRecord) -> NamedEntries:
        """The entries a pod would have had from its ServiceAccount."""
        return self._entries(pod.namespace, account.pull_secrets)[0]

    def _entries(self, namespace: str, refs: tuple[NameRef, ...]) -> tuple[NamedEntries, bool]:
        known = True
        entries: list[tuple[str, RegistryEntry]] = []
        for ref in refs:
            secret = self.lookup(namespace, ref.name)
            if not isinstance(secret, SecretRecord) or secret.entries is None:
                known = False
            elif not secret.docker_type or secret.problems:
                known = False  # reported on its own; coverage unknowable
            else:
                entries.extend((ref.name, entry) for entry in secret.entries)
        return tuple(entries), known

    def peers(self, host: str) -> tuple[set[ObjectId], set[str]]:
        """Workloads of the run that pull from ``host`` with a pull secret covering it, and the
        names of those secrets."""
        if self._peers is None:
            self._peers = defaultdict(lambda: (set(), set()))
            # Entries come from the run's Secrets only: with none holding any, no pod has one.
            if any(secret.entries for secret in self.secrets.values()):
                for _, ref, pod in self._run.pulls():
                    for name, entry in self.resolve(pod).entries:
                        if entry in covering((entry,), ref.name):
                            workloads, names = self._peers[ref.domain]
                            workloads.add(pod.object)
                            names.add(name)
        return self._peers.get(host, (set(), set()))

    def is_private(self, repository: str) -> bool:
        """Configured as needing credentials (``private-registries``): a host, a ``*.`` host
        glob, or a host/path prefix (on '/' boundaries, so ``acme.io`` is not ``acme.io.evil``)."""
        return any(registry_pattern_matches(p, repository) for p in self.private)


def view(run: RunIndex, settings: Settings) -> PullSecretView:
    return run.derived("pull-secrets", lambda r: PullSecretView(r, settings))


def all_references(run: RunIndex, secrets: PullSecretView) -> list[NameRef]:
    """Every imagePullSecrets name of the run: pods' own lists and ServiceAccounts' lists."""
    refs = {id(ref): ref for pod in secrets.pods for ref in pod.pull_secrets}
    refs.update((id(ref), ref) for account in run.service_accounts for ref in account.pull_secrets)
    return list(refs.values())


def suggest_name(name: str, candidates: list[str]) -> str | None:
    """The one existing name a slip of the keyboard away from ``name``."""
    limit = max(1, allowed_edits(name))
    near = [c for c in candidates if distance(name, c, limit) <= limit]
    return near[0] if len(near) == 1 else None


def covered_hosts(entries: NamedEntries) -> str:
    """'regcred: registry.acme.io, ghcr.io; hub: docker.io' for messages."""
    by_secret: dict[str, list[str]] = defaultdict(list)
    for name, entry in entries:
        by_secret[name].append(display_key(entry.key))
    return "; ".join(f"{name}: {', '.join(keys)}" for name, keys in by_secret.items())
