"""A tag or path that ends in stray punctuation.

## What it finds
An image whose tag ends in `.`, `-` or `_` (`myapp:1.0.`, `api:2.1-`), or whose repository path
or registry host ends in `.` (`registry.acme.io./app`, `acme/app.:1`): the leftovers of a
version variable that rendered empty (`1.0.${PATCH}`) or of a copy-paste that took the full stop
at the end of a sentence.

## Why it breaks a pull
A path or host that ends in `.` is not a valid reference at all. A tag that ends in punctuation
is legal by the grammar, but nobody pushes such tags: the registry answers that the manifest is
unknown and the pod stays in `ImagePullBackOff`.

## Example
```yaml
containers:
  - name: web
    image: registry.acme.io/shop/web:2.4.
```

## Fix
Remove the trailing character (`registry.acme.io/shop/web:2.4`), or complete the version.
`imagelint check --fix` removes a trailing `.` of a tag or registry host when what is left is a
valid reference (a safe fix); a trailing `-` or `_`, or a `.` ending the repository path, is
left to you.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.fixes import SAFE, Fix
from imagelint.core.model import Settings, Violation
from imagelint.images.parts import split
from imagelint.images.reference import InvalidReference, parse
from imagelint.kube.workloads import ImageUse
from imagelint.reporting.messages import shown

NAME = "trailing-dot"
CODE = "IL103"
SEVERITY = "error"
SCOPE = "image"
PURE = True  # for a non-empty image string: depends on the string alone
SUMMARY = "A tag ends in '.', '-' or '_', or a path or host ends in '.'."
SUPERSEDES = ("invalid-reference",)
FIX = SAFE

_TAG_PUNCTUATION = ".-_"


def check(use: ImageUse, settings: Settings) -> Iterator[Violation]:
    image = use.image
    if not image or use.resolved_at_runtime:
        return
    parts = split(image)
    if parts.tag and parts.tag[-1] in _TAG_PUNCTUATION and parts.tag.rstrip(_TAG_PUNCTUATION):
        trimmed = parts.tag.rstrip(_TAG_PUNCTUATION)
        where, offset = "tag", parts.tag_at + len(trimmed)
        suggestion, why = parts.join(tag=trimmed), "almost never pushed"
    elif parts.path.endswith(".") and parts.path.rstrip("."):
        trimmed = parts.path.rstrip(".")
        where, offset = "repository path", parts.path_at + len(trimmed)
        suggestion, why = parts.join(path=trimmed), "not allowed there"
    elif parts.host and parts.host.endswith(".") and parts.host.rstrip("."):
        trimmed = parts.host.rstrip(".")
        where, offset = "registry host", len(trimmed)
        suggestion, why = parts.join(host=trimmed), "not allowed there"
    else:
        return
    fixed = not isinstance(parse(suggestion), InvalidReference)
    hint = f"; did you mean {shown(suggestion)}?" if fixed else ""
    # Only dots are fixed, of a tag or host: a '-' or '_' may stand for a missing suffix.
    removed = image[offset : offset + len(image) - len(suggestion)]
    dots = fixed and where != "repository path" and set(removed) == {"."}
    fix = Fix(suggestion, SAFE, f"remove the trailing '.' of the {where}") if dots else None
    yield Violation(
        f"image {shown(image)}: the {where} ends in {image[offset]!r}, which is {why}{hint}",
        offset,
        replaces=fixed,
        fix=fix,
    )
