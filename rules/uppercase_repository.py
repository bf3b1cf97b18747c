"""Capital letters in the repository path of an image.

## What it finds
An image whose repository path (the part after the registry host, before the tag) has capital
letters: `MyCompany/API:1.0`, `registry.acme.io/Shop/worker:2`. Capitals in the tag
(`app:Release-2`) or in the registry host (`Registry.Acme.io/app`) are legal and not reported.

## Why it breaks a pull
Registries store repository names in lowercase only, and the grammar runtimes parse images with
forbids capitals there: the pod fails with `InvalidImageName` before any registry is asked.
Docker even reads a capitalised first component (`MyCompany/...`) as a registry host name.

## Example
```yaml
containers:
  - name: api
    image: MyCompany/API:1.0
```

## Fix
Write the path in lowercase, as it was pushed: `mycompany/api:1.0`. `imagelint check --fix`
does it when the lowercase form is a valid reference (a safe fix).
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.fixes import SAFE, Fix
from imagelint.core.model import Settings, Violation
from imagelint.images.parts import split
from imagelint.images.reference import InvalidReference, parse
from imagelint.kube.workloads import ImageUse
from imagelint.reporting.messages import shown

NAME = "uppercase-repository"
CODE = "IL102"
SEVERITY = "error"
SCOPE = "image"
PURE = True  # for a non-empty image string: depends on the string alone
SUMMARY = "The repository path has capital letters; registries only know lowercase names."
SUPERSEDES = ("invalid-reference",)
FIX = SAFE


def check(use: ImageUse, settings: Settings) -> Iterator[Violation]:
    image = use.image
    if not image or use.resolved_at_runtime:
        return
    parts = split(image)
    capital = next((i for i, c in enumerate(parts.path) if "A" <= c <= "Z"), None)
    if capital is None:
        return
    suggestion = parts.join(path=parts.path.lower())
    fixed = not isinstance(parse(suggestion), InvalidReference)
    hint = f"; use {shown(suggestion)}" if fixed else ""
    yield Violation(
        f"image {shown(image)}: the repository path {shown(parts.path)} has capital letters, "
        f"which no registry accepts{hint}",
        parts.path_at + capital,
        replaces=fixed,
        fix=Fix(suggestion, SAFE, "lowercase the repository path") if fixed else None,
    )
