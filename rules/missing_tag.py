"""An image with neither a tag nor a digest.

## What it finds
A valid image reference with no tag and no digest (`nginx`, `registry.acme.io/team/app`). A
registry port is not a tag: `registry.example.com:5000/team/app` has no tag.

## Why it breaks a pull
The kubelet then pulls `latest` and defaults `imagePullPolicy` to `Always`: the pod runs
whatever was pushed last, every start contacts the registry, and if the repository has no
`latest` tag (many CI pipelines push only versions) the pull fails with `manifest unknown`.

## Example
```yaml
containers:
  - name: app
    image: registry.example.com:5000/team/app
```

## Fix
Add the version you mean (`registry.example.com:5000/team/app:2.3.4`) or a digest.
`imagelint check --online --extend-select unpinned-tag --fix --unsafe-fixes` replaces it with
the digest it points to now (see `unpinned-tag`).
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import Settings, Violation
from imagelint.images.reference import Reference, parse
from imagelint.kube.workloads import ImageUse
from imagelint.reporting.messages import shown

NAME = "missing-tag"
CODE = "IL105"
SEVERITY = "warning"
SCOPE = "image"
PURE = True  # for a non-empty image string: depends on the string alone
SUMMARY = "The image has no tag or digest, so 'latest' is pulled on every start."


def check(use: ImageUse, settings: Settings) -> Iterator[Violation]:
    if not use.image or use.resolved_at_runtime:
        return
    ref = parse(use.image)
    if not isinstance(ref, Reference) or ref.tag is not None or ref.digest is not None:
        return
    port = ""
    host = ref.domain if ref.domain_given else ""
    if ":" in host and not host.endswith("]"):
        port = f" ({':' + host.rsplit(':', 1)[1]!r} is the registry's port, not a tag)"
    yield Violation(
        f"image {shown(use.image)} has no tag or digest{port}, so the kubelet pulls 'latest' "
        "with imagePullPolicy Always; pin a version or a digest",
    )
