"""A pull secret of a type the kubelet does not read, or whose type and key disagree.

## What it finds
A Secret named in `imagePullSecrets` whose type is not `kubernetes.io/dockerconfigjson` or
`kubernetes.io/dockercfg` (typically `Opaque`, the default when `type` is left out, also for a
SealedSecret without `spec.template.type` or an ExternalSecret without
`spec.target.template.type`), or whose type asks for one key while the data has another
(`kubernetes.io/dockerconfigjson` needs `.dockerconfigjson`; `kubernetes.io/dockercfg` needs
`.dockercfg`).

## Why it breaks a pull
The kubelet reads credentials only from those two types, each from its own key; any other
Secret is skipped and the pull runs without credentials (`ErrImagePull` for a private image).
A docker type without its key is refused by the API server.

## Example
```yaml
apiVersion: v1
kind: Secret
metadata: {name: regcred}
data:
  .dockerconfigjson: eyJhdXRocyI6...   # no type: Opaque
```

## Fix
Set `type: kubernetes.io/dockerconfigjson` with the key `.dockerconfigjson`, or create the Secret
with `kubectl create secret docker-registry`.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import DOCKER_SECRET_TYPES, NameRef, SecretRecord, Settings, Violation
from imagelint.pullsecrets.view import all_references, view
from imagelint.reporting.messages import shown
from imagelint.running.runindex import RunIndex

NAME = "pull-secret-wrong-type"
CODE = "IL203"
SEVERITY = "error"
SCOPE = "run"
NEEDS = "pull-secrets"  # reports only on a run that holds a Secret or names one
SUMMARY = "The pull secret is not a docker config Secret, or its type and key disagree."


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[NameRef, Violation]]:
    secrets = view(run, settings)
    for ref in all_references(run, secrets):
        secret = secrets.lookup(ref.holder.namespace or "", ref.name)
        if not isinstance(secret, SecretRecord) or secret.type is None:
            continue
        problem = _problem(secret)
        if problem:
            yield ref, Violation(f"pull secret {shown(ref.name)} ({_what(secret)}) {problem}")


def _problem(secret: SecretRecord) -> str | None:
    key = DOCKER_SECRET_TYPES.get(secret.type or "")
    if key is None:
        types = ", ".join(f"{t} (key {k})" for t, k in DOCKER_SECRET_TYPES.items())
        return f"has type {secret.type}; the kubelet reads credentials only from {types}"
    if secret.keys is not None and key not in secret.keys:
        has = ", ".join(sorted(secret.keys)) or "no keys"
        return (
            f"has type {secret.type} but no {key} key (it has {has}), so the API server refuses it"
        )
    return None


def _what(secret: SecretRecord) -> str:
    where = f"{secret.site.path}:{secret.site.line}"
    if secret.origin == "Secret":
        return where
    return f"made by {secret.origin} at {where}"
