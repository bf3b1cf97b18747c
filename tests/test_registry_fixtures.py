"""Smoke tests of the registry fixtures (tests/registry/): real processes, no mocks.

Each flavour gets every kind of image pushed and read back with a full Accept list, with the
flavour's authentication done by hand here (Basic; the Bearer flow through the realm; TLS
against the test CA), so that these tests also document what a client has to do.
"""

from __future__ import annotations

import gzip
import json
import re
import ssl
import time

import httpx
import pytest

from tests.registry.faults import SlowServer
from tests.registry.fixtures import require_registry_binary
from tests.registry.images import ACCEPT_ALL, KINDS, gzip_layer

FLAVOURS = ("registry_plain", "registry_basic", "registry_token", "registry_tls")


# -- the client side, by hand -------------------------------------------------------------


def http_client(registry) -> httpx.Client:
    verify = ssl.create_default_context(cafile=registry.ca_file) if registry.ca_file else True
    return httpx.Client(verify=verify, trust_env=False, timeout=10.0)


def challenge(response: httpx.Response) -> tuple[str, dict[str, str]]:
    scheme, _, params = response.headers["WWW-Authenticate"].partition(" ")
    return scheme, dict(re.findall(r'(\w+)="([^"]*)"', params))


def fetch_token(
    registry, params: dict[str, str], user: str | None, password: str | None = None
) -> httpx.Response:
    """GET <realm>?service=...&scope=... with Basic credentials (none: anonymous)."""
    auth = (user, password or registry.users[user]) if user else None
    query = {"service": params["service"]}
    if "scope" in params:
        query["scope"] = params["scope"]
    return httpx.get(params["realm"], params=query, auth=auth, trust_env=False, timeout=10.0)


def head(registry, repo: str, ref: str, user: str | None = "default") -> httpx.Response:
    """HEAD a manifest as ``user`` ("default": the flavour's user; None: anonymous)."""
    if user == "default":
        user = registry.username
    url = f"{registry.url}/v2/{repo}/manifests/{ref}"
    headers = {"Accept": ACCEPT_ALL}
    with http_client(registry) as client:
        if registry.auth == "basic" and user:
            return client.head(url, headers=headers, auth=(user, registry.users[user]))
        response = client.head(url, headers=headers)
        if registry.auth != "token" or response.status_code != 401:
            return response
        scheme, params = challenge(response)
        assert scheme == "Bearer" and params["realm"] == registry.realm
        token = fetch_token(registry, params, user)
        assert token.status_code == 200, token.text
        headers["Authorization"] = "Bearer " + token.json()["token"]
        return client.head(url, headers=headers)


# -- every flavour, every kind ------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_push_then_head_with_the_full_accept_list(request, flavour, kind):
    registry = request.getfixturevalue(flavour)
    pushed = registry.push(f"smoke/{kind}", "v1", kind=kind)
    response = head(registry, f"smoke/{kind}", "v1")
    assert response.status_code == 200
    assert response.headers["Docker-Content-Digest"] == pushed.digest
    assert response.headers["Content-Type"] == KINDS[kind] == pushed.media_type
    assert int(response.headers["Content-Length"]) == pushed.size
    assert pushed.image == f"{registry.host}/smoke/{kind}:v1"
    if kind in ("index", "docker-list"):
        assert list(pushed.platforms) == ["linux/amd64", "linux/arm64"]
        for child in pushed.platforms.values():
            by_digest = head(registry, f"smoke/{kind}", child.digest)
            assert by_digest.status_code == 200
            assert by_digest.headers["Content-Type"] == child.media_type
        assert pushed.layers_size == sum(c.layers_size for c in pushed.platforms.values())
    else:
        assert list(pushed.platforms) == ["linux/amd64"]
        assert pushed.platforms["linux/amd64"].digest == pushed.digest


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_missing_tag_is_404_and_the_log_is_kept(request, flavour):
    registry = request.getfixturevalue(flavour)
    registry.push("smoke/missing", "present")
    assert head(registry, "smoke/missing", "absent").status_code == 404
    assert f"listening on {registry.host}" in registry.log_text()
    assert registry.url.startswith("https://" if flavour == "registry_tls" else "http://")


# -- image content ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [32, 33, 100, 1024, 65535 + 5, 200_000])
def test_gzip_layers_have_the_exact_size_and_decompress(size):
    blob, payload = gzip_layer(size, "seed")
    assert len(blob) == size
    assert gzip.decompress(blob) == payload
    assert gzip_layer(size, "seed") == (blob, payload)
    with pytest.raises(ValueError):
        gzip_layer(31, "seed")


def test_layer_sizes_digests_and_platforms_are_what_the_registry_serves(registry_plain):
    pushed = registry_plain.push(
        "smoke/sizes",
        "multi",
        kind="index",
        platforms=["linux/amd64", "linux/arm/v7"],
        layer_size=[100, 5000],
    )
    assert pushed.layers_size == 2 * 5100
    arm = pushed.platforms["linux/arm/v7"]
    assert arm.layer_sizes == (100, 5000) and arm.layers_size == 5100
    with registry_plain.client() as client:
        index = client.get("/v2/smoke/sizes/manifests/multi", headers={"Accept": ACCEPT_ALL})
        entries = {e["platform"].get("variant"): e for e in index.json()["manifests"]}
        assert entries["v7"]["digest"] == arm.digest
        assert entries["v7"]["platform"] == {"architecture": "arm", "os": "linux", "variant": "v7"}
        child = client.get(
            f"/v2/smoke/sizes/manifests/{arm.digest}", headers={"Accept": ACCEPT_ALL}
        )
        layers = child.json()["layers"]
        assert [layer["size"] for layer in layers] == [100, 5000]
        assert [layer["digest"] for layer in layers] == list(arm.layer_digests)
        blob = client.get(f"/v2/smoke/sizes/blobs/{arm.layer_digests[1]}")
        assert len(blob.content) == 5000 and gzip.decompress(blob.content)
        config = client.get(f"/v2/smoke/sizes/blobs/{arm.config_digest}").json()
        assert (config["os"], config["architecture"], config["variant"]) == ("linux", "arm", "v7")


def test_pushes_are_deterministic_and_seeded(registry_plain):
    first = registry_plain.push("smoke/seed", "a", kind="docker")
    assert registry_plain.push("smoke/seed", "a", kind="docker").digest == first.digest
    assert registry_plain.push("smoke/seed", "b", kind="docker").digest != first.digest
    same = registry_plain.push("smoke/seed", "c", kind="docker", seed="smoke/seed:a")
    assert same.digest == first.digest


def test_accept_header_matters_on_this_registry(registry_plain):
    registry_plain.push("smoke/accept", "oci", kind="oci")
    pushed = registry_plain.push("smoke/accept", "docker", kind="docker")
    with registry_plain.client() as client:
        assert client.head("/v2/smoke/accept/manifests/oci").status_code == 404
        schema1 = client.head("/v2/smoke/accept/manifests/docker")
        assert schema1.status_code == 200  # converted to schema 1: another digest
        assert schema1.headers["Docker-Content-Digest"] != pushed.digest


def test_delete_and_remove_tag(registry_plain):
    one = registry_plain.push("smoke/delete", "one", seed="same")
    two = registry_plain.push("smoke/delete", "two", seed="same")
    assert one.digest == two.digest
    registry_plain.remove_tag("smoke/delete", "one")
    assert head(registry_plain, "smoke/delete", "one").status_code == 404
    assert head(registry_plain, "smoke/delete", "two").status_code == 200
    assert registry_plain.delete("smoke/delete", "two") == two.digest
    assert head(registry_plain, "smoke/delete", "two").status_code == 404
    assert head(registry_plain, "smoke/delete", two.digest).status_code == 404


# -- Basic --------------------------------------------------------------------------------


def test_basic_auth_challenges_and_rejects_wrong_passwords(registry_basic):
    registry_basic.push("smoke/basic", "v1")
    anonymous = head(registry_basic, "smoke/basic", "v1", user=None)
    assert anonymous.status_code == 401
    assert challenge(anonymous) == ("Basic", {"realm": "imagelint-test"})
    with http_client(registry_basic) as client:
        url = f"{registry_basic.url}/v2/smoke/basic/manifests/v1"
        wrong = client.head(url, headers={"Accept": ACCEPT_ALL}, auth=("alice", "nope"))
        assert wrong.status_code == 401
    assert (registry_basic.username, registry_basic.password) == ("alice", "wonderland-42")
    assert head(registry_basic, "smoke/basic", "v1", user="admin").status_code == 200


# -- tokens -------------------------------------------------------------------------------


def test_token_user_without_pull_gets_insufficient_scope(registry_token):
    registry_token.push("smoke/private", "v1")
    registry_token.token_server.reset()
    denied = head(registry_token, "smoke/private", "v1", user="nopull")
    assert denied.status_code == 401
    scheme, params = challenge(denied)
    assert scheme == "Bearer"
    assert params["error"] == "insufficient_scope"
    assert params["scope"] == "repository:smoke/private:pull"
    assert params["service"] == registry_token.service
    # the body (GET only) says UNAUTHORIZED, never DENIED
    token = fetch_token(registry_token, params, "nopull").json()["token"]
    with http_client(registry_token) as client:
        body = client.get(
            f"{registry_token.url}/v2/smoke/private/manifests/v1",
            headers={"Accept": ACCEPT_ALL, "Authorization": f"Bearer {token}"},
        ).json()
    assert body["errors"][0]["code"] == "UNAUTHORIZED"
    requests = registry_token.token_server.requests
    assert [(r.user, r.scopes, r.granted) for r in requests] == [
        ("nopull", ("repository:smoke/private:pull",), ()),
        ("nopull", ("repository:smoke/private:pull",), ()),
    ]


def test_token_anonymous_pull_only_on_public_repositories(registry_token):
    public = registry_token.push("public/app", "v1")
    registry_token.push("smoke/anon", "v1")
    assert (
        head(registry_token, "public/app", "v1", user=None).headers["Docker-Content-Digest"]
        == public.digest
    )
    assert head(registry_token, "public/app", "v1", user="nopull").status_code == 200
    denied = head(registry_token, "smoke/anon", "v1", user=None)
    assert denied.status_code == 401
    assert challenge(denied)[1]["error"] == "insufficient_scope"


def test_token_server_refuses_bad_credentials_and_registry_bad_tokens(registry_token):
    params = {"realm": registry_token.realm, "service": registry_token.service}
    assert fetch_token(registry_token, params, "liar", "x").status_code == 401
    assert fetch_token(registry_token, params, "reader", "wrong").status_code == 401
    with http_client(registry_token) as client:
        response = client.get(
            f"{registry_token.url}/v2/", headers={"Authorization": "Bearer not.a.jwt"}
        )
    assert response.status_code == 401
    assert challenge(response)[1]["error"] == "invalid_token"
    body = fetch_token(registry_token, params, "reader").json()
    assert body["expires_in"] == 300 and body["token"] == body["access_token"]


def test_token_grants_can_change_live(registry_token):
    registry_token.push("smoke/live", "v1")
    server = registry_token.token_server
    try:
        server.set_user("nopull", registry_token.users["nopull"], {"smoke/live": ["pull"]})
        assert head(registry_token, "smoke/live", "v1", user="nopull").status_code == 200
        server.anonymous = None  # anonymous token requests are now refused
        params = {"realm": registry_token.realm, "service": registry_token.service}
        assert fetch_token(registry_token, params, None).status_code == 401
    finally:
        server.reset()
    assert head(registry_token, "smoke/live", "v1", user="nopull").status_code == 401


# -- TLS ----------------------------------------------------------------------------------


def test_tls_needs_the_test_ca(registry_tls):
    assert registry_tls.ca_file and registry_tls.ca_file.endswith(".pem")
    with httpx.Client(trust_env=False) as client, pytest.raises(httpx.ConnectError) as info:
        client.get(f"{registry_tls.url}/v2/")
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value)
    plain = httpx.get(f"http://{registry_tls.host}/v2/", trust_env=False)
    assert plain.status_code == 400  # "Client sent an HTTP request to an HTTPS server."


def test_tls_certificate_for_the_wrong_host(registry_tls_wrong_host):
    registry = registry_tls_wrong_host
    pushed = registry.push("smoke/wrong-host", "v1")  # the helpers still work
    with http_client(registry) as client, pytest.raises(httpx.ConnectError) as info:
        client.head(f"{registry.url}/v2/smoke/wrong-host/manifests/v1")
    assert "mismatch" in str(info.value)
    context = ssl.create_default_context(cafile=registry.ca_file)
    context.check_hostname = False  # the CA is right; only the name is wrong
    with httpx.Client(verify=context, trust_env=False) as client:
        response = client.head(
            f"{registry.url}/v2/smoke/wrong-host/manifests/v1", headers={"Accept": ACCEPT_ALL}
        )
    assert response.headers["Docker-Content-Digest"] == pushed.digest


# -- stop and start -----------------------------------------------------------------------


def test_stop_refuses_connections_and_start_brings_it_back(make_registry):
    registry = make_registry("token")
    pushed = registry.push("smoke/stop", "v1", kind="index")
    host = registry.host
    registry.stop()
    assert not registry.running
    with pytest.raises(httpx.ConnectError):
        head(registry, "smoke/stop", "v1")
    registry.start()
    assert registry.host == host
    assert head(registry, "smoke/stop", "v1").headers["Docker-Content-Digest"] == pushed.digest


# -- fault servers ------------------------------------------------------------------------


def test_too_many_requests_server(too_many_requests_server):
    server = too_many_requests_server
    with httpx.Client(base_url=server.url, trust_env=False) as client:
        got = client.get("/v2/library/nginx/manifests/latest", headers={"Accept": ACCEPT_ALL})
        headed = client.head("/v2/library/nginx/manifests/latest")
    for response in (got, headed):
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "1"
        assert response.headers["ratelimit-limit"] == "100;w=21600"
        assert response.headers["ratelimit-remaining"] == "0;w=21600"
    assert json.loads(got.content) == {
        "errors": [{"code": "TOOMANYREQUESTS", "message": "too many requests"}]
    }
    assert headed.content == b""
    assert server.count == 2 and [r.method for r in server.requests] == ["GET", "HEAD"]
    assert server.requests[0].path == "/v2/library/nginx/manifests/latest"


def test_slow_server_times_out_then_answers_when_the_delay_is_short(slow_server):
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{slow_server.url}/v2/", timeout=0.3, trust_env=False)
    assert time.monotonic() - started < 3
    slow_server.delay = 0.2
    started = time.monotonic()
    response = httpx.get(f"{slow_server.url}/v2/", timeout=5, trust_env=False)
    assert response.status_code == 200 and time.monotonic() - started >= 0.2
    assert slow_server.connections == 2


def test_slow_server_can_stall_the_body():
    with SlowServer(delay=None, phase="body") as server:
        with httpx.Client(trust_env=False, timeout=0.3) as client:
            with pytest.raises(httpx.ReadTimeout):
                client.get(f"{server.url}/v2/")


# -- skipping -----------------------------------------------------------------------------


def test_missing_registry_binary_skips_or_fails(monkeypatch):
    monkeypatch.setenv("IMAGELINT_REGISTRY_BIN", "/nonexistent/docker-registry")
    monkeypatch.delenv("IMAGELINT_REQUIRE_REGISTRY", raising=False)
    with pytest.raises(pytest.skip.Exception, match="docker-registry is missing"):
        require_registry_binary()
    monkeypatch.setenv("IMAGELINT_REQUIRE_REGISTRY", "1")
    with pytest.raises(pytest.fail.Exception, match="IMAGELINT_REQUIRE_REGISTRY"):
        require_registry_binary()
