"""`imagePullPolicy: Never` on an image that comes from a registry.

## What it finds
A container with `imagePullPolicy: Never` whose image names a registry host that is not the
node itself (`registry.acme.io/app:1`, `ghcr.io/acme/app:1`, `docker.io/library/nginx:1.27`).
Images without a registry host (`myapp:dev`, the kind/minikube `image load` pattern) and
loopback registries are left alone.

## Why it breaks a pull
The kubelet never pulls such an image: unless it was preloaded on every node the pod can land
on, the pod fails with `ErrImageNeverPull`. New nodes (autoscaling, upgrades) never have it.

## Example
```yaml
containers:
  - name: api
    image: registry.acme.io/shop/api:2.4.1
    imagePullPolicy: Never
```

## Fix
Use `IfNotPresent` (or leave the field out) so the node pulls the image when it lacks it.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import Settings, Violation
from imagelint.images.reference import Reference, parse
from imagelint.kube.workloads import ImageUse
from imagelint.reading.yamlnodes import string_value
from imagelint.reporting.messages import shown

NAME = "pull-policy-never"
CODE = "IL108"
SEVERITY = "warning"
SCOPE = "image"
SUMMARY = "imagePullPolicy Never on an image from a registry: ErrImageNeverPull unless preloaded."

_LOOPBACK = ("localhost", "127.", "[::1]")


def check(use: ImageUse, settings: Settings) -> Iterator[Violation]:
    node = use.container_mapping.get("imagePullPolicy")
    if string_value(node) != "Never" or not use.image or use.resolved_at_runtime:
        return
    ref = parse(use.image)
    if not isinstance(ref, Reference) or not ref.domain_given or ref.domain.startswith(_LOOPBACK):
        return
    yield Violation(
        f"imagePullPolicy Never: the kubelet will not pull {shown(use.image)} from "
        f"{ref.domain}, so pods fail with ErrImageNeverPull on any node where it was not "
        "preloaded; use IfNotPresent",
        node=node,
    )
