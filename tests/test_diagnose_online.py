"""`imagelint diagnose --online`: the registry asked now, with the pod's credentials, through the
registry client of `check --online` (a real docker-registry on loopback, tests/registry)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from imagelint.cli import cli


def pod(name: str, image: str, message: str, node: str = "amd") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "shop", "uid": f"u-{name}"},
        "spec": {"nodeName": node, "containers": [{"name": "app", "image": image}]},
        "status": {
            "phase": "Pending",
            "containerStatuses": [
                {
                    "name": "app",
                    "image": image,
                    "state": {"waiting": {"reason": "ErrImagePull", "message": message}},
                }
            ],
        },
    }


def node(name: str, arch: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "status": {"nodeInfo": {"architecture": arch, "operatingSystem": "linux"}},
    }


def test_the_registry_says_whether_it_agrees_now(registry_plain, tmp_path):
    registry_plain.push("shop/api", "1.0", "oci")  # linux/amd64 only
    host = registry_plain.host
    not_found = (
        'failed to pull and unpack image "{0}": failed to resolve reference "{0}": {0}: not found'
    )
    platform = 'failed to pull and unpack image "{0}": no match for platform in manifest: not found'
    items = [
        pod("pushed-since", f"{host}/shop/api:1.0", not_found.format(f"{host}/shop/api:1.0")),
        pod("still-missing", f"{host}/shop/api:2.0", not_found.format(f"{host}/shop/api:2.0")),
        pod("on-arm", f"{host}/shop/api:1.0", platform.format(f"{host}/shop/api:1.0"), "arm"),
        node("amd", "amd64"),
        node("arm", "arm64"),
    ]
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    result = CliRunner().invoke(
        cli, ["diagnose", "--online", "--isolated", "--format", "json", str(dump)]
    )
    assert result.exit_code == 1, result.output
    found = {d["pod"]: d for d in json.loads(result.stdout)["diagnoses"]}

    since = found["pushed-since"]
    assert since["cause"] == "tag-not-found"
    assert since["next"][0]["step"].startswith("The tag exists now (asked anonymously)")
    assert "the next retry will pull it" in since["next"][0]["step"]

    missing = found["still-missing"]
    assert missing["next"][0]["step"].startswith("The registry still has no such tag")
    assert "tag-not-found" in {f["rule"] for f in missing["findings"]}

    arm = found["on-arm"]
    assert arm["cause"] == "platform-mismatch"
    assert arm["node"]["architecture"] == "arm64"
    assert "linux/amd64" in arm["next"][0]["step"]  # what the image offers
    platform_findings = [f for f in arm["findings"] if f["rule"] == "platform-missing"]
    assert platform_findings and "arm64" in platform_findings[0]["message"]


def test_offline_asks_nothing(tmp_path):
    items = [pod("p", "127.0.0.1:9/shop/api:1.0", "x: not found"), node("amd", "amd64")]
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    result = CliRunner().invoke(cli, ["diagnose", "--format", "json", str(dump)])
    (diagnosis,) = json.loads(result.stdout)["diagnoses"]
    assert not any(f["rule"] == "registry-unreachable" for f in diagnosis["findings"])
