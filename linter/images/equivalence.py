"""Names registries treat as the same image, and what makes two host names a typo of each other.

The rules that compare names (``image-typo``, ``missing-registry``) must not call two spellings
of one image a mistake, nor take a copy of an image for a sign that another one was meant:

- Google Container Registry serves a project under its ID with ``_`` or ``-``:
  ``gcr.io/google_containers`` and ``gcr.io/google-containers`` are one project, as are
  ``google_samples`` and ``google-samples`` (the underscore spellings date from before project
  IDs allowed hyphens, and Kubernetes' own manifests used both for years);
- a registry answers under several host names: Google's regional and legacy Container Registry
  hosts (``us.gcr.io``, ``eu.gcr.io``, ``asia.gcr.io``, the bucket-backed ``b.gcr.io``), Artifact
  Registry's regional hosts (``us-central1-docker.pkg.dev``, ``europe-docker.pkg.dev``), one AWS
  account's ECR in each region, Docker Hub's aliases;
- Docker Hub images are copied by mirrors and pull-through caches that keep Docker Hub's path
  (``mirror.gcr.io/library/nginx``, ``public.ecr.aws/docker/library/nginx``, a Harbor or ECR
  cache's ``.../docker-hub/library/nginx``): the same image, not another one.

Repository names that differ in one whole word, the two words sharing no letter in place
(``litmuschaos/py-runner`` and ``litmuschaos/go-runner``), are two named variants of one
thing, not a slip of the keyboard: a typo keeps most of the word it damages.

Host names that differ by a character or two are typos only when nothing says both are meant:
a whole word added to a label (``registry`` and ``myregistry``), names that differ in their
numbers (``registry1``, ``registry2``), short labels a letter apart (``acr``, ``ecr``) or hosts
of one registry are deliberate names, and a host that the run uses for more than two
repositories was not typed by accident.
"""

from __future__ import annotations

from imagelint.core.patterns import pattern
from imagelint.images.similarity import allowed_edits, distance

DOCKER_HUB = "docker.io"

# Container Registry's host names, current and legacy (b.gcr.io served images kept in a Cloud
# Storage bucket of the same name; see the Container Registry documentation's "Registry hosts").
GCR_HOSTS = frozenset(
    {
        "gcr.io",
        "us.gcr.io",
        "eu.gcr.io",
        "asia.gcr.io",
        "b.gcr.io",
        "k8s.gcr.io",
        "gke.gcr.io",
        "marketplace.gcr.io",
        "mirror.gcr.io",
    }
)
DOCKER_HUB_HOSTS = frozenset(
    {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}
)
# Artifact Registry: LOCATION-docker.pkg.dev, LOCATION a region (us-central1) or multi-region.
_ARTIFACT_REGISTRY = r"[a-z0-9-]+-docker\.pkg\.dev"
# ECR private registries: ACCOUNT.dkr.ecr.REGION.amazonaws.com(.cn); one account, many regions.
_ECR = r"([0-9]{12})\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?"

# Docker Hub copies that keep Docker Hub's repository path after a fixed prefix.
_HUB_MIRROR_PREFIXES = (
    ("mirror.gcr.io", ""),  # Google's Docker Hub cache: mirror.gcr.io/library/nginx
    ("public.ecr.aws", "docker/"),  # ECR Public's Docker Official Images: docker/library/nginx
)
# First path components that pull-through caches are commonly given for Docker Hub (ECR's
# pull-through cache rules suggest "docker-hub"; Harbor proxy projects, Artifactory remotes and
# Nexus proxies are named by their owners, usually after Docker Hub).
_HUB_CACHE_PROJECTS = frozenset(
    {
        "docker-hub",
        "dockerhub",
        "docker.io",
        "docker-io",
        "hub",
        "hub-proxy",
        "dockerhub-proxy",
        "docker-hub-proxy",
        "dockerhub-cache",
        "docker-hub-cache",
        "docker-proxy",
        "docker-remote",
        "dockerhub-remote",
        "dockerhub-mirror",
        "docker-mirror",
    }
)
_GITLAB_PROXY = "dependency_proxy/containers/"  # GitLab's Docker Hub dependency proxy
_DIGITS = r"[0-9]+"
_WORDS = r"([-_./])"  # a separator, kept so the names' shapes are compared too


def canonical_name(name: str) -> str:
    """A normalized image name (``gcr.io/google_samples/gb-frontend``) with the spelling
    registries treat as the same written one way: a Container Registry project ID with ``-``
    for ``_``. Other names are returned unchanged."""
    host, _, path = name.partition("/")
    if host not in GCR_HOSTS or "_" not in path.partition("/")[0]:
        return name
    project, slash, rest = path.partition("/")
    return f"{host}/{project.replace('_', '-')}{slash}{rest}"


def same_repository(a: str, b: str) -> bool:
    """Whether two normalized image names are one repository by the registry's own rules."""
    return a == b or canonical_name(a) == canonical_name(b)


def word_replaced(a: str, b: str) -> bool:
    """Whether two names differ in exactly one word (between ``-``, ``_``, ``.`` or ``/``) and
    the two words keep nothing of each other in place (``py-runner``, ``go-runner``): a name
    chosen for a variant, where a typo would have kept most of the word."""
    words = pattern(_WORDS)
    words_a, words_b = words.split(a), words.split(b)
    if len(words_a) != len(words_b):
        return False
    differing = [(x, y) for x, y in zip(words_a, words_b, strict=True) if x != y]
    if len(differing) != 1:
        return False
    x, y = differing[0]
    if not x or not y or words.fullmatch(x) or words.fullmatch(y):
        return False
    longest = max(len(x), len(y))
    return distance(x, y, longest) == longest


def registry_family(host: str) -> str | None:
    """A key shared by the host names of one registry (``gcr`` for ``gcr.io`` and ``b.gcr.io``,
    ``ecr:123456789012`` for one account's ECR in any region), or None for a host on its own."""
    host = host.lower().split(":", 1)[0]
    if host in GCR_HOSTS:
        return "gcr"
    if host in DOCKER_HUB_HOSTS:
        return "docker-hub"
    if pattern(_ARTIFACT_REGISTRY).fullmatch(host) or host == "docker.pkg.dev":
        return "artifact-registry"
    ecr = pattern(_ECR).fullmatch(host)
    if ecr:
        return "ecr:" + ecr.group(1)
    return None


def same_registry(a: str, b: str) -> bool:
    """Whether two hosts are names of one registry (or the same name)."""
    if a.lower() == b.lower():
        return True
    family = registry_family(a)
    return family is not None and family == registry_family(b)


def dockerhub_copy_of(host: str, path: str) -> str | None:
    """The Docker Hub path (``library/nginx``) an image at ``host``/``path`` is an identifiable
    copy of (a mirror or pull-through cache keeping Docker Hub's path), or None."""
    host = host.lower()
    if host in DOCKER_HUB_HOSTS:
        return path
    for mirror, prefix in _HUB_MIRROR_PREFIXES:
        if host == mirror and path.startswith(prefix) and path.count("/") - prefix.count("/") == 1:
            return path[len(prefix) :]
    at = path.find(_GITLAB_PROXY)
    if at != -1:
        return _hub_path(path[at + len(_GITLAB_PROXY) :])
    project, _, rest = path.partition("/")
    if project in _HUB_CACHE_PROJECTS and rest:
        return _hub_path(rest)
    components = path.split("/")
    if len(components) >= 3 and components[-2] == "library":
        # ``cache.acme.io/proxy/library/nginx``: Docker Hub's namespace of official images
        # spelled out inside another registry's path is a copy of that official image.
        return "library/" + components[-1]
    return None


def _hub_path(rest: str) -> str | None:
    components = rest.split("/")
    if len(components) == 1:
        return "library/" + rest
    return rest if len(components) == 2 else None


def host_typo_evidence(
    wrong: str,
    right: str,
    wrong_repositories: int = 1,
    right_repositories: int = 3,
) -> bool:
    """Whether host ``wrong`` is credibly a typo of ``right``, a host the run uses more.

    Both counts are of distinct repositories the run pulls from each host. It is a typo only
    when the names are a slip of the keyboard apart (within :func:`allowed_edits`), the hosts
    are not names of one registry, they do not differ only in their numbers, neither is the
    other with a word added to a label (``registry.corp.com``, ``myregistry.corp.com``), the
    right host is used for more than two repositories (one or two are no yardstick) and the
    wrong one for at most two (a host typed for many repositories was typed on purpose)."""
    wrong_host = wrong.lower().split(":", 1)[0]
    right_host = right.lower().split(":", 1)[0]
    if wrong_host == right_host or same_registry(wrong_host, right_host):
        return False
    if right_repositories <= 2 or wrong_repositories > 2:
        return False
    digits = pattern(_DIGITS)
    if digits.sub("0", wrong_host) == digits.sub("0", right_host):
        return False
    if _word_added(wrong_host, right_host) or _short_names(wrong_host, right_host):
        return False
    limit = allowed_edits(wrong_host)
    return limit > 0 and distance(wrong_host, right_host, limit) <= limit


def _differing_label(a: str, b: str) -> tuple[str, str] | None:
    """The one label that differs between hosts of as many labels, if only one does."""
    labels_a, labels_b = a.split("."), b.split(".")
    if len(labels_a) != len(labels_b):
        return None
    differing = [(x, y) for x, y in zip(labels_a, labels_b, strict=True) if x != y]
    return differing[0] if len(differing) == 1 else None


def _short_names(a: str, b: str) -> bool:
    """Hosts that differ in one short label other than by a swap (``acr.io``, ``ecr.io``): short
    names one letter apart are as often two real names as a slip."""
    labels = _differing_label(a, b)
    if labels is None:
        return False
    x, y = labels
    return min(len(x), len(y)) < 4 and sorted(x) != sorted(y)


def _word_added(a: str, b: str) -> bool:
    """Hosts with the same labels but one, where one label is the other with two or more
    characters added before or after it (``registry``/``myregistry``, ``harbor``/``harbor-dev``):
    a name chosen on purpose, not a slipped key."""
    labels = _differing_label(a, b)
    if labels is None:
        return False
    short, long = sorted(labels, key=len)
    return len(long) - len(short) >= 2 and (long.startswith(short) or long.endswith(short))
