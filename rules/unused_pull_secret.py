"""A docker config Secret that nothing in the run uses.

## What it finds
A Secret of type `kubernetes.io/dockerconfigjson` or `kubernetes.io/dockercfg` (or a
SealedSecret or ExternalSecret that makes one) that no pod and no ServiceAccount of the run
names in `imagePullSecrets` in its namespace.

## Why it breaks a pull
It does not by itself; but an unused pull secret is often the one a pod meant to name (a typo,
another namespace), and credentials that nobody uses are worth removing.

## Example
```yaml
kind: Secret
metadata: {name: regcred-old, namespace: shop}
type: kubernetes.io/dockerconfigjson
```

## Fix
Reference it where it is needed, or delete it. A Secret attached to a ServiceAccount outside
the manifests (`kubectl patch serviceaccount default ...`) is used although imagelint cannot see
it; silence the finding for it.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import SecretRecord, Settings, Violation
from imagelint.pullsecrets.view import all_references, view
from imagelint.reporting.messages import shown
from imagelint.running.runindex import RunIndex

NAME = "unused-pull-secret"
CODE = "IL208"
SEVERITY = "info"
SCOPE = "run"
NEEDS = "pull-secrets"  # reports only on a run that holds a Secret or names one
SUMMARY = "A docker config Secret is named by no pod or ServiceAccount of the run."


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[SecretRecord, Violation]]:
    secrets = view(run, settings)
    used = {(ref.holder.namespace or "", ref.name) for ref in all_references(run, secrets)}
    for secret in run.secrets:
        if secret.docker_type and (secret.namespace, secret.name) not in used:
            yield (
                secret,
                Violation(
                    f"pull secret {shown(secret.name)} ({secret.type}) is not named in the "
                    f"imagePullSecrets of any pod or ServiceAccount of namespace "
                    f"{shown(secret.namespace)} in this run"
                ),
            )
