"""The registry refuses the credentials the pod would use, or demands some it does not have
(online).

## What it finds
With `--online`, imagelint asks the registry with the credentials the kubelet would send: the
pod's pull secrets that match the image (its own, or its ServiceAccount's), else nothing. It
reports, naming the credential's source but never its content:
- credentials refused: a wrong user name or password, an expired or revoked token;
- pull access denied: the credentials are valid but may not read this repository (the token
  came back with `insufficient_scope`, or the registry answered 403);
- credentials demanded and the pod has none: anonymous pulls are refused. When your own login
  (`~/.docker/config.json`, a credential helper, podman's `auth.json`) can read the image, the
  message says that it exists, so the only thing missing is the pod's pull secret.

When the pod's pull secrets are not in the manifests (created by a controller, sealed, or kept
elsewhere) and the registry demands credentials, imagelint cannot tell; it says so as a warning,
as it does when only your own login was refused.

## Why it breaks a pull
The kubelet presents the pod's matching pull secrets and nothing else of the user's: with wrong
credentials, no access or no credentials, the registry answers 401 or 403, the pull fails with
`ErrImagePull` and the pod stays in `ImagePullBackOff`. A rotated password in a pull secret
breaks every new pod, on every node, at once.

## Example
```yaml
imagePullSecrets: [{name: regcred}]   # its password was rotated in the registry
containers:
  - name: api
    image: registry.acme.io/shop/api:2.4.1
```

## Fix
Update the pull secret with current credentials (or a robot account that may pull the
repository), or add a pull secret for the registry to the pod or its ServiceAccount.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import ImageRecord, Settings, Severity, Violation
from imagelint.online.answers import (
    AUTH_PROBLEMS,
    AUTH_REFUSED,
    AUTH_REQUIRED,
    DENIED,
    FOUND,
    HUB_UNKNOWN,
    Answer,
    Attempt,
    answered,
    asked_with,
)
from imagelint.reporting.messages import shown
from imagelint.running.runindex import RunIndex

NAME = "registry-auth-failed"
CODE = "IL303"
SEVERITY = "error"
SCOPE = "run"
SUMMARY = "The registry refuses the pod's credentials, or demands some it lacks (online)."
ONLINE = True  # reports on the registries' answers: skipped by an offline run


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[ImageRecord, Violation]]:
    for record, answer in answered(run):
        violation = _violation(answer)
        if violation is not None:
            yield record, violation


def _violation(answer: Answer) -> Violation | None:
    failures = list(answer.attempts)
    final_failed = answer.outcome in AUTH_PROBLEMS or answer.outcome == HUB_UNKNOWN
    if final_failed:
        failures.append(
            Attempt(answer.credential or "", answer.outcome, answer.credential_from_pod)
        )
    if answer.unknown_secrets:  # the anonymous pull does not stand for such a pod
        failures = [f for f in failures if f.source]
    pod = [f for f in failures if f.from_pod]
    users = [f for f in failures if not f.from_pod]
    if not pod:
        if not (answer.unknown_secrets and final_failed):
            return None
        names = ", ".join(shown(name) for name in answer.unknown_secrets)
        message = (
            f"could not check {answer.reference}: {answer.registry} demands credentials, and the "
            f"pod's pull secrets ({names}) are not in the manifests"
        )
        if users:
            message += "; it " + "; ".join(_describe(f, answer) for f in users)
        message += (
            "; give imagelint a login for it (docker login) or add the Secrets with --context"
        )
        return Violation(message, severity=Severity.WARNING)
    if answer.outcome == HUB_UNKNOWN and all(f.outcome == HUB_UNKNOWN for f in pod):
        return None  # Docker Hub's 401 and nothing else: repository-not-found tells it
    said = "; ".join(_describe(f, answer) for f in pod)
    message = f"{answer.registry} {said}"
    if answer.outcome == FOUND and not final_failed:
        message += f"; the image exists ({asked_with(answer)}), so the pull fails on every node "
        message += "that has no credentials of its own for it"
    else:
        if users:
            message += "; it " + "; ".join(_describe(f, answer) for f in users)
        message += f", so {answer.reference} cannot be pulled"
    return Violation(message)


def _describe(failure: Attempt, answer: Answer) -> str:
    source = failure.source
    if not source:
        if failure.outcome == HUB_UNKNOWN:
            return (
                "answers 401 to anonymous pulls (a private repository, or none at all), and the "
                "pod has no pull secret for docker.io"
            )
        return "demands credentials, and the pod has no pull secret that the kubelet sends there"
    if failure.outcome == AUTH_REFUSED:
        return f"refused the credentials of {source} (wrong user name or password, or expired)"
    if failure.outcome == DENIED:
        return f"gave {source} no pull access to {answer.name} (insufficient_scope or 403)"
    if failure.outcome == HUB_UNKNOWN:
        return f"gave {source} no access to {answer.name} (private, or no such repository)"
    assert failure.outcome == AUTH_REQUIRED
    return f"demands credentials that {source} did not provide"
