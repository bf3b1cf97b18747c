"""An image string that cannot be pulled as written.

## What it finds
A container (or image volume) whose image is missing, empty, not a string, or not a valid image
reference by the grammar the kubelet and container runtimes use (distribution/reference, with
Docker Hub normalization). The message says what is wrong in plain words and the column points
at the offending character: whitespace, an uppercase repository path, a tag with a `:` in it,
a digest of the wrong length, a registry port that is not a number...

Images that something else fills in are not judged as written: containers named by an OpenShift
image-change trigger, and Argo Workflows images holding `{{...}}` parameters. A container without
an image is not reported in a patch (a file that a `kustomization.yaml` of the run uses as a
patch, or whose name or folder has the word `patch`) nor in custom resources found by the generic search,
where partial containers are overrides.

## Why it breaks a pull
The runtime rejects the string before it contacts any registry: the pod reports
`InvalidImageName` (or the API server refuses the object), and it never starts.

## Example
```yaml
containers:
  - name: api
    image: "registry.acme.io/Shop/API:2.1 "   # uppercase path, trailing space
  - name: db
    image: postgres@sha256:4e9a0f             # digest too short
```

## Fix
Write the reference as `[registry[:port]/]path[:tag][@algorithm:hex]` with a lowercase path,
e.g. `registry.acme.io/shop/api:2.1` or `postgres@sha256:<64 hex characters>`.
`imagelint check --fix` removes whitespace around the image and an `https://` or `http://`
prefix (a safe fix); the other defects are left to you (or to the rule that names them).
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.fixes import SAFE, Fix
from imagelint.core.model import Settings, Violation
from imagelint.images.diagnosis import diagnose, repaired
from imagelint.images.reference import InvalidReference, parse
from imagelint.kube.workloads import ImageUse
from imagelint.reading.yamlnodes import is_null, scalar_type
from imagelint.reporting.messages import shown

NAME = "invalid-reference"
CODE = "IL101"
SEVERITY = "error"
SCOPE = "image"
PURE = True  # for a non-empty image string: depends on the string alone
SUMMARY = "The image is missing or is not a valid image reference."
FIX = SAFE


def _holder(use: ImageUse) -> str:
    if use.field.endswith(".reference"):
        return f'image volume "{use.container}"' if use.container else "an image volume"
    return f'container "{use.container}"' if use.container else "a container"


def check(use: ImageUse, settings: Settings) -> Iterator[Violation]:
    if use.resolved_at_runtime:
        return
    if use.node is None:
        key = "reference" if use.field.endswith(".reference") else "image"
        yield Violation(f"{_holder(use)} has no {key}")
        return
    if use.image is None:
        if is_null(use.node):
            yield Violation(f"{_holder(use)} has an empty image")
        else:
            yield Violation(
                f"image must be a string, not {scalar_type(use.node)}"
                + ("; quote it" if scalar_type(use.node) in ("a number", "a boolean") else "")
            )
        return
    if use.image == "":
        yield Violation(f"{_holder(use)} has an empty image")
        return
    result = parse(use.image)
    if isinstance(result, InvalidReference):
        yield Violation(
            f"image {shown(use.image)} cannot be pulled: {result.reason}",
            result.offset,
            fix=_fix(use.image),
        )
    elif result.domain == "":
        reason, offset = diagnose(use.image)
        yield Violation(
            f"image {shown(use.image)} cannot be pulled: {reason or 'its registry host is not a valid host name'}",
            offset,
            fix=_fix(use.image),
        )


def _fix(image: str) -> Fix | None:
    value = repaired(image)
    return None if value is None else Fix(value, SAFE, "remove what surrounds the reference")
