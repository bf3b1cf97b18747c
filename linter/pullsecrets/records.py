"""Pull secrets as the kubelet reads them.

- Reading: which objects make Secrets (Secret, SealedSecret, ExternalSecret, carvel
  SecretImport), their type and keys, and the registry entries of docker config secrets. Messages
  say what is wrong, never what is inside: no user name, password, token or base64 text.
- Matching (``pkg/credentialprovider/keyring.go``): keys lose their scheme and a ``/v1/`` or
  ``/v2/`` path prefix; a key matches an image's repository when the ports are equal, the hosts
  have as many labels and each label matches (``*`` globs one label), and the key's path is a
  string prefix of the image's. With no match, a Docker Hub image gets the ``index.docker.io``
  key's credentials.
"""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from imagelint.core.model import (
    DOCKER_SECRET_TYPES,
    Credential,
    NameRef,
    ObjectId,
    PodRecord,
    RegistryEntry,
    SecretRecord,
    ServiceAccountRecord,
    Settings,
    Site,
)
from imagelint.reading.loader import LoadedFile

if TYPE_CHECKING:
    from imagelint.running.runindex import RunIndex
from imagelint.core.rulebook import Option
from imagelint.kube.objects import KubeObject
from imagelint.reading.yamlnodes import Mapping, as_mapping, as_sequence, string_value

DOCKER_HUB_KEY = "index.docker.io"
# An option two rules read (missing-pull-secret, pull-secret-registry-mismatch).
PRIVATE_REGISTRIES = Option(
    [], "Registries that need credentials: hosts, '*.example.com', or host/path prefixes."
)
DOCKER_HUB_HOSTS = frozenset({"docker.io", "index.docker.io"})
# Hosts people use for Docker Hub that the kubelet does not match to Docker Hub images.
DOCKER_HUB_NEAR_ALIASES = frozenset(
    {"registry-1.docker.io", "registry.hub.docker.com", "hub.docker.com"}
)
CARVEL_PLACEHOLDER = "secretgen.carvel.dev/image-pull-secret"
_ECR_HOST = re.compile(r"\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?", re.ASCII)
_HOST_CHARS = re.compile(r"[A-Za-z0-9.\-\[\]:*?_]+", re.ASCII)


# --- matching ---------------------------------------------------------------------------------


def normalize_key(key: str) -> str | None:
    """A docker config key as the kubelet stores it (``host[:port][/path]``), or None if the
    kubelet cannot parse it and ignores the entry."""
    from urllib.parse import urlsplit  # on first use: it costs start-up time

    value = key if key.startswith(("https://", "http://")) else "https://" + key
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    host = parts.netloc.rsplit("@", 1)[-1]
    if not host or not _HOST_CHARS.fullmatch(host):
        return None
    path = parts.path
    if path.startswith(("/v2/", "/v1/")):
        path = path[3:]
    return host + path if path and path != "/" else host


def _split_host(host: str) -> tuple[list[str], str]:
    """Labels and port as the kubelet gets them from Go's net.SplitHostPort (which fails, and
    leaves the host whole, when there is no port or there are too many colons)."""
    if host.startswith("["):
        end = host.find("]")
        if end != -1 and host[end + 1 : end + 2] == ":":
            return host[1:end].split("."), host[end + 2 :]
        return host.split("."), ""
    if host.count(":") == 1:
        name, port = host.split(":")
        return name.split("."), port
    return host.split("."), ""


def key_matches(key: str, repository: str) -> bool:
    """Whether a normalized key covers a repository name (``docker.io/library/nginx``)."""
    key_host, _, key_path = key.partition("/")
    host, _, path = repository.partition("/")
    key_labels, key_port = _split_host(key_host)
    labels, port = _split_host(host)
    if key_port != port or len(key_labels) != len(labels):
        return False
    if not ("/" + path).startswith("/" + key_path if key_path else ""):
        return False
    return all(_label_match(glob, label) for glob, label in zip(key_labels, labels, strict=True))


def _label_match(glob: str, label: str) -> bool:
    if not any(c in glob for c in "*?["):
        return glob == label
    return fnmatch.fnmatchcase(label, glob.replace("[^", "[!"))


def is_docker_hub(repository: str) -> bool:
    """The kubelet's ``isDefaultRegistryMatch`` on a normalized repository name."""
    first, slash, _ = repository.partition("/")
    if not first:
        return False
    return not slash or first in DOCKER_HUB_HOSTS or not any(c in first for c in ".:")


def covering(entries: tuple[RegistryEntry, ...], repository: str) -> list[RegistryEntry]:
    """The entries whose credentials the kubelet would try for ``repository``."""
    usable = [e for e in entries if e.match_key is not None]
    found = [e for e in usable if key_matches(e.match_key, repository)]
    if not found and is_docker_hub(repository):
        found = [e for e in usable if e.match_key == DOCKER_HUB_KEY]
    return found


def _host_name(host: str) -> str:
    """A host without its port."""
    return host[: host.find("]") + 1] if host.startswith("[") else host.partition(":")[0]


def near_miss(entries: tuple[RegistryEntry, ...], repository: str) -> RegistryEntry | None:
    """An entry evidently meant for this registry that the kubelet will not match to it: the
    same host with another port, or a Docker Hub host the kubelet does not take for Docker Hub
    (``registry-1.docker.io``)."""
    host = repository.partition("/")[0]
    for entry in entries:
        if entry.match_key is None:
            continue
        key_host = entry.match_key.partition("/")[0]
        if _host_name(key_host) == _host_name(host) and key_host != host:
            return entry
        if is_docker_hub(repository) and _host_name(key_host) in DOCKER_HUB_NEAR_ALIASES:
            return entry
    return None


def display_key(key: str) -> str:
    """A key fit for a message (user information in a URL, if any, is dropped)."""
    scheme, sep, rest = key.partition("://")
    if not sep:
        scheme, rest = "", key
    rest = rest.rsplit("@", 1)[-1] if "@" in rest.partition("/")[0] else rest
    return f"{scheme}://{rest}" if sep else rest


# --- reading ----------------------------------------------------------------------------------


def decode_base64(text: str) -> bytes | None:
    """Go's StdEncoding (what the API server applies to Secret data): padding required, line
    breaks ignored."""
    import base64
    import binascii

    try:
        return base64.b64decode(text.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        return None


def _decode_auth(text: str) -> bytes | None:
    """The kubelet accepts ``auth`` with or without base64 padding."""
    text = text.strip()
    return decode_base64(text + "=" * (-len(text) % 4))


def parse_docker_config(raw: bytes, legacy: bool) -> tuple[tuple[RegistryEntry, ...], list[str]]:
    """Registry entries of a ``.dockerconfigjson`` (``legacy``: ``.dockercfg``) payload, and
    what is malformed in it, described without its content."""
    import json

    try:
        document = json.loads(raw)
    except UnicodeDecodeError:
        return (), ["is not UTF-8 text"]
    except ValueError as error:
        where = f" (line {error.lineno}, column {error.colno})" if hasattr(error, "lineno") else ""
        return (), [f"is not valid JSON{where}"]
    if not isinstance(document, dict):
        return (), ["is not a JSON object"]
    if legacy:
        auths = document
    else:
        if "auths" not in document:
            return (), ["has no 'auths' object (the kubelet finds no registry in it)"]
        auths = document["auths"]
        if not isinstance(auths, dict):
            return (), ["has an 'auths' that is not an object"]
    if not auths:
        return (), ["has no registry entries"]
    entries = []
    problems: dict[str, list[str]] = defaultdict(list)  # problem -> keys of the entries with it
    for key, value in auths.items():
        shown_key = display_key(str(key))
        match_key = normalize_key(str(key))
        if match_key is None:
            problems["is not a registry address; the kubelet ignores it"].append(shown_key)
        if not isinstance(value, dict):
            problems["is not an object"].append(shown_key)
            continue
        credential, problem = _credential(value)
        if problem:
            problems[problem].append(shown_key)
        ecr = (
            credential is not None
            and credential.username == "AWS"
            and bool(_ECR_HOST.fullmatch((match_key or "").partition("/")[0]))
        )
        expires = _ecr_expiry(credential.password) if ecr and credential else None
        entries.append(RegistryEntry(str(key), match_key, credential, ecr, expires))
    return tuple(entries), [f"{_entries(keys)} {problem}" for problem, keys in problems.items()]


def _entries(keys: list[str]) -> str:
    """'entry 'a'', 'entries 'a', 'b'', 'entries 'a', 'b' and 5 more' for messages."""
    if len(keys) == 1:
        return f"entry {keys[0]!r}"
    if len(keys) <= 3:
        return "entries " + ", ".join(repr(k) for k in keys)
    return f"entries {keys[0]!r}, {keys[1]!r} and {len(keys) - 2} more"


def _credential(entry: dict) -> tuple[Credential | None, str | None]:
    auth = entry.get("auth")
    username, password = entry.get("username"), entry.get("password")
    if auth not in (None, ""):
        if not isinstance(auth, str):
            return None, "has an 'auth' that is not a string"
        decoded = _decode_auth(auth)
        if decoded is None:
            return None, "has an 'auth' that is not valid base64"
        text = decoded.decode("utf-8", errors="replace")
        if ":" not in text:
            return None, "has an 'auth' that does not decode to user:password"
        user, _, secret = text.partition(":")
        return Credential(user, secret), None
    if isinstance(username, str) and isinstance(password, str) and (username or password):
        return Credential(username, password), None
    if entry.get("identitytoken") or entry.get("registrytoken"):
        return None, "has only a token ('identitytoken'/'registrytoken'), which the kubelet ignores"
    return None, "has no credentials (no 'auth', and no 'username' and 'password')"


def _ecr_expiry(password: str) -> int | None:
    """ECR tokens are base64 of JSON with an 'expiration' (Unix seconds); undocumented, so a
    best-effort hint."""
    import json

    decoded = decode_base64(password + "=" * (-len(password) % 4))
    if decoded is None:
        return None
    try:
        document = json.loads(decoded)
    except ValueError:
        return None
    expiration = document.get("expiration") if isinstance(document, dict) else None
    if isinstance(expiration, bool) or not isinstance(expiration, (int, float)):
        return None
    # Infinity, NaN and dates past the year 9999 are no dates (and would not print as one).
    return int(expiration) if 0 <= expiration < _YEAR_10000 else None


_YEAR_10000 = 253_402_300_800  # 10000-01-01T00:00:00Z in Unix seconds


# --- objects that make Secrets ----------------------------------------------------------------


def secret_records(loaded: LoadedFile, obj: KubeObject) -> Iterator[SecretRecord]:
    """The Secret an object is or will make, if it makes one."""
    group, kind = obj.group, obj.kind
    if kind == "Secret" and group == "":
        yield _secret(loaded, obj)
    elif kind == "SealedSecret" and group == "bitnami.com":
        yield _sealed_secret(loaded, obj)
    elif kind == "ExternalSecret" and group == "external-secrets.io":
        yield _external_secret(loaded, obj)
    elif kind == "SecretImport" and group == "secretgen.carvel.dev":
        yield _record(loaded, obj, obj.name, "SecretImport", None, None, None, ())


def _name_site(loaded: LoadedFile, obj: KubeObject) -> Site:
    node = obj.metadata.get("name") if obj.metadata is not None else None
    return loaded.site(node if node is not None else obj.mapping.node, obj.document.source)


def _record(
    loaded: LoadedFile,
    obj: KubeObject,
    name: str | None,
    origin: str,
    type_: str | None,
    keys: frozenset[str] | None,
    entries: tuple[RegistryEntry, ...] | None,
    problems: tuple[tuple[str, Site], ...],
    data_site: Site | None = None,
) -> SecretRecord:
    return SecretRecord(
        name or "",
        obj.namespace or "",
        origin,
        type_,
        keys,
        entries,
        problems,
        obj.identity,
        _name_site(loaded, obj),
        data_site,
    )


def _secret(loaded: LoadedFile, obj: KubeObject) -> SecretRecord:
    type_ = obj.mapping.text("type") or "Opaque"
    data = as_mapping(obj.mapping.get("data"))
    plain = as_mapping(obj.mapping.get("stringData"))
    keys = frozenset(data.keys() if data else ()) | frozenset(plain.keys() if plain else ())
    key = DOCKER_SECRET_TYPES.get(type_)
    if key is None or key not in keys:
        return _record(loaded, obj, obj.name, "Secret", type_, keys, (), ())
    managed = obj.metadata is not None and _has_annotation(obj.metadata, CARVEL_PLACEHOLDER)
    from_plain = plain is not None and key in plain  # stringData wins over data
    node = (plain if from_plain else data).get(key)  # type: ignore[union-attr]
    site = loaded.site(node, obj.document.source)
    if managed:  # a placeholder the secretgen controller fills in
        return _record(loaded, obj, obj.name, "Secret", type_, keys, None, (), site)
    text = string_value(node)
    if text is None:
        return _record(
            loaded,
            obj,
            obj.name,
            "Secret",
            type_,
            keys,
            (),
            ((f"{key} is not a string", site),),
            site,
        )
    if from_plain:
        raw: bytes | None = text.encode("utf-8")
    else:
        raw = decode_base64(text)
        if raw is None:
            problem = f"data {key} is not valid base64, so the API server refuses the Secret"
            return _record(
                loaded, obj, obj.name, "Secret", type_, keys, (), ((problem, site),), site
            )
    entries, problems = parse_docker_config(raw, legacy=key == ".dockercfg")
    found = tuple((f"{key} {problem}", site) for problem in problems)
    return _record(loaded, obj, obj.name, "Secret", type_, keys, entries, found, site)


def _has_annotation(metadata: Mapping, key: str) -> bool:
    notes = as_mapping(metadata.get("annotations"))
    return notes is not None and key in notes


def _sealed_secret(loaded: LoadedFile, obj: KubeObject) -> SecretRecord:
    spec = as_mapping(obj.mapping.get("spec"))
    template = as_mapping(spec.get("template")) if spec else None
    type_ = (template.text("type") if template else None) or "Opaque"
    encrypted = as_mapping(spec.get("encryptedData")) if spec else None
    keys = frozenset(encrypted.keys()) if encrypted else frozenset()
    return _record(loaded, obj, obj.name, "SealedSecret", type_, keys, None, ())


def _external_secret(loaded: LoadedFile, obj: KubeObject) -> SecretRecord:
    spec = as_mapping(obj.mapping.get("spec"))
    target = as_mapping(spec.get("target")) if spec else None
    template = as_mapping(target.get("template")) if target else None
    name = (target.text("name") if target else None) or obj.name
    type_ = (template.text("type") if template else None) or "Opaque"
    keys: frozenset[str] | None = None  # keys fetched with dataFrom are unknown offline
    template_data = as_mapping(template.get("data")) if template else None
    if template_data is not None:
        keys = frozenset(template_data.keys())
    elif spec is not None and "dataFrom" not in spec:
        items = [as_mapping(item) for item in as_sequence(spec.get("data"))]
        keys = frozenset(k for item in items if item and (k := item.text("secretKey")))
    return _record(loaded, obj, name, "ExternalSecret", type_, keys, None, ())


# --- the run's view -------------------------------------------------------------------------

EXTERNAL = "declared in configuration"


class Resolution(NamedTuple):
    """What the kubelet would use for one image of one pod."""

    refs: tuple[NameRef, ...]  # the pod's effective pull secrets
    account: ServiceAccountRecord | None  # the ServiceAccount that supplied them, if it did
    known: bool  # every effective secret was read, so coverage is certain
    entries: tuple[tuple[str, RegistryEntry], ...]  # (secret name, entry) of those secrets


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
        self.pods = list({id(r.pod): r.pod for r in run.images if r.pod is not None}.values())
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

    def resolve_account(self, pod: PodRecord, account: ServiceAccountRecord) -> tuple:
        """The entries a pod would have had from its ServiceAccount."""
        return self._entries(pod.namespace, account.pull_secrets)[0]

    def _entries(
        self, namespace: str, refs: tuple[NameRef, ...]
    ) -> tuple[tuple[tuple[str, RegistryEntry], ...], bool]:
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


def registry_pattern_matches(pattern: str, repository: str) -> bool:
    """``registry.acme.io``, ``*.acme.io`` (one or more labels) or ``registry.acme.io/team``
    against a normalized repository name; never a bare string prefix."""
    pattern = pattern.strip().rstrip("/")
    host, _, path = repository.partition("/")
    pattern_host, _, pattern_path = pattern.partition("/")
    if pattern_host.startswith("*."):
        if not host.endswith(pattern_host[1:]) or host == pattern_host[2:]:
            return False
    elif host != pattern_host:
        return False
    return not pattern_path or path == pattern_path or path.startswith(pattern_path + "/")


def view(run: RunIndex, settings: Settings) -> PullSecretView:
    return run.derived("pull-secrets", lambda r: PullSecretView(r, settings))


def all_references(run: RunIndex, secrets: PullSecretView) -> list[NameRef]:
    """Every imagePullSecrets name of the run: pods' own lists and ServiceAccounts' lists."""
    refs = {id(ref): ref for pod in secrets.pods for ref in pod.pull_secrets}
    refs.update((id(ref), ref) for account in run.service_accounts for ref in account.pull_secrets)
    return list(refs.values())


def suggest_name(name: str, candidates: list[str]) -> str | None:
    """The one existing name a slip of the keyboard away from ``name``."""
    from imagelint.images.similarity import allowed_edits, distance

    limit = max(1, allowed_edits(name))
    near = [c for c in candidates if distance(name, c, limit) <= limit]
    return near[0] if len(near) == 1 else None


def covered_hosts(entries: tuple[tuple[str, RegistryEntry], ...]) -> str:
    """'regcred: registry.acme.io, ghcr.io; hub: docker.io' for messages."""
    by_secret: dict[str, list[str]] = defaultdict(list)
    for name, entry in entries:
        by_secret[name].append(display_key(entry.key))
    return "; ".join(f"{name}: {', '.join(keys)}" for name, keys in by_secret.items())
