"""An image without a registry host that is probably not meant for Docker Hub.

## What it finds
An image written without a registry host (so it resolves to Docker Hub) when either:

- its name is not a well-known Docker Hub image (imagelint ships a curated list of official and
  popular repositories: `nginx:1.27` and `bitnami/redis:7.4` are quiet, `acme/api:1.0` is not);
- or the same repository name is pulled elsewhere in the run from a registry host
  (`frontend:2.1` beside `registry.acme.io/shop/frontend:2.1`): the message says where. For a
  well-known name the tag must match too (`nginx:1.27` beside `mirror.acme.io/nginx:1.27`), since
  mirrors and unrelated images named `nginx` are everywhere.

An explicit `docker.io/...` says Docker Hub is meant and is never reported.

## Why it breaks a pull
Without a host the kubelet pulls from Docker Hub. A private image is not there (`pull access
denied`, `ImagePullBackOff`); worse, a public repository of the same name owned by someone else
may be, and the pod then runs a stranger's image. Anonymous Docker Hub pulls are also
rate-limited.

## Example
```yaml
image: shop/frontend:2.1   # meant registry.acme.io/shop/frontend:2.1
```

## Fix
Write the registry host (`registry.acme.io/shop/frontend:2.1`), or `docker.io/shop/frontend:2.1`
when Docker Hub is really meant.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import ImageRecord, Settings, Violation
from imagelint.images import catalog
from imagelint.images.reference import DEFAULT_DOMAIN, Reference
from imagelint.reporting.messages import shown
from imagelint.running.runindex import RunIndex

NAME = "missing-registry"
CODE = "IL111"
SEVERITY = "warning"
SCOPE = "run"
SUMMARY = "No registry host: the image resolves to Docker Hub, where it is probably not."


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[ImageRecord, Violation]]:
    hosted: dict[str, tuple[ImageRecord, Reference]] = {}  # last path component -> first use
    implicit: list[tuple[ImageRecord, Reference]] = []
    for record, ref in run.references():
        if not ref.domain_given:
            implicit.append((record, ref))
        elif ref.domain != DEFAULT_DOMAIN and catalog.host_typo_of(ref.domain) is None:
            hosted.setdefault(ref.path.rsplit("/", 1)[-1], (record, ref))
    popular = catalog.dockerhub_popular()
    for record, ref in implicit:
        assert record.image is not None
        familiar = ref.familiar_name
        other = hosted.get(ref.path.rsplit("/", 1)[-1])
        if other is not None and _same_image(familiar, ref, other[1], familiar in popular):
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
        elif familiar not in popular:
            yield (
                record,
                Violation(
                    f"image {shown(record.image)} names no registry, so it is pulled from Docker Hub "
                    f"as {ref.name}, which is not a well-known Docker Hub image; write the registry "
                    f"host, or {shown('docker.io/' + record.image)} if Docker Hub is meant"
                ),
            )


def _same_image(familiar: str, ref: Reference, hosted: Reference, well_known: bool) -> bool:
    """``frontend`` matches any ``.../frontend``, ``shop/frontend`` needs ``.../shop/frontend``;
    a well-known Docker Hub name (``nginx``) also needs the same tag or digest, since mirrors and
    unrelated images of that name are common."""
    path = hosted.path
    if not (path == familiar or path.endswith("/" + familiar)):
        return False
    if not well_known:
        return True
    pinned = ref.tag is not None or ref.digest is not None
    return pinned and (ref.tag, ref.digest) == (hosted.tag, hosted.digest)
