"""An image pulled by a tag alone, which the registry resolves to a digest (online).

## What it finds
With `--online`, an image written with a tag and no digest (or with no tag: `latest` is then
pulled), whose registry answered the pod's own pull (its pull secrets, or anonymously) with the
digest the tag points to now. Off by default: pinning is a policy, not a pull failure, and most
tagged images are fine; select it (`--extend-select unpinned-tag`) to pin them.

## Why it breaks a pull
A tag is a pointer that can move: a re-push, a retention policy or a compromised account changes
what `app:1.0` is, and pods started on different days (a scale-up, a node replacement) run
different images, or none once the tag is gone. `latest` moves on every push. A digest names
exactly one image: every node pulls the same bytes, and a pull by digest needs no tag lookup.

## Example
```yaml
containers:
  - name: api
    image: registry.acme.io/shop/api:1.4.2
```

## Fix
Pin the digest the registry gives for the tag. `imagelint check --online --extend-select
unpinned-tag --fix --unsafe-fixes` writes it: `api:1.4.2` becomes `api:1.4.2@sha256:...` (the
runtime pulls the digest; the tag stays for people and update bots), and `:latest` (or no tag)
is replaced by the digest it points to now (`api@sha256:...`). The digest is the one a pull
resolves: for a multi-platform image, the index's (each node still picks its own platform). An
unsafe fix: it freezes what the tag points to at the moment of the run (or of the cached answer,
at most 15 minutes old; `--no-cache` asks afresh), so later pushes of the tag no longer reach the
pods. Keep digests current with an update bot (Renovate and Dependabot update pinned digests).

Where a tree sets the tag, the digest is written there, as its users write one:

- a kustomize `images:` entry: an empty `digest:` of the entry is filled; else `newTag: latest`
  becomes `digest: sha256:...` (built as `api@sha256:...`), and another tag gets the digest
  after it, `newTag: 1.4.2@sha256:...` (built as `api:1.4.2@sha256:...`; Renovate reads both
  forms). An overlay's `newName` over an image with no tag gets `@sha256:...` after it;
- a chart's values: an empty `digest:` beside the tag is filled (Bitnami's and cert-manager's
  templates then write `@digest` in place of `:tag`); else the digest goes after the tag,
  `tag: 1.4.2@sha256:...` (`tag: latest@sha256:...`: the template writes `repository:tag`). A tag
  that is the chart's `appVersion` is written into the values' empty `tag:` (`2.1.0@sha256:...`),
  never into Chart.yaml;
- an image written whole in one file (a base's `image:` no overlay changes, a patch) gets the
  digest there.

Nothing is written, and the finding stays, where the name and the tag are set in places that
neither decides alone (an overlay's `newName` over a base's tag, or over a base
kustomization's `newTag`: the base also serves builds of other names), for a chart whose values
have no `tag` for its `appVersion`, or where one value (an alias, an `images:` entry matching
several images) is shared by images whose digests differ.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from imagelint.core.fixes import UNSAFE, Fix
from imagelint.core.model import ImageRecord, Settings, Violation
from imagelint.online.answers import FOUND, Answer
from imagelint.reporting.messages import shown
from imagelint.running.runindex import RunIndex

NAME = "unpinned-tag"
CODE = "IL308"
SEVERITY = "info"
SCOPE = "run"
SUMMARY = "The image is pulled by a tag alone; the registry resolves it to a digest (online)."
DEFAULT_ENABLED = False  # a policy: select it to pin images to digests
ONLINE = True  # reports on the registries' answers: skipped by an offline run
FIX = UNSAFE

# The digests a file may be given: what the registry sent is checked before it is written into
# a manifest (a header is the registry's word, not a value imagelint trusts as text).
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}")


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[ImageRecord, Violation]]:
    answers = getattr(run, "online", None)
    if answers is None:
        return
    for record, ref in run.references():
        answer = answers.get(record)
        digest = _digest(answer)
        if ref.digest is not None or answer is None or digest is None or record.image is None:
            continue
        image, tag = record.image, ref.tag
        if tag is not None and not image.endswith(f":{tag}"):
            continue  # written in a form this rule cannot splice into (never for a valid one)
        if tag is None or tag == "latest":
            name = image if tag is None else image[: -len(tag) - 1]
            moving = "latest" if tag is None else ":latest"
            offset = 0 if tag is None else len(name) + 1  # the tag, or the image (implied)
            fix = Fix(f"{name}@{digest}", UNSAFE, f"replace {moving} with {digest}", pin=digest)
            message = (
                f'image {shown(image)} pulls "latest", which points to {digest} now '
                f"(asked {_asked(answer)}); pin it: {name}@{digest}"
            )
        else:
            offset = len(image) - len(tag)
            fix = Fix(f"{image}@{digest}", UNSAFE, f"pin {tag} to {digest}", pin=digest)
            message = (
                f"the tag {shown(tag)} of {ref.name} is not pinned; it points to {digest} now "
                f"(asked {_asked(answer)}); pin it: {image}@{digest}"
            )
        yield record, Violation(message, offset, fix=fix)


def _digest(answer: Answer | None) -> str | None:
    """The digest of an answer that found the image with what the pod itself sends (its pull
    secrets, or nothing), when it is of a form that may be written into a manifest."""
    if answer is None or answer.outcome != FOUND or not answer.credential_from_pod:
        return None
    digest = answer.digest
    return digest if digest is not None and _DIGEST.fullmatch(digest) else None


def _asked(answer: Answer) -> str:
    return f"with {answer.credential}" if answer.credential else "anonymously"
