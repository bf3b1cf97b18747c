"""The image's repository does not exist in its registry (online).

## What it finds
With `--online`, an image whose registry answered that the repository itself is unknown
(`NAME_UNKNOWN`). Docker Hub answers a repository that does not exist exactly as it answers a
private one that the credentials cannot read (401), so for Docker Hub the finding says "does not
exist or needs credentials". A pod whose pull secrets are not in the manifests is not reported
here: the registry-auth-failed rule says what could not be checked.

## Why it breaks a pull
Every pull of a repository that does not exist fails with `ErrImagePull`. Typical causes: a typo
in the organization or image name, an image pushed under another name, a repository that was
renamed or deleted, a Docker Hub image that is private.

## Example
```yaml
containers:
  - name: api
    image: ghcr.io/acme/apii:1.4.2   # the repository is ghcr.io/acme/api
```

## Fix
Correct the repository name. For a private Docker Hub repository, give the pod a pull secret
for `docker.io` (and give imagelint credentials with `docker login` to check it).
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import ImageRecord, Settings, Violation
from imagelint.online.answers import HUB_UNKNOWN, REPOSITORY_MISSING, answered, asked_with
from imagelint.running.runindex import RunIndex

NAME = "repository-not-found"
CODE = "IL302"
SEVERITY = "error"
SCOPE = "run"
SUMMARY = "The repository does not exist in the registry (online)."
ONLINE = True  # reports on the registries' answers: skipped by an offline run


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[ImageRecord, Violation]]:
    for record, answer in answered(run):
        repository = answer.name
        if answer.outcome == REPOSITORY_MISSING:
            yield (
                record,
                Violation(
                    f"the repository {repository} does not exist on {answer.registry} "
                    f"({asked_with(answer)})"
                ),
            )
        elif answer.outcome == HUB_UNKNOWN and not answer.unknown_secrets:
            yield (
                record,
                Violation(
                    f"the repository {repository} does not exist on Docker Hub, or it is private "
                    f"and needs credentials that can read it: Docker Hub answers both alike "
                    f"({asked_with(answer)})"
                ),
            )
