"""Small manifests for the pull-secret rules."""

from __future__ import annotations

import base64
import json

from tests.helpers import check_text


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def secret(
    name: str,
    auths: dict | None = None,
    ns: str = "shop",
    type_: str = "kubernetes.io/dockerconfigjson",
    raw: str | None = None,
) -> str:
    payload = raw if raw is not None else json.dumps({"auths": auths or {}})
    return (
        f"apiVersion: v1\nkind: Secret\nmetadata: {{name: {name}, namespace: {ns}}}\n"
        f"type: {type_}\nstringData:\n  .dockerconfigjson: '{payload}'\n---\n"
    )


def entry(user: str = "ci", password: str = "pw") -> dict:
    return {"auth": b64(f"{user}:{password}")}


def deployment(
    name: str, image: str, secrets=(), ns: str = "shop", account: str | None = None
) -> str:
    lines = [
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\n"
        "spec:\n  template:\n    spec:"
    ]
    if account:
        lines.append(f"      serviceAccountName: {account}")
    if secrets:
        lines.append("      imagePullSecrets:")
        lines.extend(f"        - name: {s}" for s in secrets)
    lines.append(f"      containers:\n        - name: app\n          image: {image}\n---\n")
    return "\n".join(lines)


def found(text: str, rule: str, **kwargs):
    return [f for f in check_text(text, **kwargs).findings if f.rule == rule]
