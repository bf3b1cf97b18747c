"""`imagelint diagnose` on dumps: what kubectl prints (a List, several files, single objects, YAML
and JSON), the diagnoses in text and JSON, the exit codes, and bad input."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from imagelint.cli import cli

DATA = Path(__file__).parent / "data" / "diagnose"
CLUSTER = DATA / "cluster.json"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["diagnose", *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def diagnoses(*args: str, stdin: str | None = None) -> dict[tuple[str, str, str], dict]:
    code, out, _ = run("--format", "json", *args, stdin=stdin)
    assert code == 1
    return {(d["namespace"], d["pod"], d["container"]): d for d in json.loads(out)["diagnoses"]}


def test_the_issue_report_platform_mismatch_on_the_arm64_node():
    code, out, _ = run(str(DATA / "issue.yaml"))
    assert code == 1
    assert "Pod shop/api-7d9f8c6b5-x2k4q, on node worker-arm-1 (linux/arm64)" in out
    assert "ImagePullBackOff: platform-mismatch" in out
    assert "no match for platform in manifest" in out
    assert "401" not in out  # the older Event is not the failure of now
    found = diagnoses(str(DATA / "issue.yaml"))
    (only,) = found.values()
    assert only["node"] == {"name": "worker-arm-1", "os": "linux", "architecture": "arm64"}
    assert only["cause"] == "platform-mismatch"
    assert any("deployment/api" in (s["command"] or "") for s in only["next"])


def test_json_fields_are_the_issues():
    for diagnosis in diagnoses(str(CLUSTER)).values():
        assert list(diagnosis) == [
            "namespace",
            "pod",
            "container",
            "image",
            "reason",
            "cause",
            "evidence",
            "node",
            "findings",
            "next",
        ]


def test_each_failing_container_and_only_those():
    found = diagnoses(str(CLUSTER))
    causes = {key: d["cause"] for key, d in found.items()}
    assert causes == {
        ("ci", "cache", "redis"): "rate-limited",
        ("ci", "runner", "runner"): "auth-failed",
        ("dev", "local-build", "app"): "never-pull-missing",
        ("dev", "quiet", "app"): "unknown",
        ("shop", "api-debug", "debugger"): "tag-not-found",
        ("shop", "bad-name", "app"): "invalid-reference",
        ("shop", "worker-0", "migrate"): "auth-failed",
        ("shop", "worker-0", "sidecar"): "repository-not-found-or-unauthorized",
    }
    # healthy, unscheduled, config error, creating, and the app waiting on its init container
    assert ("shop", "worker-0", "app") not in found


def test_several_containers_of_a_pod_each_get_their_own_error():
    found = diagnoses(str(CLUSTER))
    init, sidecar = found["shop", "worker-0", "migrate"], found["shop", "worker-0", "sidecar"]
    assert "401 Unauthorized" in init["evidence"] and init["reason"] == "ErrImagePull"
    # the sidecar's bare back-off: its Event, not the newer ones of another pod or image
    assert "pull access denied" in sidecar["evidence"]
    assert "no such host" not in sidecar["evidence"] and "not found" not in sidecar["evidence"]


def test_findings_of_imagelints_rules_explain_it():
    found = diagnoses(str(CLUSTER))
    sidecar = found["shop", "worker-0", "sidecar"]
    rules = {f["rule"] for f in sidecar["findings"]}
    assert {"image-typo", "pull-secret-wrong-namespace"} <= rules
    commands = [s["command"] for s in sidecar["next"] if s["command"]]
    assert "kubectl -n shop set image statefulset/worker sidecar=nginx:1.25" in commands
    migrate = found["shop", "worker-0", "migrate"]
    assert "image-typo" not in {f["rule"] for f in migrate["findings"]}  # the sidecar's, not its
    assert any(
        c.startswith("kubectl -n shop create secret docker-registry regcred ")
        and "--docker-server=registry.example.com" in c
        for c in (s["command"] or "" for s in migrate["next"])
    )
    assert "<dump>" not in json.dumps(list(found.values()))


def test_ephemeral_and_init_containers_are_named_as_such():
    code, out, _ = run(str(CLUSTER))
    assert "ephemeral container debugger: busybox:1.36.9" in out
    assert "init container migrate: registry.example.com/shop/migrate:3.1" in out
    debug = diagnoses(str(CLUSTER))["shop", "api-debug", "debugger"]
    assert any("kubectl -n shop debug api-debug" in (s["command"] or "") for s in debug["next"])


def test_events_k8s_io_events_are_read():
    cache = diagnoses(str(CLUSTER))["ci", "cache", "redis"]
    assert "toomanyrequests" in cache["evidence"]


def test_yaml_several_files_single_objects_and_stdin_agree(tmp_path):
    expected = diagnoses(str(CLUSTER))
    document = json.loads(CLUSTER.read_text())
    yaml = YAML(typ="safe", pure=True)
    as_yaml = tmp_path / "cluster.yaml"
    with as_yaml.open("w") as handle:
        yaml.dump(document, handle)
    assert diagnoses(str(as_yaml)) == expected
    files = []
    for index, item in enumerate(document["items"]):  # one object a file, JSON and YAML in turn
        path = tmp_path / f"object{index}.{'json' if index % 2 else 'yaml'}"
        if index % 2:
            path.write_text(json.dumps(item))
        else:
            with path.open("w") as handle:
                yaml.dump(item, handle)
        files.append(str(path))
    assert diagnoses(*files) == expected
    stream = "---\n".join(json.dumps(item) + "\n" for item in document["items"])
    assert diagnoses("-", stdin=stream) == expected
    assert diagnoses("-", stdin=CLUSTER.read_text()) == expected


def test_no_failing_pull_exits_0(tmp_path):
    document = json.loads(CLUSTER.read_text())
    healthy = [i for i in document["items"] if i["metadata"]["name"] == "web-5c8d7f9b4-abcde"]
    path = tmp_path / "healthy.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": healthy}))
    code, out, _ = run(str(path))
    assert (code, out) == (0, "No failing pulls among 1 pod(s).\n")
    code, out, _ = run("--format", "json", str(path))
    assert (code, json.loads(out)) == (0, {"diagnoses": []})


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("describe.txt", "looks like 'kubectl describe' output"),
        ("empty.yaml", "is empty"),
        ("events-only.yaml", "holds 1 Event(s) but no Pod"),
        ("truncated.json", "is not valid JSON"),
        ("messages.yaml", "holds no Kubernetes objects"),
        ("missing.yaml", "cannot read"),
    ],
)
def test_bad_input_is_said_plainly_with_exit_2(name, said):
    code, out, err = run(str(DATA / name))
    assert code == 2, err
    assert said in err and "Traceback" not in err + out
    assert out == ""


def test_binary_input_and_usage_errors(tmp_path):
    binary = tmp_path / "dump.bin"
    binary.write_bytes(b"\xff\xfe\x00\x01" * 10)
    code, _, err = run(str(binary))
    assert code == 2 and "not UTF-8" in err
    assert run()[0] == 2
    assert run("--context", "x", str(CLUSTER))[0] == 2
    assert run("--cluster", str(CLUSTER))[0] == 2


# -- credentials ------------------------------------------------------------------------------


def secret_values() -> set[str]:
    """Every credential the fixture's Secrets hold: as written, decoded, and each part."""
    values: set[str] = set()
    for item in json.loads(CLUSTER.read_text())["items"]:
        if item["kind"] != "Secret":
            continue
        for value in item["data"].values():
            values.add(value)
            plain = base64.b64decode(value).decode()
            values.add(plain)
            if plain.startswith("{"):
                for entry in json.loads(plain)["auths"].values():
                    values.update({entry["auth"], entry["password"]})
                    values.add(base64.b64decode(entry["auth"]).decode())
    return values


def test_no_credential_ever_appears_in_any_output(tmp_path):
    values = secret_values()
    assert "Sup3r-S3cret-Passw0rd" in values and "hunter2-database-password" in values
    outputs = []
    for args in (["--format", "json"], ["--format", "text"]):
        code, out, err = run(*args, str(CLUSTER))
        outputs.append(out + err)
    everything = "\n".join(outputs)
    for value in values:
        assert value not in everything
    # nothing that looks like a base64 credential or a password field either
    assert not re.search(r'"(auth|password)"\s*:', everything)
    assert "<password>" in everything  # the placeholder the user fills in


def test_a_credential_quoted_by_a_runtime_is_redacted(tmp_path):
    document = json.loads(CLUSTER.read_text())
    for item in document["items"]:
        if item["kind"] == "Pod" and item["metadata"]["name"] == "runner":
            waiting = item["status"]["containerStatuses"][0]["state"]["waiting"]
            waiting["message"] += " (sent acme-bot:ghp_FakeTokenValue1234567890abcdef)"
    path = tmp_path / "leaky.json"
    path.write_text(json.dumps(document))
    code, out, err = run(str(path))
    assert "ghp_FakeTokenValue1234567890abcdef" not in out + err
    assert "<redacted>" in out
