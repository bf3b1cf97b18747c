"""An image with both a tag and a digest.

## What it finds
A reference of the form `name:tag@sha256:...`.

## Why it breaks a pull
containerd and the Docker engine pull by the digest and ignore the tag, so the tag may claim a
version the digest is not; containers/image tools (skopeo, podman, some CRI-O versions) refuse
the form outright. It rarely fails a pull on containerd, but it misleads reviewers and tools.

## Example
```yaml
image: nginx:1.25@sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac
```

## Fix
Keep only the digest, and record the version in a comment
(`image: nginx@sha256:4c0f... # 1.25`), or keep only the tag.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import Settings, Violation
from imagelint.images.reference import Reference, parse
from imagelint.kube.workloads import ImageUse
from imagelint.reporting.messages import shown

NAME = "tag-and-digest"
CODE = "IL107"
SEVERITY = "info"
SCOPE = "image"
PURE = True  # for a non-empty image string: depends on the string alone
SUMMARY = "The image has both a tag and a digest; the runtime ignores the tag."


def check(use: ImageUse, settings: Settings) -> Iterator[Violation]:
    if not use.image or use.resolved_at_runtime:
        return
    ref = parse(use.image)
    if not isinstance(ref, Reference) or ref.tag is None or ref.digest is None:
        return
    at = use.image.index("@")
    tag_at = use.image.rfind(":", 0, at) + 1
    yield Violation(
        f"image {shown(use.image)} has both a tag and a digest: the runtime pulls by the digest "
        f"and ignores the tag {ref.tag!r}, which may not match it (and some tools refuse the "
        "form); keep only the digest",
        tag_at,
    )
