"""The tag (or digest) does not exist in its repository (online).

## What it finds
With `--online`, an image whose registry answered that the repository exists but holds no such
tag or digest. The message lists the nearest existing tags: the same version with or without a
leading `v`, another case, close spellings. Only a definite answer counts: a registry that
cannot be reached, limits the rate or refuses credentials is reported by other rules, never as
a missing tag.

## Why it breaks a pull
The kubelet asks the registry for exactly this tag or digest; the registry answers
`MANIFEST_UNKNOWN` and the pod stays in `ErrImagePull` / `ImagePullBackOff`. This happens when
a release was never pushed (a CI job failed, a tag was typed by hand), was pushed to another
repository, or was deleted by a retention policy.

## Example
```yaml
containers:
  - name: api
    image: ghcr.io/acme/api:1.4.2   # the registry has v1.4.2 and 1.4.1
```

## Fix
Use a tag that exists (the message lists the nearest ones), or push the missing one. Pinning a
digest (`@sha256:...`) of an image you know exists avoids both typos and moved tags.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import ImageRecord, Settings, Violation
from imagelint.online.answers import TAG_MISSING, answered, asked_with
from imagelint.reporting.messages import shown
from imagelint.running.runindex import RunIndex

NAME = "tag-not-found"
CODE = "IL301"
SEVERITY = "error"
SCOPE = "run"
SUMMARY = "The registry has no such tag or digest in the repository (online)."
ONLINE = True  # reports on the registries' answers: skipped by an offline run


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[ImageRecord, Violation]]:
    for record, answer in answered(run):
        if answer.outcome != TAG_MISSING:
            continue
        wanted = answer.reference[len(answer.name) + 1 :]
        what = "digest" if answer.reference[len(answer.name)] == "@" else "tag"
        message = (
            f"the {what} {shown(wanted)} does not exist in {answer.name} ({asked_with(answer)})"
        )
        if answer.suggestions:
            nearest = ", ".join(shown(tag) for tag in answer.suggestions)
            message += f"; nearest existing tags: {nearest}"
        elif answer.tags_listed and what == "tag":
            message += "; the repository has no tag close to it"
        yield record, Violation(message, _offset(record.image or "", wanted))


def _offset(image: str, wanted: str) -> int:
    """Where the tag or digest is written in the image string (0 when it is implied)."""
    position = image.rfind(wanted)
    return position if position > 0 and image[position - 1] in ":@" else 0
