"""An image from a registry that is frozen, shut down or moved, by a dated fact.

## What it finds
An image whose registry (or registry path) is in imagelint's list of deprecated registries. Every
entry is a dated fact with its source: what happened, when, and what to use instead, and the
message quotes them. Among them: `k8s.gcr.io` (frozen since 2023-04-03, replaced by
`registry.k8s.io`), the `gcr.io/google-containers` project behind it until 2020, the Bitnami
images on Docker Hub (`docker.io/bitnami`, versioned tags moved to `bitnamilegacy` on
2025-09-29), Tekton's `gcr.io/tekton-releases` (public access removed in 2025, the images are on
`ghcr.io/tektoncd`), GitHub's `docker.pkg.github.com` and JFrog's `docker.bintray.io`. The full
list, with what still works for each, is `imagelint/data/deprecated-registries.tsv`.

`gcr.io` as such is not on the list: Container Registry's own storage was retired in 2025, but the
gcr.io host names keep serving every project hosted in Artifact Registry
(`gcr.io/knative-releases`, `gcr.io/datadoghq` still receive new images), and which projects
moved cannot be told from a name.

## Why it breaks a pull
A shut-down registry answers every pull with an error; a frozen one has none of the versions
published after the freeze, so upgrades fail with `manifest unknown`; redirects break behind
egress allow-lists.

## Example
```yaml
image: k8s.gcr.io/ingress-nginx/controller:v1.9.4
```

## Fix
Move to the replacement the message names (`registry.k8s.io/ingress-nginx/controller:v1.9.4`).
`imagelint check --fix` does it when the entry's successor is another registry serving the same
paths (`k8s.gcr.io`, `gcr.io/google-containers` -> `registry.k8s.io`) and the image names the
deprecated prefix as written (a safe fix); moves to another project, such as Bitnami's legacy
copies, are left to you.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.fixes import SAFE, Fix
from imagelint.core.model import Settings, Violation
from imagelint.images import catalog
from imagelint.images.reference import Reference, parse
from imagelint.kube.workloads import ImageUse
from imagelint.reporting.messages import shown

NAME = "deprecated-registry"
CODE = "IL110"
SEVERITY = "warning"
SCOPE = "image"
PURE = True  # for a non-empty image string: depends on the string alone
SUMMARY = "The image comes from a registry that is frozen, shut down or moved."
FIX = SAFE


def check(use: ImageUse, settings: Settings) -> Iterator[Violation]:
    if not use.image or use.resolved_at_runtime:
        return
    ref = parse(use.image)
    if not isinstance(ref, Reference) or not ref.domain:
        return
    entry = catalog.deprecation_for(ref.name)
    if entry is None:
        return
    fix = None
    if entry.rewrite:
        moved = entry.rewrite + ref.name[len(entry.prefix) :]
        suffix = str(ref)[len(ref.name) :]
        advice = f"use {shown(_familiar(moved) + suffix)}"
        fix = _fix(use.image, entry.prefix, entry.rewrite)
    else:
        advice = f"move to {entry.replacement}"
    yield Violation(
        f"image {shown(use.image)}: {entry.prefix} was {entry.status} on {entry.date} "
        f"({entry.event}); {advice} (source: {entry.source})",
        fix=fix,
    )


def _fix(image: str, prefix: str, rewrite: str) -> Fix | None:
    """The image on the successor registry, when the successor is a registry host (the same
    paths, served elsewhere) and the image names the prefix as written."""
    if "/" in rewrite or not image.startswith(prefix + "/"):
        return None
    return Fix(rewrite + image[len(prefix) :], SAFE, f"move to {rewrite}")


def _familiar(name: str) -> str:
    return name[len("docker.io/") :] if name.startswith("docker.io/") else name
