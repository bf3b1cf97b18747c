"""A docker config Secret whose content the kubelet cannot use.

## What it finds
A Secret of type `kubernetes.io/dockerconfigjson` or `kubernetes.io/dockercfg` whose content is
broken: data that is not valid base64, a payload that is not JSON, no `auths` object, an entry
key that is not a registry address, an `auth` that is not base64 or does not decode to
`user:password`, an entry with no credentials at all (or only an `identitytoken`, which the
kubelet ignores). The message says what is wrong, never what is inside.

## Why it breaks a pull
The API server refuses invalid base64 and invalid JSON; the kubelet skips entries it cannot use.
Either way the pull runs without those credentials and a private image fails.

## Example
```yaml
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"registry.acme.io": {"auth": "..."}}'   # missing "auths"
```

## Fix
Recreate the Secret with `kubectl create secret docker-registry NAME --docker-server=HOST
--docker-username=... --docker-password=...`, or fix the JSON to
`{"auths": {"HOST": {"auth": base64("user:password")}}}`.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import SecretRecord, Settings, Violation
from imagelint.reporting.messages import shown
from imagelint.running.runindex import RunIndex

NAME = "pull-secret-malformed"
CODE = "IL204"
SEVERITY = "error"
SCOPE = "run"
NEEDS = "pull-secrets"  # reports only on a run that holds a Secret or names one
SUMMARY = "A docker config Secret has broken base64, JSON, auths or credentials."


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[SecretRecord, Violation]]:
    for secret in run.secrets:
        if not secret.docker_type:
            continue
        for problem, site in secret.problems:
            yield secret, Violation(f"pull secret {shown(secret.name)}: {problem}", site=site)
