"""``imagelint check --online`` against real registries (Debian's docker-registry on loopback,
started by tests/registry): every online rule, every way of getting credentials, and the faults.
No mocks here: tests/test_online_client.py has the MockTransport unit tests."""

from __future__ import annotations

import base64
import json
import os
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from imagelint.cli import cli
from tests.registry.proxy import delaying_proxy

ONLINE_RULES = {
    "tag-not-found",
    "repository-not-found",
    "registry-auth-failed",
    "platform-missing",
    "image-too-large",
    "registry-unreachable",
    "registry-rate-limited",
}


# -- manifests ---------------------------------------------------------------------------------


def deployment(
    name: str,
    images: list[str],
    secrets: tuple[str, ...] = (),
    namespace: str = "shop",
    node_selector: dict[str, str] | None = None,
) -> str:
    lines = [
        "apiVersion: apps/v1",
        "kind: Deployment",
        f"metadata: {{name: {name}, namespace: {namespace}}}",
        "spec:",
        "  template:",
        "    spec:",
    ]
    if node_selector:
        lines.append(f"      nodeSelector: {json.dumps(node_selector)}")
    if secrets:
        lines.append(
            "      imagePullSecrets: [" + ", ".join(f"{{name: {s}}}" for s in secrets) + "]"
        )
    lines.append("      containers:")
    for index, image in enumerate(images):
        lines.append(f"        - name: c{index}")
        lines.append(f'          image: "{image}"')
    return "\n".join(lines) + "\n---\n"


def pull_secret(name: str, host: str, user: str, password: str, namespace: str = "shop") -> str:
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    config = json.dumps({"auths": {host: {"auth": auth}}})
    data = base64.b64encode(config.encode()).decode()
    return (
        f"apiVersion: v1\nkind: Secret\nmetadata: {{name: {name}, namespace: {namespace}}}\n"
        f"type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {data}\n---\n"
    )


def docker_config(folder: Path, auths: dict | None = None, **fields) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    document = {"auths": auths or {}, **fields}
    (folder / "config.json").write_text(json.dumps(document))
    return folder


def login(user: str, password: str) -> dict:
    return {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}


def check(tmp_path: Path, text: str, *flags: str, config: str = "") -> tuple[int, list[dict], str]:
    """Run the command line on ``text``; the exit code, the online findings, stderr."""
    manifest = tmp_path / "app.yaml"
    manifest.write_text(text)
    (tmp_path / ".imagelint.yaml").write_text(config or "fail-on: warning\n")
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = runner.invoke(
            cli,
            ["check", "--online", "--no-cache", "--format", "json", "app.yaml", *flags],
        )
    finally:
        os.chdir(old)
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)
    found = [f for f in document["findings"] if f["rule"] in ONLINE_RULES]
    return result.exit_code, found, result.stderr


def by_image(findings: list[dict]) -> dict[str, list[tuple[str, str]]]:
    grouped: dict[str, list[tuple[str, str]]] = {}
    for finding in findings:
        grouped.setdefault(finding["image"], []).append((finding["rule"], finding["message"]))
    return grouped


# -- plain registry: what exists, what does not ------------------------------------------------


@pytest.fixture(scope="module")
def shop(registry_plain):
    """Images of every kind in the plain registry."""
    registry = registry_plain
    registry.push("shop/api", "v1.2.3", "oci")
    registry.push("shop/api", "1.2.4", "docker")
    registry.push("shop/web", "2.0", "index")  # linux/amd64 + linux/arm64
    registry.push("shop/web", "2.0-docker", "docker-list")
    registry.push("shop/arm", "1.0", "oci", platforms="linux/arm64")
    registry.push("shop/big", "1.0", "oci", layer_size=[600_000, 700_000])
    return registry


def test_images_that_exist_give_no_finding(tmp_path, shop):
    host = shop.host
    images = [f"{host}/shop/api:v1.2.3", f"{host}/shop/api:1.2.4", f"{host}/shop/web:2.0",
              f"{host}/shop/web:2.0-docker"]  # fmt: skip
    digest = shop.push("shop/api", "pinned", "oci", seed="shop/api:v1.2.3").digest
    images.append(f"{host}/shop/api@{digest}")
    code, found, _ = check(tmp_path, deployment("api", images))
    assert (code, found) == (0, [])


def test_missing_tag_suggests_the_v_prefixed_one(tmp_path, shop):
    image = f"{shop.host}/shop/api:1.2.3"
    code, found, _ = check(tmp_path, deployment("api", [image]))
    [finding] = found
    assert code == 1
    assert finding["rule"] == "tag-not-found" and finding["code"] == "IL301"
    assert finding["message"] == (
        f'the tag "1.2.3" does not exist in {shop.host}/shop/api (asked anonymously); nearest '
        'existing tags: "v1.2.3", "1.2.4"'
    )
    assert (finding["line"], finding["column"]) == (9, 19 + len(f"{shop.host}/shop/api:"))


def test_missing_digest_and_missing_repository(tmp_path, shop):
    digest = "sha256:" + "0" * 64
    missing_digest = f"{shop.host}/shop/api@{digest}"
    missing_repo = f"{shop.host}/shop/apii:v1.2.3"
    _, found, _ = check(tmp_path, deployment("api", [missing_digest, missing_repo]))
    grouped = by_image(found)
    assert grouped[missing_digest] == [
        ("tag-not-found", f'the digest "{digest}" does not exist in {shop.host}/shop/api '
         "(asked anonymously)")
    ]  # fmt: skip
    assert grouped[missing_repo] == [
        ("repository-not-found", f"the repository {shop.host}/shop/apii does not exist on "
         f"{shop.host} (asked anonymously)")
    ]  # fmt: skip


def test_a_removed_tag_is_found_missing_at_once(tmp_path, make_registry):
    registry = make_registry("plain")
    registry.push("shop/api", "1.0", "oci")
    registry.push("shop/api", "1.1", "oci")
    image = f"{registry.host}/shop/api:1.1"
    assert check(tmp_path, deployment("api", [image]))[1] == []
    registry.remove_tag("shop/api", "1.1")
    [finding] = check(tmp_path, deployment("api", [image]))[1]
    assert finding["rule"] == "tag-not-found" and '"1.0"' in finding["message"]


def test_platforms_of_indexes_and_single_images(tmp_path, shop):
    host = shop.host
    web, arm = f"{host}/shop/web:2.0", f"{host}/shop/arm:1.0"
    text = deployment("default-nodes", [web, arm]) + deployment(
        "s390x", [web], node_selector={"kubernetes.io/arch": "s390x"}
    )
    _, found, _ = check(tmp_path, text)
    messages = sorted((f["line"], f["message"]) for f in found if f["rule"] == "platform-missing")
    assert messages == [
        (11, f"{arm} is a single-platform image for linux/arm64, but this pod runs on "
         "linux/amd64 (the configured platforms)"),
        (22, f"{web} offers linux/amd64, linux/arm64 but not linux/s390x; this pod runs on "
         "linux/s390x (its nodeSelector)"),
    ]  # fmt: skip
    # The configured platforms of the cluster's nodes replace linux/amd64.
    _, found, _ = check(tmp_path, deployment("default-nodes", [web, arm]), "--platform",
                        "linux/arm64")  # fmt: skip
    assert found == []


def test_image_too_large(tmp_path, shop):
    image = f"{shop.host}/shop/big:1.0"
    _, found, _ = check(tmp_path, deployment("big", [image]), config="max-image-size: 1MiB\n")
    [finding] = found
    assert finding["rule"] == "image-too-large" and finding["severity"] == "warning"
    assert finding["message"].startswith(f"{image} is 1.2 MiB compressed (linux/amd64), above ")
    assert "max-image-size (1MiB)" in finding["message"]
    assert check(tmp_path, deployment("big", [image]))[1] == []  # under the default 1 GiB


# -- credentials: pull secrets, the user's logins, helpers -------------------------------------


def test_basic_auth_with_the_pods_pull_secret(tmp_path, registry_basic):
    registry = registry_basic
    registry.push("team/app", "1.0", "oci")
    good, missing = f"{registry.host}/team/app:1.0", f"{registry.host}/team/app:2.0"
    text = pull_secret("regcred", registry.host, registry.username, registry.password)
    text += deployment("app", [good, missing], secrets=("regcred",))
    _, found, _ = check(tmp_path, text)
    assert by_image(found) == {
        missing: [("tag-not-found", f'the tag "2.0" does not exist in {registry.host}/team/app '
                   '(asked with pull secret shop/regcred); nearest existing tags: "1.0"')]
    }  # fmt: skip


def test_a_wrong_password_in_the_pull_secret(tmp_path, registry_basic):
    registry = registry_basic
    registry.push("team/app", "1.0", "oci")
    image = f"{registry.host}/team/app:1.0"
    text = pull_secret("regcred", registry.host, registry.username, "rotated-password-MARKER")
    text += deployment("app", [image], secrets=("regcred",))
    code, found, stderr = check(tmp_path, text)
    [finding] = found
    assert code == 1 and finding["rule"] == "registry-auth-failed"
    assert finding["message"] == (
        f"{registry.host} refused the credentials of pull secret shop/regcred (wrong user name "
        f"or password, or expired), so {image} cannot be pulled"
    )
    assert "MARKER" not in json.dumps(found) + stderr


def test_no_pull_secret_but_the_users_login_reads_it(tmp_path, registry_basic, monkeypatch):
    """The pod has no credentials: the pull fails, and the user's login proves the image is
    there (so the finding is about the missing pull secret, not the image)."""
    registry = registry_basic
    registry.push("team/app", "1.0", "oci")
    image = f"{registry.host}/team/app:1.0"
    folder = docker_config(
        tmp_path / "docker", {registry.host: login(registry.username, registry.password)}
    )
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    [finding] = check(tmp_path, deployment("app", [image]))[1]
    assert finding["rule"] == "registry-auth-failed" and finding["severity"] == "error"
    assert finding["message"] == (
        f"{registry.host} demands credentials, and the pod has no pull secret that the kubelet "
        f"sends there; the image exists (asked with $DOCKER_CONFIG/config.json ({folder}/"
        "config.json)), so the pull fails on every node that has no credentials of its own for it"
    )


def test_a_secret_kept_elsewhere_is_stood_in_for_by_the_users_login(
    tmp_path, registry_basic, monkeypatch
):
    registry = registry_basic
    registry.push("team/app", "1.0", "oci")
    good, missing = f"{registry.host}/team/app:1.0", f"{registry.host}/team/app:1.1"
    text = deployment("app", [good, missing], secrets=("regcred",))
    flags = ("--external-secret", "shop/regcred")
    # Without a login of the user's: say it could not be checked (a warning).
    [first, second] = check(tmp_path, text, *flags)[1]
    assert {first["severity"], second["severity"]} == {"warning"}
    assert 'the pod\'s pull secrets ("regcred") are not in the manifests' in first["message"]
    # With one: the missing tag is found, with the user's login named.
    folder = docker_config(
        tmp_path / "docker", {f"http://{registry.host}/v2/": login("alice", registry.password)}
    )
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    [finding] = check(tmp_path, text, *flags)[1]
    assert finding["image"] == missing and finding["rule"] == "tag-not-found"
    assert f"asked with $DOCKER_CONFIG/config.json ({folder}/config.json)" in finding["message"]


def test_credentials_from_a_credential_helper(tmp_path, registry_basic, monkeypatch):
    registry = registry_basic
    registry.push("team/app", "1.0", "oci")
    helper_dir = tmp_path / "bin"
    helper_dir.mkdir()
    helper = helper_dir / "docker-credential-imagelint-test"
    answer = json.dumps(
        {"ServerURL": registry.host, "Username": registry.username, "Secret": registry.password}
    )
    helper.write_text(
        "#!/bin/sh\n"
        f'read server; if [ "$server" = "{registry.host}" ]; then echo \'{answer}\'; '
        "else echo 'credentials not found in native keychain'; exit 1; fi\n"
    )
    helper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{helper_dir}{os.pathsep}{os.environ['PATH']}")
    folder = docker_config(tmp_path / "docker", credHelpers={registry.host: "imagelint-test"})
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    image = f"{registry.host}/team/app:1.1"
    text = deployment("app", [image], secrets=("regcred",))
    [finding] = check(tmp_path, text, "--external-secret", "shop/regcred")[1]
    assert finding["rule"] == "tag-not-found"
    assert "asked with docker-credential-imagelint-test (credHelpers in" in finding["message"]


def test_token_auth_scopes_and_token_reuse(tmp_path, registry_token):
    registry = registry_token
    server = registry.token_server
    for repo in ("team/app", "team/worker", "public/tool"):
        registry.push(repo, "1.0", "oci")
    host = registry.host
    text = pull_secret("reader", host, "reader", registry.users["reader"])
    text += pull_secret("nopull", host, "nopull", registry.users["nopull"])
    text += pull_secret("wrong", host, "reader", "not-the-password")
    text += deployment("reads", [f"{host}/team/app:1.0", f"{host}/team/app:1.1",
                                 f"{host}/team/worker:1.0"], secrets=("reader",))  # fmt: skip
    text += deployment("nopull", [f"{host}/team/worker:1.0"], secrets=("nopull",))
    text += deployment("wrong", [f"{host}/team/worker:1.0"], secrets=("wrong",))
    text += deployment("anonymous", [f"{host}/public/tool:1.0", f"{host}/team/app:1.0"])
    server.reset()
    _, found, _ = check(tmp_path, text)
    messages = sorted((f["rule"], f["message"]) for f in found)
    app, worker = f"{host}/team/app", f"{host}/team/worker"
    assert messages == [
        ("registry-auth-failed", f"{host} demands credentials, and the pod has no pull secret "
         f"that the kubelet sends there, so {app}:1.0 cannot be pulled"),
        ("registry-auth-failed", f"{host} gave pull secret shop/nopull no pull access to "
         f"{worker} (insufficient_scope or 403), so {worker}:1.0 cannot be pulled"),
        ("registry-auth-failed", f"{host} refused the credentials of pull secret shop/wrong "
         f"(wrong user name or password, or expired), so {worker}:1.0 cannot be pulled"),
        ("tag-not-found", f'the tag "1.1" does not exist in {app} (asked with pull secret '
         'shop/reader); nearest existing tags: "1.0"'),
    ]  # fmt: skip
    # One token per repository and credential, however many tags were asked about.
    reader = [r for r in server.requests if r.user == "reader" and r.status == 200]
    assert sorted(scope for r in reader for scope in r.scopes) == [
        "repository:team/app:pull",
        "repository:team/worker:pull",
    ]


def test_basic_credentials_go_to_the_token_service_never_to_the_registry(tmp_path, registry_token):
    registry = registry_token
    registry.push("team/app", "1.0", "oci")
    with delaying_proxy(registry.url, delay=0) as proxy:
        image = f"{proxy.host}/team/app:1.0"
        text = pull_secret("reader", proxy.host, "reader", registry.users["reader"])
        text += deployment("app", [image], secrets=("reader",))
        assert check(tmp_path, text)[1] == []
        sent = [a for a in proxy.authorizations() if a]
    assert sent and all(a.startswith("Bearer ") for a in sent)


# -- TLS -------------------------------------------------------------------------------------


def test_tls_with_and_without_the_private_ca(tmp_path, registry_tls, registry_tls_wrong_host):
    registry_tls.push("team/app", "1.0", "oci")
    image = f"{registry_tls.host}/team/app:1.0"
    assert check(tmp_path, deployment("app", [image]), "--ca-file", registry_tls.ca_file)[1] == []
    [finding] = check(tmp_path, deployment("app", [image]))[1]
    assert finding["rule"] == "registry-unreachable"
    assert finding["message"].startswith(
        f"could not check {image}: TLS certificate of 127.0.0.1 not accepted ("
    )
    assert "a private CA goes in --ca-file" in finding["message"]
    wrong = f"{registry_tls_wrong_host.host}/team/app:1.0"
    [finding] = check(tmp_path, deployment("app", [wrong]), "--ca-file", registry_tls.ca_file)[1]
    assert finding["rule"] == "registry-unreachable" and "mismatch" in finding["message"]


# -- faults ----------------------------------------------------------------------------------


def test_a_registry_that_is_down_is_unreachable_and_the_others_still_answer(
    tmp_path, make_registry, shop
):
    down = make_registry("plain")
    down.push("team/app", "1.0", "oci")
    down.stop()
    gone = f"{down.host}/team/app:1.0"
    missing = f"{shop.host}/shop/api:9.9"
    grouped = by_image(check(tmp_path, deployment("app", [gone, missing]))[1])
    assert grouped[gone] == [
        ("registry-unreachable", f"could not check {gone}: connection to {down.host} refused")
    ]
    assert grouped[missing][0][0] == "tag-not-found"


def test_a_registry_that_stops_mid_run(make_registry):
    """Answers given before it stopped stand; the rest are unreachable, never missing."""
    from imagelint.core.model import Settings
    from imagelint.online.checker import Checker
    from imagelint.online.client import RegistryClient
    from imagelint.running.engine import Engine

    registry = make_registry("plain")
    for tag in ("1", "2", "3", "4"):
        registry.push("team/app", tag, "oci")
    text = deployment("app", [f"{registry.host}/team/app:{t}" for t in ("1", "2", "3", "4")])

    class StopsAfterTwo(RegistryClient):
        asked = 0

        def manifest(self, *args, **kwargs):
            reply = super().manifest(*args, **kwargs)
            self.asked += 1
            if self.asked == 2:
                registry.stop()
            return reply

    def online(run, records):
        with StopsAfterTwo(timeout=10) as client:
            return Checker(Settings(), client, content=False, workers=1)(run, records)

    report = Engine(online=online).check_text("app.yaml", text)
    rules = [f.rule for f in report.findings if f.rule in ONLINE_RULES]
    assert rules == ["registry-unreachable", "registry-unreachable"]


def test_a_slow_registry_times_out_within_the_limit(tmp_path, slow_server, shop):
    slow_server.delay = 30
    slow = f"{slow_server.host}/team/app:1.0"
    other = f"{shop.host}/shop/api:v1.2.3"
    started = time.monotonic()
    _, found, _ = check(tmp_path, deployment("app", [slow, other]), "--timeout", "2")
    elapsed = time.monotonic() - started
    assert elapsed < 10  # bounded by --timeout (2 s), not by the server's 30 s
    [finding] = found
    assert finding["image"] == slow and finding["rule"] == "registry-unreachable"
    assert "--timeout 2 s" in finding["message"] or "timed out" in finding["message"]


def test_rate_limited_with_the_limit_headers(tmp_path, too_many_requests_server):
    server = too_many_requests_server
    image = f"{server.host}/team/app:1.0"
    [finding] = check(tmp_path, deployment("app", [image]), "--timeout", "10")[1]
    assert finding["rule"] == "registry-rate-limited" and finding["severity"] == "warning"
    assert finding["message"] == (
        f"could not check {image}: 127.0.0.1 answered 429 Too Many Requests (limit 100 per 6 h, "
        "0 remaining, retry after 1 s, counted for 127.0.0.1)"
    )
    assert server.count >= 3  # Retry-After: 1 was honoured, twice, before giving up


# -- the cache -----------------------------------------------------------------------------


def test_a_second_run_asks_nothing_and_the_cache_holds_no_secret(tmp_path, registry_basic):
    from imagelint.core.model import Settings
    from imagelint.online.step import OnlineSettings, OnlineStep
    from imagelint.running.engine import Engine

    registry = registry_basic
    registry.push("team/app", "1.0", "index")
    images = [f"{registry.host}/team/app:1.0", f"{registry.host}/team/app:1.1"]
    marker = "CACHE-MARKER-" + registry.password
    text = pull_secret("regcred", registry.host, registry.username, registry.password)
    text += pull_secret("unused", "elsewhere.example", "someone", marker)
    text += deployment("app", images, secrets=("regcred",))
    cache_dir = tmp_path / "cache"
    counts = []
    for run in range(3):
        settings = Settings()
        step = OnlineStep(settings, OnlineSettings(cache_dir=str(cache_dir)), {"platform-missing"})
        manifests = text if run < 2 else text.replace(images[1], images[0])
        report = Engine(settings, online=step).check_text("app.yaml", manifests)
        rules = [f.rule for f in report.findings if f.rule in ONLINE_RULES]
        assert rules == (["tag-not-found"] if run < 2 else [])
        counts.append(step.answers.requests)
    # The first run reads the index and its amd64 image; the second asks only about the
    # missing tag (answers that found nothing are not kept); the third asks nothing at all.
    assert counts[0] > counts[1] > counts[2] == 0
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    [cached] = list(cache_dir.iterdir())
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600
    content = cached.read_text()
    for secret in (
        registry.password,
        marker,
        base64.b64encode(registry.password.encode()).decode(),
    ):
        assert secret not in content
    assert "pull secret shop/regcred" in content  # where the credential came from, not what
