"""An image without a registry host where something says Docker Hub is not where it lives.

## What it finds
An image written without a registry host (so the kubelet pulls it from Docker Hub) when the run
or the configuration says it was meant for another registry, or that Docker Hub cannot have it:

- the same repository path is pulled elsewhere in the run from a registry host
  (`shop/frontend:2.1` beside `registry.acme.io/shop/frontend:2.1`; for a `namespace/name`, the
  other host must be a private one, not a well-known public registry where projects publish
  the same image twice);
- a single name that is not a Docker Official Image (`checkout:3.1`): on Docker Hub a name
  without a namespace is `library/NAME`, and imagelint's catalog lists the official images;
- a path of three or more components (`shop/team/api`): Docker Hub repositories are
  `namespace/name`;
- a namespace that is a documentation stand-in (`example/sidecar`, `foo/bar`, `yourname/app`);
- the pod's pull secrets (all of them read) cover other registries but not Docker Hub;
- `private-registries` names the path (`registry.acme.io/shop` for `shop/frontend`), or a listed
  private registry holds another repository of the same namespace in the run.

The message states the evidence. A `namespace/name` with no such evidence is not reported: it is
most likely a public Docker Hub repository (`osixia/openldap`, `argoproj/load-tester`). Well-known
Docker Hub images (imagelint's curated list) are never reported, and copies of Docker Hub images
in mirrors and pull-through caches (`mirror.gcr.io/library/nginx`,
`public.ecr.aws/docker/library/nginx`, `.../docker-hub/library/nginx`) are the same image, not a
sign that another was meant. An explicit `docker.io/...` says Docker Hub is meant and is never
reported.

## Why it breaks a pull
Without a host the kubelet pulls from Docker Hub. A private image is not there (`pull access
denied`, `ImagePullBackOff`); worse, a public repository of the same name owned by someone else
may be, and the pod then runs a stranger's image.

## Example
```yaml
image: shop/frontend:2.1   # registry.acme.io/shop/frontend:2.1 is pulled in the next file
```

## Fix
Write the registry host (`registry.acme.io/shop/frontend:2.1`), or `docker.io/shop/frontend:2.1`
when Docker Hub is really meant.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import ImageRecord, Settings, Violation
from imagelint.images import catalog
from imagelint.images.equivalence import dockerhub_copy_of
from imagelint.images.reference import DEFAULT_DOMAIN, Reference
from imagelint.pullsecrets.matching import covering
from imagelint.pullsecrets.view import PullSecretView, covered_hosts, view
from imagelint.reporting.messages import shown
from imagelint.running.runindex import RunIndex

NAME = "missing-registry"
CODE = "IL111"
SEVERITY = "warning"
SCOPE = "run"
SUMMARY = "No registry host, and the run says the image is not on Docker Hub."

# Namespaces that documentation and test data use as stand-ins for a real account.
PLACEHOLDER_NAMESPACES = frozenset(
    {
        "example",
        "examples",
        "foo",
        "bar",
        "baz",
        "qux",
        "quux",
        "namespace",
        "username",
        "yourname",
        "yourusername",
        "your-username",
        "yourorg",
        "yourrepo",
        "myusername",
        "myuser",
        "myorg",
        "mycompany",
        "myrepo",
        "myregistry",
    }
)

_Use = tuple[ImageRecord, Reference]


class _Hosted:
    """Where the run pulls repositories from registry hosts, by last path component (only the
    last components asked about: ``wanted``)."""

    def __init__(self, run: RunIndex, secrets: PullSecretView, wanted: set[str]) -> None:
        self.any: dict[str, list[_Use]] = {}  # every host
        self.private: dict[str, list[_Use]] = {}  # hosts that are not well-known public ones
        self.private_namespaces: dict[str, _Use] = {}  # first path component on a listed host
        some_private = bool(secrets.private)
        for record, ref in run.references():
            if not ref.domain_given or ref.domain == DEFAULT_DOMAIN:
                continue
            path = ref.path
            last = path[path.rfind("/") + 1 :]
            asked = last in wanted
            listed = some_private and "/" in path and secrets.is_private(ref.name)
            if not (asked or listed):
                continue  # nothing to note: spare the host checks below
            if catalog.host_typo_of(ref.domain) is not None:
                continue  # a misspelt public host: image-typo's finding, no evidence here
            if dockerhub_copy_of(ref.domain, path) is not None:
                continue  # a mirror of Docker Hub: the same image
            if asked:
                self.any.setdefault(last, []).append((record, ref))
                if not catalog.is_known_host(ref.domain):
                    self.private.setdefault(last, []).append((record, ref))
            if listed:
                self.private_namespaces.setdefault(path.split("/", 1)[0], (record, ref))

    def same_path(self, familiar: str) -> _Use | None:
        """The first use of ``familiar`` (``frontend`` or ``shop/frontend``) at the end of a
        path on another host: any host for a single name, a private one for a namespaced one
        (public registries carry copies of public Docker Hub repositories)."""
        single = "/" not in familiar
        pool = self.any if single else self.private
        for use in pool.get(familiar.rsplit("/", 1)[-1], ()):
            path = use[1].path
            if path == familiar or path.endswith("/" + familiar):
                return use
        return None


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[ImageRecord, Violation]]:
    implicit = [(record, ref) for record, ref in run.references() if not ref.domain_given]
    if not implicit:
        return
    secrets = view(run, settings)
    hosted = _Hosted(run, secrets, {ref.path[ref.path.rfind("/") + 1 :] for _, ref in implicit})
    popular = catalog.dockerhub_popular()
    for record, ref in implicit:
        assert record.image is not None
        familiar = ref.familiar_name
        if familiar in popular or secrets.is_private(ref.name):
            continue  # a well-known Docker Hub image, or a private Docker Hub one by configuration
        other = hosted.same_path(familiar)
        if other is not None:
            where, other_ref = other
            suggestion = other_ref.name + str(ref)[len(ref.name) :]
            yield (
                record,
                Violation(
                    f"image {shown(record.image)} names no registry, so it resolves to Docker Hub "
                    f"({ref.name}), but {other_ref.name} is pulled at {where.site.path}:"
                    f"{where.site.line}; did you mean {shown(suggestion)}?"
                ),
            )
            continue
        evidence = _evidence(record, ref, familiar, secrets, hosted)
        if evidence is not None:
            yield (
                record,
                Violation(
                    f"image {shown(record.image)} names no registry, so it is pulled from Docker "
                    f"Hub as {ref.name}, but {evidence}; write the registry host, or "
                    f"{shown('docker.io/' + record.image)} if Docker Hub is meant"
                ),
            )


def _evidence(
    record: ImageRecord,
    ref: Reference,
    familiar: str,
    secrets: PullSecretView,
    hosted: _Hosted,
) -> str | None:
    """What says the image is not on Docker Hub, in words for the message, or None."""
    components = familiar.split("/")
    if len(components) == 1:
        return (
            f"{shown(familiar)} is not a Docker Official Image, the only images Docker Hub "
            "serves under a single name"
        )
    if len(components) > 2:
        return "Docker Hub repositories have two path components (namespace/name)"
    namespace = components[0]
    if namespace in PLACEHOLDER_NAMESPACES:
        return f"{shown(namespace)} is a stand-in namespace, not a Docker Hub account"
    if record.pod is not None:
        resolution = secrets.resolve(record.pod)
        if resolution.known and resolution.entries:
            entries = tuple(entry for _, entry in resolution.entries)
            if not covering(entries, ref.name):
                return (
                    f"this pod's pull secrets cover other registries, not Docker Hub "
                    f"({covered_hosts(resolution.entries)})"
                )
    for pattern in secrets.private:
        _, slash, path = pattern.strip().rstrip("/").partition("/")
        if slash and (familiar == path or familiar.startswith(path + "/")):
            return f"private-registries lists {shown(pattern)}, the same path on a private registry"
    listed = hosted.private_namespaces.get(namespace)
    if listed is not None:
        where, other = listed
        return (
            f"{other.domain} (listed in private-registries) holds {other.path}, of the same "
            f"namespace, pulled at {where.site.path}:{where.site.line}"
        )
    return None
