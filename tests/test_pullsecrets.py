"""Pull-secret semantics as the kubelet and the ServiceAccount admission implement them."""

from __future__ import annotations

import base64
import json
import pickle

import pytest

from imagelint.core.credential import Credential
from imagelint.pullsecrets.dockerconfig import parse_docker_config
from imagelint.pullsecrets.matching import (
    covering,
    is_docker_hub,
    key_matches,
    normalize_key,
    registry_pattern_matches,
)
from tests.helpers import check_text


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "key, normalized",
    [
        ("https://index.docker.io/v1/", "index.docker.io"),
        ("docker.io", "docker.io"),
        ("registry.acme.io", "registry.acme.io"),
        ("http://registry.acme.io:5000/v2/", "registry.acme.io:5000"),
        ("https://quay.io/coreos", "quay.io/coreos"),
        ("quay.io/v2/coreos", "quay.io/coreos"),
        ("*.acme.io", "*.acme.io"),
        ("not a host", None),
    ],
)
def test_key_normalization(key, normalized):
    assert normalize_key(key) == normalized


@pytest.mark.parametrize(
    "key, repository, matches",
    [
        ("docker.io", "docker.io/library/nginx", True),
        ("index.docker.io", "docker.io/library/nginx", False),  # only through the fallback
        ("registry.acme.io", "registry.acme.io/team/app", True),
        ("registry.acme.io", "registry.acme.io:5000/team/app", False),  # ports must be equal
        ("registry.acme.io:5000", "registry.acme.io:5000/team/app", True),
        ("*.acme.io", "registry.acme.io/app", True),
        ("*.acme.io", "acme.io/app", False),  # one label per *
        ("*.acme.io", "a.b.acme.io/app", False),
        ("reg*.acme.io", "registry.acme.io/app", True),
        ("quay.io/coreos", "quay.io/coreos/etcd", True),
        ("quay.io/coreos", "quay.io/coreosfoo/etcd", True),  # a plain string prefix
        ("quay.io/coreos", "quay.io/other/etcd", False),
        ("[fd00::1]:5000", "[fd00::1]:5000/app", True),
    ],
)
def test_key_matching(key, repository, matches):
    assert key_matches(key, repository) is matches


def test_docker_hub_fallback_and_aliases():
    entries, problems = parse_docker_config(
        json.dumps(
            {
                "auths": {
                    "https://index.docker.io/v1/": {"auth": b64("u:p")},
                    "registry-1.docker.io": {"auth": b64("u:p")},
                }
            }
        ).encode(),
        legacy=False,
    )
    assert problems == []
    [hub] = covering(entries, "docker.io/acme/tool")
    assert hub.key == "https://index.docker.io/v1/"
    assert covering(entries[1:], "docker.io/acme/tool") == []  # registry-1 never matches
    assert is_docker_hub("docker.io/library/nginx") and not is_docker_hub("ghcr.io/a/b")


@pytest.mark.parametrize(
    "payload, legacy, problem",
    [
        ("{", False, "is not valid JSON (line 1, column 2)"),
        ("[]", False, "is not a JSON object"),
        ('{"reg.io": {}}', False, "has no 'auths' object (the kubelet finds no registry in it)"),
        ('{"auths": []}', False, "has an 'auths' that is not an object"),
        ('{"auths": {}}', False, "has no registry entries"),
        (
            '{"auths": {"reg.io": {"auth": "%%%"}}}',
            False,
            "entry 'reg.io' has an 'auth' that is not valid base64",
        ),
        (
            json.dumps({"auths": {"reg.io": {"auth": b64("nocolon")}}}),
            False,
            "entry 'reg.io' has an 'auth' that does not decode to user:password",
        ),
        (
            '{"auths": {"reg.io": {"email": "a@b"}}}',
            False,
            "entry 'reg.io' has no credentials (no 'auth', and no 'username' and 'password')",
        ),
        (
            '{"auths": {"reg.io": {"identitytoken": "t"}}}',
            False,
            "entry 'reg.io' has only a token ('identitytoken'/'registrytoken'), which the kubelet ignores",
        ),
        (
            '{"auths": {"a b": {"auth": "dTpw"}}}',
            False,
            "entry 'a b' is not a registry address; the kubelet ignores it",
        ),
        (
            '{"auths": {"a": {}, "b": {}, "c": {}, "d": {}}}',
            False,
            "entries 'a', 'b' and 2 more has no credentials (no 'auth', and no 'username' and 'password')",
        ),
        ('{"reg.io": 3}', True, "entry 'reg.io' is not an object"),
    ],
)
def test_malformed_payloads(payload, legacy, problem):
    _, problems = parse_docker_config(payload.encode(), legacy)
    assert problems == [problem]


def test_auth_without_padding_and_username_password():
    payload = {
        "auths": {
            "a.io": {"auth": b64("user:pw").rstrip("=")},
            "b.io": {"username": "u", "password": "p"},
        }
    }
    entries, problems = parse_docker_config(json.dumps(payload).encode(), legacy=False)
    assert problems == [] and all(e.credential is not None for e in entries)


def test_credentials_never_print_but_survive_processes():
    credential = Credential("marker-user", "marker-password")
    assert "marker" not in repr(credential) and "marker" not in str(credential)
    assert "marker" not in repr(
        parse_docker_config(
            json.dumps({"auths": {"a.io": {"auth": b64("marker-user:marker-password")}}}).encode(),
            False,
        )
    )
    copy = pickle.loads(pickle.dumps(credential))
    assert (copy.username, copy.password) == ("marker-user", "marker-password")


@pytest.mark.parametrize(
    "pattern, repository, matches",
    [
        ("registry.acme.io", "registry.acme.io/app", True),
        ("registry.acme.io", "registry.acme.io.evil.io/app", False),
        ("*.acme.io", "eu.registry.acme.io/app", True),
        ("*.acme.io", "acme.io/app", False),
        ("*.acme.io", "acme.io.evil.io/app", False),
        ("registry.acme.io/team", "registry.acme.io/team/app", True),
        ("registry.acme.io/team", "registry.acme.io/teamx/app", False),
    ],
)
def test_registry_patterns(pattern, repository, matches):
    assert registry_pattern_matches(pattern, repository) is matches


SECRET = (
    "apiVersion: v1\nkind: Secret\nmetadata: {{name: {name}{ns}}}\ntype: kubernetes.io/dockerconfigjson\n"
    'stringData:\n  .dockerconfigjson: \'{{"auths": {{"{host}": {{"auth": "dTpw"}}}}}}\'\n---\n'
)


def pod(name: str, image: str, secrets=(), account: str | None = None, ns: str = "") -> str:
    lines = [f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}{ns}}}\nspec:"]
    if account:
        lines.append(f"  serviceAccountName: {account}")
    if secrets:
        lines.append("  imagePullSecrets: [" + ", ".join(f"{{name: {s}}}" for s in secrets) + "]")
    lines.append(f"  containers: [{{name: c, image: {image}}}]\n---\n")
    return "\n".join(lines)


def rules_of(text: str, **kwargs) -> list[tuple[str, str | None]]:
    return sorted(
        (f.rule, f.object.name if f.object else None)
        for f in check_text(text, **kwargs).findings
        if f.rule.startswith(("pull-secret", "missing-pull", "unused-pull"))
    )


def test_service_account_supplies_only_when_the_pod_lists_none():
    text = SECRET.format(name="acme", ns="", host="cr.acme.example") + SECRET.format(
        name="other", ns="", host="cr.other.example"
    )
    text += "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\nimagePullSecrets: [{name: acme}]\n---\n"
    text += pod("uses-sa", "cr.acme.example/app:1", account="sa")
    text += pod("shadows-sa", "cr.acme.example/app:1", secrets=["other"], account="sa")
    assert rules_of(text) == [("pull-secret-registry-mismatch", "shadows-sa")]


def test_objects_without_namespace_take_the_run_namespace():
    text = SECRET.format(name="acme", ns=", namespace: prod", host="cr.acme.example")
    text += pod("p", "cr.acme.example/app:1", secrets=["acme"])
    assert rules_of(text, namespace="prod") == []
    assert rules_of(text, namespace="default") == [
        ("pull-secret-wrong-namespace", "p"),
        ("unused-pull-secret", "acme"),
    ]


def test_without_any_secret_in_the_run_a_note_replaces_the_flood(tmp_path):
    from imagelint.core.model import Settings
    from imagelint.running.engine import Engine

    text = pod("a", "cr.acme.example/app:1", secrets=["cred-a"])
    text += pod("b", "cr.acme.example/app:1", secrets=["cred-b"])
    report = Engine().check_text("x.yaml", text)
    assert [f.rule for f in report.findings] == []
    assert report.notes == [
        "no Secret, SealedSecret or ExternalSecret in the inputs: the 2 imagePullSecrets names were "
        "not looked up (declare Secrets made elsewhere with --external-secret NS/NAME, or use "
        "--require-secrets to report them as missing)"
    ]
    strict = Engine(Settings(options={"require-secrets": True})).check_text("x.yaml", text)
    assert [f.rule for f in strict.findings] == ["pull-secret-not-found"] * 2
    declared = Engine(Settings(options={"external-secrets": ["*/cred-a"]})).check_text(
        "x.yaml", text
    )
    assert [(f.rule, f.object.name) for f in declared.findings] == [("pull-secret-not-found", "b")]
