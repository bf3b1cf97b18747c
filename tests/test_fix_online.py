"""``check --online --fix --unsafe-fixes`` pins tags to the digests a real registry (Debian's
docker-registry on loopback, tests/registry) gives for them: ``app:1.0`` -> ``app:1.0@sha256:...``,
``app:latest`` -> ``app@sha256:...``, a multi-platform image to its index digest, asked with the
pod's own pull secret; exact bytes of the file afterwards."""

from __future__ import annotations

import base64
import hashlib
import json

import httpx
import pytest

from imagelint.core.model import Settings
from imagelint.core.selection import select
from imagelint.online.checker import Checker
from imagelint.online.client import RegistryClient
from imagelint.running.engine import Engine
from tests.fixing import fix, invoke
from tests.kustomize_truth import kubectl_build

PIN = ("--online", "--no-cache", "--extend-select", "unpinned-tag")

MANIFEST = """\
# the shop's images
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers:
    - name: a
      image: HOST/shop/app:1.0   # a release
    - name: b
      image: 'HOST/shop/app:latest'
    - name: c
      image: "HOST/shop/web:2.0"
    - {name: d, image: HOST/shop/app}
"""


@pytest.fixture(scope="module")
def shop(registry_plain):
    registry = registry_plain
    pushed = {
        "app:1.0": registry.push("shop/app", "1.0", "oci"),
        "app:latest": registry.push("shop/app", "latest", "docker"),
        "web:2.0": registry.push("shop/web", "2.0", "index"),  # linux/amd64 + linux/arm64
    }
    return registry, pushed


def test_tags_are_pinned_and_latest_replaced_exact_bytes(tmp_path, shop):
    registry, pushed = shop
    text = MANIFEST.replace("HOST", registry.host)
    fixed, result = fix(tmp_path / "pod.yaml", text, *PIN, "--unsafe-fixes")
    app, latest, web = pushed["app:1.0"], pushed["app:latest"], pushed["web:2.0"]
    assert web.media_type == "application/vnd.oci.image.index.v1+json"
    host = registry.host
    assert fixed.decode() == (
        MANIFEST.replace("HOST/shop/app:1.0", f"HOST/shop/app:1.0@{app.digest}")
        .replace("'HOST/shop/app:latest'", f"'HOST/shop/app@{latest.digest}'")
        .replace('"HOST/shop/web:2.0"', f'"HOST/shop/web:2.0@{web.digest}"')  # the index
        .replace("HOST/shop/app}", f"HOST/shop/app@{latest.digest}}}")
        .replace("HOST", host)
    ), result.output
    assert "fixed 4 finding(s) in 1 file(s)" in result.output
    assert result.exit_code == 0, result.output
    # Pinned: nothing more to fix or report.
    again, result = fix(tmp_path / "pod.yaml", fixed, *PIN, "--unsafe-fixes")
    assert again == fixed and "fixed 0 finding(s)" in result.output


def test_only_with_unsafe_fixes_and_only_online(tmp_path, shop):
    registry, _ = shop
    text = MANIFEST.replace("HOST", registry.host)
    fixed, result = fix(tmp_path / "pod.yaml", text, *PIN)
    assert fixed.decode() == text
    assert "fixed 0 finding(s)" in result.output
    assert "4 more fix(es) available with --unsafe-fixes" in result.output
    assert result.output.count("unpinned-tag") == 4
    offline = ("--extend-select", "unpinned-tag", "--unsafe-fixes")
    fixed, result = fix(tmp_path / "pod.yaml", text, *offline)
    assert fixed.decode() == text and "unpinned-tag" not in result.output
    # Off by default: --online alone pins nothing.
    fixed, result = fix(tmp_path / "pod.yaml", text, "--online", "--no-cache", "--unsafe-fixes")
    assert fixed.decode() == text and "unpinned-tag" not in result.output


def test_diff_shows_the_pin(tmp_path, shop, monkeypatch):
    registry, pushed = shop
    monkeypatch.chdir(tmp_path)
    image = f"{registry.host}/shop/app:1.0"
    (tmp_path / "pod.yaml").write_text(MANIFEST.replace("HOST", registry.host))
    result = invoke("--diff", "--unsafe-fixes", *PIN, "pod.yaml")
    assert result.exit_code == 1
    assert f"+      image: {image}@{pushed['app:1.0'].digest}   # a release\n" in result.stdout


def test_a_missing_tag_is_not_pinned(tmp_path, shop):
    registry, _ = shop
    text = MANIFEST.replace("HOST", registry.host).replace("app:1.0", "app:9.9")
    fixed, result = fix(tmp_path / "pod.yaml", text, *PIN, "--unsafe-fixes")
    assert f"{registry.host}/shop/app:9.9   # a release" in fixed.decode()
    assert "tag-not-found" in result.output


def pull_secret(host: str, user: str, password: str) -> str:
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    config = base64.b64encode(json.dumps({"auths": {host: {"auth": auth}}}).encode()).decode()
    return (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: regcred, namespace: shop}\n"
        f"type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {config}\n---\n"
    )


def test_resolved_with_the_pods_own_pull_secret_only(tmp_path, registry_basic, monkeypatch):
    registry = registry_basic
    digest = registry.push("team/app", "1.0", "oci").digest
    image = f"{registry.host}/team/app:1.0"
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n"
        "  imagePullSecrets: [{name: regcred}]\n"
        f"  containers:\n    - name: c\n      image: {image}\n"
    )
    text = pull_secret(registry.host, registry.username, registry.password) + pod
    fixed, result = fix(tmp_path / "pod.yaml", text, *PIN, "--unsafe-fixes")
    assert fixed.decode() == text.replace(image, f"{image}@{digest}"), result.output
    # Only the user's own login can read it: the pod could not pull, so nothing is pinned.
    folder = tmp_path / "docker"
    folder.mkdir()
    login = base64.b64encode(f"{registry.username}:{registry.password}".encode()).decode()
    (folder / "config.json").write_text(json.dumps({"auths": {registry.host: {"auth": login}}}))
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    lone = pod.replace("  imagePullSecrets: [{name: regcred}]\n", "")
    fixed, result = fix(tmp_path / "pod.yaml", lone, *PIN, "--unsafe-fixes")
    assert fixed.decode() == lone
    assert "registry-auth-failed" in result.output or "missing-pull-secret" in result.output


def test_a_registry_naming_no_digest_gets_the_manifests_sha256():
    """Without a Docker-Content-Digest header, the digest is the sha256 of the manifest's bytes,
    as the runtime computes it (one GET more)."""
    body = json.dumps({"schemaVersion": 2, "mediaType": "x", "manifests": []}).encode()
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        return httpx.Response(200, content=b"" if request.method == "HEAD" else body)

    def online(run, records):
        transport = httpx.MockTransport(handler)
        with RegistryClient(transport=transport, sleep=lambda s: None) as client:
            return Checker(Settings(), client, content=False)(run, records)

    engine = Engine(Settings(), rules=select(extend_select=["unpinned-tag"]), online=online)
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
    text += "    - {name: c, image: registry.test/app:1.0}\n"
    [finding] = [f for f in engine.check_text("a.yaml", text).findings if f.rule == "unpinned-tag"]
    assert finding.edit.new == "@sha256:" + hashlib.sha256(body).hexdigest()
    assert seen == ["HEAD", "GET"]


def test_in_a_kustomize_tree_the_overlays_new_tag_is_pinned(tmp_path, shop):
    registry, pushed = shop
    host = registry.host
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        f"    - {{name: a, image: {host}/shop/app:0.9}}\n"
        f"    - {{name: w, image: {host}/shop/web:0.9}}\n"
    )
    (tmp_path / "base" / "kustomization.yaml").write_text("resources: [pod.yaml]\n")
    overlay = (
        "resources: [base]\nimages:\n"
        f"  - name: {host}/shop/app\n    newTag: '1.0'\n"
        f'  - name: {host}/shop/web\n    newTag: "2.0"  # the release\n'
    )
    (tmp_path / "kustomization.yaml").write_text(overlay)
    result = invoke("--fix", "--unsafe-fixes", *PIN, str(tmp_path))
    app, web = pushed["app:1.0"].digest, pushed["web:2.0"].digest
    assert (tmp_path / "kustomization.yaml").read_text() == overlay.replace(
        "'1.0'", f"'1.0@{app}'"
    ).replace('"2.0"', f'"2.0@{web}"'), result.output
    assert "0.9" in (tmp_path / "base" / "pod.yaml").read_text()  # the base is left alone
    # kustomize itself builds the pinned images from the edited newTag lines.
    [built] = kubectl_build(tmp_path)
    assert [c["image"] for c in built["spec"]["containers"]] == [
        f"{host}/shop/app:1.0@{app}",
        f"{host}/shop/web:2.0@{web}",
    ]
