"""No output, note, error or message ever contains credential material.

Every rule runs (--select ALL) over Secrets whose user names, passwords, auth strings and
tokens are unique markers, well-formed and broken in every way the rules report on; every
output format, stdout and stderr are then searched for the markers, for their base64 forms at
each alignment, and for the base64 payloads the Secrets carry.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest

from imagelint.reporting.formatters import FORMATS
from tests.helpers import ROOT

USER = "mkUserQx7Zp"
PASSWORD = "mkPassWd9Lr"
TOKEN = "mkTokenV3sK"
EMAIL = "mkMail5Tq@example.com"
ECR_HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def base64_forms(secret: str) -> set[str]:
    """The text base64 of ``secret`` has inside any longer base64 blob, at each of the three
    alignments (the stable middle part of each encoding)."""
    forms = set()
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + secret.encode()).decode()
        start = (pad * 4 + 2) // 3 + 1
        stop = len(encoded) - 3
        if stop - start >= 6:
            forms.add(encoded[start:stop])
    return forms


def secret(
    name: str,
    key: str,
    payload: str,
    type_: str = "kubernetes.io/dockerconfigjson",
    plain: bool = False,
) -> str:
    field = "stringData" if plain else "data"
    value = payload if plain else b64(payload)
    return (
        f"apiVersion: v1\nkind: Secret\nmetadata: {{name: {name}, namespace: shop}}\n"
        f"type: {type_}\n{field}:\n  {key}: {json.dumps(value)}\n---\n"
    )


def pod(name: str, image: str, secrets: list[str], ns: str = "shop") -> str:
    refs = ", ".join(f"{{name: {s}}}" for s in secrets)
    return (
        f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n"
        f"  imagePullSecrets: [{refs}]\n  containers: [{{name: c, image: {image}}}]\n---\n"
    )


AUTH = b64(f"{USER}:{PASSWORD}")
ECR_PASSWORD = b64(json.dumps({"payload": TOKEN, "datakey": PASSWORD, "expiration": 1704067200}))
PAYLOADS = {
    "good": json.dumps({"auths": {"cr.acme.example": {"auth": AUTH, "email": EMAIL}}}),
    "fields": json.dumps({"auths": {"cr.other.example": {"username": USER, "password": PASSWORD}}}),
    "no-colon": json.dumps({"auths": {"cr.acme.example": {"auth": b64(USER + PASSWORD)}}}),
    "bad-auth": json.dumps({"auths": {"cr.acme.example": {"auth": PASSWORD + "!"}}}),
    "token-only": json.dumps({"auths": {"cr.acme.example": {"identitytoken": TOKEN}}}),
    "no-auths": json.dumps({"cr.acme.example": {"auth": AUTH}}),
    "not-json": f'{{"auths": {{"cr.acme.example": {{"auth": "{AUTH}", "password": {PASSWORD}}}}}',
    "ecr": json.dumps({"auths": {ECR_HOST: {"username": "AWS", "password": ECR_PASSWORD}}}),
    "hub-alias": json.dumps({"auths": {"registry-1.docker.io": {"auth": AUTH}}}),
    "unused": json.dumps({"auths": {"cr.acme.example": {"auth": AUTH}}}),
}


@pytest.fixture(scope="module")
def manifests(tmp_path_factory):
    folder = tmp_path_factory.mktemp("markers")
    text = "".join(secret(name, ".dockerconfigjson", payload) for name, payload in PAYLOADS.items())
    text += secret("plain", ".dockerconfigjson", PAYLOADS["good"], plain=True)
    text += secret(
        "legacy",
        ".dockercfg",
        json.dumps({"cr.acme.example": {"auth": AUTH}}),
        "kubernetes.io/dockercfg",
    )
    text += secret("opaque", "password", PASSWORD, type_="Opaque")
    text += secret("bad-base64", ".dockerconfigjson", PASSWORD, plain=False).replace(
        b64(PASSWORD), PASSWORD + "?"
    )
    text += pod(
        "uses-all",
        "cr.acme.example/app:1",
        [
            "good",
            "fields",
            "no-colon",
            "bad-auth",
            "token-only",
            "no-auths",
            "not-json",
            "plain",
            "legacy",
            "opaque",
            "bad-base64",
        ],
    )
    text += pod("ecr", f"{ECR_HOST}/app:1", ["ecr"])
    text += pod("hub", "docker.io/acmecorp/private:1", ["hub-alias"])
    text += pod("mismatch", "cr.partner.example/app:1", ["good"])
    text += pod("elsewhere", "cr.acme.example/app:1", ["good", "missing"], ns="prod")
    text += pod("no-secret", "cr.acme.example/app:1", [])
    (folder / "all.yaml").write_text(text)
    return folder


def markers() -> set[str]:
    found = {USER, PASSWORD, TOKEN, EMAIL, AUTH, ECR_PASSWORD}
    for value in list(found) + [f"{USER}:{PASSWORD}", *PAYLOADS.values()]:
        found.add(b64(value))
        found |= base64_forms(value)
    return found


@pytest.mark.parametrize("output_format", FORMATS)
def test_no_credential_in_any_output(manifests, output_format):
    env = dict(os.environ, IMAGELINT_DEBUG="1")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "imagelint",
            "check",
            "--select",
            "ALL",
            "--format",
            output_format,
            str(manifests),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 1, result.stderr
    everything = result.stdout + result.stderr
    # The run must have reported on these secrets, or the search proves nothing.
    for rule in (
        "pull-secret-malformed",
        "pull-secret-wrong-type",
        "static-ecr-token",
        "pull-secret-registry-mismatch",
        "unused-pull-secret",
    ):
        assert rule in everything
    leaked = sorted(marker for marker in markers() if marker in everything)
    assert leaked == []


def test_base64_forms_find_a_marker_inside_a_blob():
    blob = b64("xx" + PASSWORD + "yyy")
    assert any(form in blob for form in base64_forms(PASSWORD))


def test_no_credential_in_baselines_or_output_files(manifests, tmp_path):
    outputs = [tmp_path / f"out.{name}" for name in FORMATS]
    args = [sys.executable, "-m", "imagelint", "check", "--select", "ALL", str(manifests)]
    args += ["--write-baseline", str(tmp_path / "baseline.json")]
    for name, output in zip(FORMATS, outputs, strict=True):
        args += ["--format", name, "--output", str(output)]
    result = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr  # writing a baseline adopts the findings
    written = (tmp_path / "baseline.json").read_text() + "".join(o.read_text() for o in outputs)
    assert "pull-secret-malformed" in written
    assert (
        sorted(marker for marker in markers() if marker in written + result.stdout + result.stderr)
        == []
    )


@pytest.mark.parametrize("output_format", FORMATS)
def test_no_credential_in_online_outputs_or_the_cache(registry_basic, tmp_path, output_format):
    """Refused credentials from a pull secret and from the user's docker config, a login that
    works, a Secret with a token only: the findings name where credentials came from, and the
    outputs, the debug stream and the cache on disk hold none of them."""
    registry = registry_basic
    registry.push("team/app", "1.0", "oci")
    host = registry.host
    wrong = json.dumps({"auths": {host: {"auth": AUTH, "email": EMAIL}}})
    token = json.dumps({"auths": {host: {"identitytoken": TOKEN}}})
    text = secret("wrong", ".dockerconfigjson", wrong) + secret("token", ".dockerconfigjson", token)
    text += pod("refused", f"{host}/team/app:1.0", ["wrong"])
    text += pod("token", f"{host}/team/app:1.1", ["token"])
    text += pod("external", f"{host}/team/app:1.2", ["kept-elsewhere"])
    (tmp_path / "online.yaml").write_text(text)
    docker = tmp_path / "docker"
    docker.mkdir()
    # The user's login: right user, marker password (refused); then a second run uses it right.
    (docker / "config.json").write_text(
        json.dumps({"auths": {host: {"auth": b64(f"alice:{PASSWORD}")}}})
    )
    cache = tmp_path / "cache"
    env = dict(os.environ, IMAGELINT_DEBUG="1", DOCKER_CONFIG=str(docker))
    args = [sys.executable, "-m", "imagelint", "check", "--online", "--cache-dir", str(cache)]
    args += ["--external-secret", "shop/kept-elsewhere", "--format", output_format]
    result = subprocess.run(
        [*args, str(tmp_path / "online.yaml")], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert result.returncode == 1, result.stderr
    everything = result.stdout + result.stderr
    assert "registry-auth-failed" in everything and "pull secret shop/wrong" in everything
    (docker / "config.json").write_text(
        json.dumps({"auths": {host: {"auth": b64(f"alice:{registry.password}")}}})
    )
    again = subprocess.run(
        [*args, str(tmp_path / "online.yaml")], capture_output=True, text=True, cwd=ROOT, env=env
    )
    everything += again.stdout + again.stderr
    cached = "".join(p.read_text() for p in cache.iterdir())
    assert cached  # the second run kept answers
    secrets = markers() | {registry.password, b64(f"alice:{registry.password}")}
    assert sorted(marker for marker in secrets if marker in everything + cached) == []
