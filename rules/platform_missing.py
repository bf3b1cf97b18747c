"""The image has no variant for the platform the pod runs on (online).

## What it finds
With `--online`, an image whose manifest does not offer every platform its pod may run on: a
multi-platform index without it, or a single-platform image built for another one. The
platforms a pod runs on come from its `nodeSelector` and required node affinity on
`kubernetes.io/arch` and `kubernetes.io/os` (every value it allows: the scheduler may pick any),
else from the `platforms` option: the platforms of the cluster's nodes, `linux/amd64` unless
configured. Attestation entries (`unknown/unknown`) are not platforms.

## Why it breaks a pull
The container runtime picks the index entry for the node's platform; with none, the pull fails
with `no match for platform in manifest` and the pod stays in `ErrImagePull`. A single-platform
image of another architecture pulls, then the container dies with `exec format error`
(`CrashLoopBackOff`). Both are common when an image is built on an Apple-silicon laptop
(`linux/arm64`) for amd64 nodes, or when a cluster adds Graviton or Ampere node pools.

## Example
```yaml
spec:
  nodeSelector:
    kubernetes.io/arch: arm64
  containers:
    - name: api
      image: registry.acme.io/shop/api:2.4.1   # built for linux/amd64 only
```

## Fix
Build and push the image for every platform the pods run on (`docker buildx build --platform
linux/amd64,linux/arm64 --push`), or pin the pod to nodes whose platform the image has. Set
`platforms` in the configuration to the platforms of your cluster's nodes.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import ImageRecord, Settings, Violation
from imagelint.online.answers import FOUND, answered, required_platforms
from imagelint.running.runindex import RunIndex

NAME = "platform-missing"
CODE = "IL304"
SEVERITY = "error"
SCOPE = "run"
SUMMARY = "The image does not offer the platform its pod runs on (online)."
ONLINE = True  # reports on the registries' answers: skipped by an offline run


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[ImageRecord, Violation]]:
    configured = settings.option("platforms")
    for record, answer in answered(run):
        content = answer.content
        if answer.outcome != FOUND or content is None or not content.platforms:
            continue
        wanted, why = required_platforms(record.pod, configured)
        missing = [w for w in wanted if not any(w.satisfied_by(o) for o in content.platforms)]
        if not missing:
            continue
        lacking = ", ".join(str(p) for p in missing)
        offered = ", ".join(str(p) for p in content.platforms)
        runs_on = ", ".join(str(p) for p in wanted)
        if content.index:
            message = (
                f"{answer.reference} offers {offered} but not {lacking}; this pod runs on "
                f"{runs_on} ({why})"
            )
        else:
            message = (
                f"{answer.reference} is a single-platform image for {offered}, but this pod "
                f"runs on {runs_on} ({why})"
            )
        yield record, Violation(message)
