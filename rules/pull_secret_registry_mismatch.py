"""Pull secrets that do not cover the registry of an image.

## What it finds
An image in a pod that has pull secrets (its own, or its ServiceAccount's), all of them readable,
none of whose entries the kubelet matches to the image's registry, when that registry needs
credentials: it is listed in `private-registries`, or it is not a well-known public registry,
or an entry is evidently meant for it but does not match (`registry-1.docker.io` for a Docker
Hub image, the right host with another port). The message names the registries the secrets do
cover; when the pod's own list shadows a ServiceAccount whose secrets would have covered the
image, it says so. Public images from public registries are not reported.

## Why it breaks a pull
The kubelet sends only credentials whose key matches the image (same port, same number of host
labels, `*` for one label, path prefix; Docker Hub images match `docker.io` or
`https://index.docker.io/v1/`, never `registry-1.docker.io`). With no match it pulls anonymously
and a private image fails with `ErrImagePull`. A pod's own `imagePullSecrets` replace its
ServiceAccount's; they are not merged.

## Example
```yaml
imagePullSecrets: [{name: ghcr-creds}]       # an entry for ghcr.io only
containers:
  - name: api
    image: registry.acme.io/shop/api:2.4.1
```

## Fix
Add a Secret with an entry for the image's registry to the pod's `imagePullSecrets` (or the
ServiceAccount's), or fix the entry's key (`docker.io` for Docker Hub, the host and port as
written in the image).
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import ImageRecord, Settings, Violation
from imagelint.images import catalog
from imagelint.pullsecrets.matching import covering, display_key, near_miss
from imagelint.pullsecrets.view import covered_hosts, view
from imagelint.reporting.messages import shown
from imagelint.running.runindex import RunIndex

NAME = "pull-secret-registry-mismatch"
CODE = "IL205"
SEVERITY = "error"
SCOPE = "run"
NEEDS = "pull-secrets"  # reports only on a run that holds a Secret or names one
SUMMARY = "The pod has pull secrets, but none covers this image's registry."


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[ImageRecord, Violation]]:
    secrets = view(run, settings)
    for record, ref, pod in run.pulls():
        assert record.image is not None  # pulls() yields parsed images only
        resolution = secrets.resolve(pod)
        if not resolution.refs or not resolution.known:
            continue
        entries = tuple(entry for _, entry in resolution.entries)
        if covering(entries, ref.name):
            continue
        missed = near_miss(entries, ref.name)
        if not (missed or secrets.is_private(ref.name) or not catalog.is_known_host(ref.domain)):
            continue  # a public registry: the image may well be public
        covered = covered_hosts(resolution.entries) or "no registry"
        reason = f" ({covered})"
        if missed is not None:
            reason += (
                f"; the entry {shown(display_key(missed.key))} is not matched to {ref.domain} by "
                f"the kubelet ({_why(missed.match_key or '', ref.domain)})"
            )
        account = secrets.account_of(pod)
        if pod.pull_secrets and account is not None and account.pull_secrets:
            shadowed = secrets.resolve_account(pod, account)
            if covering(tuple(e for _, e in shadowed), ref.name):
                names = ", ".join(shown(r.name) for r in account.pull_secrets)
                reason += (
                    f"; its ServiceAccount {shown(account.object.name or '')} has {names}, which "
                    "would cover it, but a pod's own imagePullSecrets replace the ServiceAccount's"
                )
        yield (
            record,
            Violation(
                f"none of this pod's pull secrets covers {ref.domain}{reason}, so "
                f"{shown(record.image)} is pulled without credentials"
            ),
        )


def _why(key: str, domain: str) -> str:
    key_host = key.partition("/")[0]
    if key_host.split(":")[0] == domain.split(":")[0]:
        return "the ports differ"
    return "use 'docker.io' or 'https://index.docker.io/v1/' for Docker Hub"
