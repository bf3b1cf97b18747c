"""Which docker config keys the kubelet matches to an image (``pkg/credentialprovider/keyring.go``).

Keys lose their scheme and a ``/v1/`` or ``/v2/`` path prefix; a key matches an image's
repository when the ports are equal, the hosts have as many labels and each label matches
(``*`` globs one label), and the key's path is a string prefix of the image's. With no match, a
Docker Hub image gets the ``index.docker.io`` key's credentials. Also the configured registry
patterns (``private-registries``, ``allowed-registries``) matched against a repository.
"""

from __future__ import annotations

import fnmatch
import re

from imagelint.core.model import RegistryEntry
from imagelint.core.patterns import pattern

DOCKER_HUB_KEY = "index.docker.io"
DOCKER_HUB_HOSTS = frozenset({"docker.io", "index.docker.io"})
# Hosts people use for Docker Hub that the kubelet does not match to Docker Hub images.
DOCKER_HUB_NEAR_ALIASES = frozenset(
    {"registry-1.docker.io", "registry.hub.docker.com", "hub.docker.com"}
)
_HOST_CHARS = r"[A-Za-z0-9.\-\[\]:*?_]+"


def normalize_key(key: str) -> str | None:
    """A docker config key as the kubelet stores it (``host[:port][/path]``), or None if the
    kubelet cannot parse it and ignores the entry."""
    # Here, not at the top: urllib.parse (and the ipaddress it imports) would cost every run's
    # start-up, and only runs with pull secrets get here.
    from urllib.parse import urlsplit

    value = key if key.startswith(("https://", "http://")) else "https://" + key
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    host = parts.netloc.rsplit("@", 1)[-1]
    if not host or not pattern(_HOST_CHARS, re.ASCII).fullmatch(host):
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
    found = [e for e in entries if e.match_key is not None and key_matches(e.match_key, repository)]
    if not found and is_docker_hub(repository):
        found = [e for e in entries if e.match_key == DOCKER_HUB_KEY]
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
