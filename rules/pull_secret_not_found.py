"""A pull secret that exists nowhere in the run.

## What it finds
A name in `imagePullSecrets` (of a pod template, or of a ServiceAccount that supplies pods with
its own) for which no Secret exists in any file of the run, nor any object that makes one
(SealedSecret, ExternalSecret, carvel SecretImport), nor a name declared as managed elsewhere
(`external-secrets` in the configuration, `--external-secret NS/NAME`, globs allowed). The
nearest existing name in the namespace is suggested. When the run holds no Secret-making object
at all, these checks are skipped with one note, unless `--require-secrets` is given.

## Why it breaks a pull
The kubelet looks the name up in the pod's namespace, finds nothing, and pulls without those
credentials: a private image then fails with `ErrImagePull` (`pull access denied`,
`unauthorized`). Kubernetes does not warn when the pod is created.

## Example
```yaml
spec:
  imagePullSecrets:
    - name: regcreds      # the Secret is called regcred
```

## Fix
Correct the name, or create the Secret in the pod's namespace (`kubectl create secret
docker-registry regcred --docker-server=... -n NAMESPACE`), or declare it as managed elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import NameRef, Settings, Violation
from imagelint.pullsecrets.view import all_references, suggest_name, view
from imagelint.reporting.messages import shown
from imagelint.running.runindex import RunIndex

NAME = "pull-secret-not-found"
CODE = "IL201"
SEVERITY = "error"
SCOPE = "run"
NEEDS = "pull-secrets"  # reports only on a run that holds a Secret or names one
SUMMARY = "An imagePullSecrets name that no Secret of the run (or configuration) provides."


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[NameRef | None, Violation]]:
    secrets = view(run, settings)
    refs = all_references(run, secrets)
    if not secrets.active:
        if refs:
            yield (
                None,
                Violation(
                    f"no Secret, SealedSecret or ExternalSecret in the inputs: the {len(refs)} "
                    "imagePullSecrets names were not looked up (declare Secrets made elsewhere with "
                    "--external-secret NS/NAME, or use --require-secrets to report them as missing)"
                ),
            )
        return
    for ref in refs:
        namespace = ref.holder.namespace or ""
        if secrets.lookup(namespace, ref.name) is not None or secrets.namespaces_of.get(ref.name):
            continue
        close = suggest_name(ref.name, secrets.names_in(namespace))
        hint = f'; did you mean "{close}"?' if close else ""
        yield (
            ref,
            Violation(
                f"pull secret {shown(ref.name)} does not exist in namespace {shown(namespace)} "
                f"(nor anywhere else in this run), so the kubelet pulls without it{hint}"
            ),
        )
