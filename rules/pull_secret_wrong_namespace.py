"""A pull secret that exists, but in another namespace.

## What it finds
A name in `imagePullSecrets` for which the run has a Secret of that name only in other
namespaces than the pod's (or the ServiceAccount's). The message names those namespaces and
where the Secret is defined.

## Why it breaks a pull
Pull secrets are looked up by name in the pod's own namespace only. A Secret created in
`default` does nothing for a pod in `production`: the pull runs without credentials and a
private image fails with `ErrImagePull`.

## Example
```yaml
# secrets/regcred.yaml: metadata: {name: regcred, namespace: default}
# apps/api.yaml: a Deployment in namespace production with
imagePullSecrets: [{name: regcred}]
```

## Fix
Create the Secret in the pod's namespace as well (or replicate it with a tool such as
external-secrets or secretgen-controller).
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import NameRef, SecretRecord, Settings, Violation
from imagelint.pullsecrets.view import all_references, view
from imagelint.reporting.messages import shown
from imagelint.running.runindex import RunIndex

NAME = "pull-secret-wrong-namespace"
CODE = "IL202"
SEVERITY = "error"
SCOPE = "run"
NEEDS = "pull-secrets"  # reports only on a run that holds a Secret or names one
SUMMARY = "The pull secret exists only in other namespaces than the pod's."


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[NameRef, Violation]]:
    secrets = view(run, settings)
    for ref in all_references(run, secrets):
        namespace = ref.holder.namespace or ""
        elsewhere = sorted(secrets.namespaces_of.get(ref.name, ()))
        if not elsewhere or secrets.lookup(namespace, ref.name) is not None:
            continue
        first = secrets.secrets[(elsewhere[0], ref.name)]
        where = ", ".join(shown(ns) for ns in elsewhere)
        yield (
            ref,
            Violation(
                f"pull secret {shown(ref.name)} is not in namespace {shown(namespace)}: it exists only "
                f"in {where} ({_at(first)}), and pods can use only Secrets of their own namespace"
            ),
        )


def _at(secret: SecretRecord) -> str:
    return f"{secret.site.path}:{secret.site.line}"
