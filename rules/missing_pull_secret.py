"""An image from a registry that needs credentials, in a pod with no pull secret.

## What it finds
An image whose pod has no pull secrets at all (neither its own nor its ServiceAccount's) while
its registry needs credentials. "Needs credentials" means one of:

- the registry is listed in `private-registries` (configuration or `--private-registry`);
- other workloads of the run pull from the same registry with a pull secret that covers it
  ("3 other workloads pulling from registry.acme.io use regcred"), and the registry is not a
  well-known public one. Public registries are never assumed private from such evidence.

## Why it breaks a pull
Without credentials the kubelet pulls anonymously; a private registry answers `unauthorized` and
the pod stays in `ImagePullBackOff`. (Nodes may have credentials of their own, such as a cloud
credential provider; then declare the registry in neither list and nothing is reported.)

## Example
```yaml
# three Deployments pull registry.acme.io/... with imagePullSecrets: [{name: regcred}]
# this one forgot:
containers:
  - name: worker
    image: registry.acme.io/shop/worker:1.8.0
```

## Fix
Add the Secret to the pod's `imagePullSecrets`, or to its ServiceAccount's.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import ImageRecord, Settings, Violation
from imagelint.images import catalog
from imagelint.pullsecrets.view import view
from imagelint.reporting.messages import plural, shown
from imagelint.running.runindex import RunIndex

NAME = "missing-pull-secret"
CODE = "IL206"
SEVERITY = "warning"
SCOPE = "run"
SUMMARY = "The registry needs credentials, and this pod has no pull secret."


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[ImageRecord, Violation]]:
    secrets = view(run, settings)
    for record, ref, pod in run.pulls():
        assert record.image is not None  # pulls() yields parsed images only
        if secrets.resolve(pod).refs:
            continue
        if secrets.private and secrets.is_private(ref.name):
            evidence = f"{ref.domain} is listed in private-registries"
        elif catalog.is_known_host(ref.domain):
            continue
        else:
            workloads, names = secrets.peers(ref.domain)
            others = len(workloads) - (pod.object in workloads) if workloads else 0
            if not others:
                continue
            used = ", ".join(shown(name) for name in sorted(names))
            evidence = f"{plural(others, 'other workload')} pulling from {ref.domain} use {used}"
        account = ""
        if secrets.account_of(pod) is None:
            account = (
                f" (unless its ServiceAccount {shown(pod.service_account)} has one in the cluster)"
            )
        yield (
            record,
            Violation(
                f"{shown(record.image)} comes from {ref.domain}, which needs credentials ({evidence}), "
                f"but this pod has no imagePullSecrets{account}"
            ),
        )
