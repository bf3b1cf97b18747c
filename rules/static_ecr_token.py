"""A static Amazon ECR token in a pull secret.

## What it finds
An entry of a docker config Secret for an ECR registry
(`<account>.dkr.ecr.<region>.amazonaws.com`) with the user name `AWS`: the output of
`aws ecr get-login-password` pasted into a Secret. When the token carries its expiry, the
message gives the date, and the finding is an error once that date has passed.

## Why it breaks a pull
ECR authorization tokens are valid for 12 hours. The Secret works on the day it is made, then
every pull fails with `no basic auth credentials` / `authorization token has expired`.

## Example
```yaml
stringData:
  .dockerconfigjson: '{"auths": {"123456789012.dkr.ecr.eu-west-1.amazonaws.com":
                       {"username": "AWS", "password": "eyJwYXlsb2FkIjoi..."}}}'
```

## Fix
Let the nodes pull with their IAM role (the kubelet's ECR credential provider), or refresh the
Secret automatically (a CronJob or external-secrets' ECRAuthorizationToken generator).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from imagelint.core.model import SecretRecord, Settings, Severity, Violation
from imagelint.reporting.messages import shown
from imagelint.running.runindex import RunIndex

NAME = "static-ecr-token"
CODE = "IL207"
SEVERITY = "warning"
SCOPE = "run"
NEEDS = "pull-secrets"  # reports only on a run that holds a Secret or names one
SUMMARY = "A pull secret holds an ECR token, which expires after 12 hours (error once expired)."


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[SecretRecord, Violation]]:
    now = time.time()
    for secret in run.secrets:
        for entry in secret.entries or ():
            if not entry.ecr_user:
                continue
            host = (entry.match_key or entry.key).partition("/")[0]
            severity = None
            when = ""
            if entry.expires is not None:
                date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(entry.expires))
                if entry.expires < now:
                    when, severity = f" (this one expired on {date})", Severity.ERROR
                else:
                    when = f" (this one expires on {date})"
            yield (
                secret,
                Violation(
                    f"pull secret {shown(secret.name)} holds a static ECR token for {host} (user AWS): "
                    f"ECR tokens expire 12 hours after they are issued{when}; let the nodes pull with "
                    "their IAM role (ECR credential provider) or refresh the Secret automatically",
                    severity=severity,
                    site=secret.data_site,
                ),
            )
