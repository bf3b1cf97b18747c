"""An image pinned to the `latest` tag.

## What it finds
An image with an explicit `:latest` tag in any case (`:latest`, `:Latest`, `:LATEST`) that is not
also pinned by a digest.

## Why it breaks a pull
`latest` is whatever was pushed last: pods started on different days run different code, a
rollback rolls back nothing, and the kubelet pulls it with `imagePullPolicy: Always`, so every
pod start needs the registry (a registry outage or a rate limit then stops pods from starting).
Tags are case-sensitive: `LATEST` is a different tag from `latest` and rarely exists.

## Example
```yaml
containers:
  - name: web
    image: nginx:latest
```

## Fix
Pin a version (`nginx:1.27.2`) or a digest (`nginx@sha256:...`).
`imagelint check --online --extend-select unpinned-tag --fix --unsafe-fixes` replaces it with
the digest it points to now (see `unpinned-tag`).
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import Settings, Violation
from imagelint.images.reference import Reference, parse
from imagelint.kube.workloads import ImageUse
from imagelint.reporting.messages import shown

NAME = "latest-tag"
CODE = "IL104"
SEVERITY = "warning"
SCOPE = "image"
PURE = True  # for a non-empty image string: depends on the string alone
SUMMARY = "The image uses the moving 'latest' tag without a digest."


def check(use: ImageUse, settings: Settings) -> Iterator[Violation]:
    if not use.image or use.resolved_at_runtime:
        return
    ref = parse(use.image)
    if not isinstance(ref, Reference) or ref.tag is None or ref.digest is not None:
        return
    if ref.tag.lower() != "latest":
        return
    offset = use.image.rfind(":") + 1
    case = (
        ""
        if ref.tag == "latest"
        else f" (and {ref.tag!r} is not 'latest': tags are case-sensitive)"
    )
    yield Violation(
        f"image {shown(use.image)} uses the tag {ref.tag!r}{case}: it moves, so pods started at "
        "different times run different code and every start needs the registry; pin a version "
        "or a digest",
        offset,
    )
