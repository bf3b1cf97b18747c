"""One repository tagged with two version conventions in one run.

## What it finds
The same repository referenced with version tags that follow different conventions across the
run, one with a `v` prefix and one without (`registry.acme.io/api:v1.4.0` in one file,
`registry.acme.io/api:1.4.2` in another). The occurrences of the less used convention are
reported, with a pointer to one of the others.

## Why it breaks a pull
A repository's pipeline pushes one convention; a tag written in the other usually does not
exist (`manifest unknown`, `ImagePullBackOff`), typically after someone copied a version from a
release note or a Git tag into a manifest.

## Example
```yaml
# apps/api.yaml
image: registry.acme.io/api:v1.4.0
# jobs/migrate.yaml
image: registry.acme.io/api:1.4.0
```

## Fix
Check which tags the registry has (`crane ls`, `skopeo list-tags`) and use that convention
everywhere.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from imagelint.core.model import ImageRecord, Settings, Violation
from imagelint.core.patterns import pattern
from imagelint.reporting.messages import plural
from imagelint.running.runindex import RunIndex

NAME = "inconsistent-tags"
CODE = "IL113"
SEVERITY = "info"
SCOPE = "run"
SUMMARY = "One repository is tagged 'v1.2.3' in one place and '1.2.3' in another."

_VERSION = r"(v?)\d+(?:\.\d+)+(?:[-+_.][0-9A-Za-z.-]+)?"


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[ImageRecord, Violation]]:
    # By host and path (a repository's name, without making the string for each record).
    by_repository: dict[tuple[str, str], list[tuple[ImageRecord, str]]] = defaultdict(list)
    first_tag: dict[tuple[str, str], str] = {}
    mixed: dict[tuple[str, str], str] = {}  # the repositories with two tags or more: names
    for record, ref in run.references():
        tag = ref.tag
        if tag is not None:
            key = (ref.domain, ref.path)
            by_repository[key].append((record, tag))
            if first_tag.setdefault(key, tag) != tag and key not in mixed:
                mixed[key] = ref.name
    # One tag is one convention (and the pattern need not be compiled).
    for name, key in sorted((name, key) for key, name in mixed.items()):
        tagged = by_repository[key]
        prefixed: list[tuple[ImageRecord, str]] = []
        bare: list[tuple[ImageRecord, str]] = []
        for record, tag in tagged:
            match = pattern(_VERSION, re.ASCII).fullmatch(tag)
            if match:
                (prefixed if match.group(1) else bare).append((record, tag))
        if not prefixed or not bare:
            continue
        minority, majority = (prefixed, bare) if len(prefixed) < len(bare) else (bare, prefixed)
        other, other_tag = majority[0]
        elsewhere = f"{other.site.path}:{other.site.line}"
        more = f" and {plural(len(majority) - 1, 'more place')}" if len(majority) > 1 else ""
        for record, tag in minority:
            assert record.image is not None
            yield (
                record,
                Violation(
                    f"{name} is tagged {tag!r} here but {other_tag!r} at {elsewhere}{more}: its "
                    "pipeline pushes one convention, so one of these tags probably does not exist",
                    record.image.rfind(":") + 1,
                ),
            )
