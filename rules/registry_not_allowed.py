"""An image from a registry outside `allowed-registries`.

## What it finds
When the configuration lists `allowed-registries`, an image whose registry is not one of them.
An entry is an exact host (`registry.acme.io`, with its port if it has one), a host glob
(`*.acme.io`: any host ending in `.acme.io`), or a host with a path prefix
(`docker.io/library`, `ghcr.io/acme`), matched on whole path segments. Matching uses the
normalized name, so `nginx` is `docker.io/library/nginx`, and it cannot be bypassed: `acme.io`
does not allow `acme.io.evil.io`, nor `ghcr.io/acme` allow `ghcr.io/acmeevil`.

## Why it breaks a pull
Clusters that only reach a mirror or an internal registry (air-gapped, egress-filtered,
admission policies such as Kyverno or Gatekeeper rules) refuse or cannot reach any other
registry: the pull fails, or the pod is rejected at admission.

## Example
```yaml
# .imagelint.yaml
allowed-registries: [registry.acme.io, "*.dkr.ecr.eu-west-1.amazonaws.com"]
---
image: nginx:1.27   # docker.io: not allowed
```

## Fix
Pull the image through an allowed registry (mirror it there), or add the registry to
`allowed-registries` if it is meant to be allowed.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import Settings, Violation
from imagelint.images.reference import Reference, parse
from imagelint.kube.workloads import ImageUse
from imagelint.pullsecrets.matching import registry_pattern_matches
from imagelint.reporting.messages import shown

NAME = "registry-not-allowed"
CODE = "IL401"
SEVERITY = "error"
SCOPE = "image"
PURE = True
SUMMARY = "The image's registry is not in allowed-registries."


def check(use: ImageUse, settings: Settings) -> Iterator[Violation]:
    allowed = settings.option("allowed-registries")
    if not allowed or not use.image or use.resolved_at_runtime:
        return
    ref = parse(use.image)
    if not isinstance(ref, Reference) or not ref.domain:
        return
    if any(registry_pattern_matches(pattern, ref.name) for pattern in allowed):
        return
    listed = ", ".join(allowed)
    yield Violation(
        f"image {shown(use.image)} comes from {ref.domain} ({ref.name}), which is not in "
        f"allowed-registries ({listed})"
    )
