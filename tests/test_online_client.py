"""The registry client and the checker on canned answers (httpx.MockTransport): auth flows,
redirects, retries, Docker Hub's quirks. tests/test_online_registry.py does it for real."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from imagelint.core.credential import Credential
from imagelint.online import challenge
from imagelint.online.client import ACCEPT, Auth, RegistryClient
from imagelint.online.errors import RateLimited, Unreachable

DIGEST = "sha256:" + "a" * 64
READER = Auth("pull secret shop/regcred", Credential("reader", "s3cret-MARKER"))


def client(handler, **kwargs) -> RegistryClient:
    kwargs.setdefault("sleep", lambda seconds: None)
    return RegistryClient(transport=httpx.MockTransport(handler), **kwargs)


def found(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers={"Docker-Content-Digest": DIGEST})


class TokenRegistry:
    """registry.test with a token service at auth.test: reader/s3cret-MARKER may pull."""

    def __init__(self) -> None:
        self.seen: list[httpx.Request] = []
        self.tokens = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if request.url.host == "auth.test":
            self.tokens += 1
            expected = "Basic " + __import__("base64").b64encode(b"reader:s3cret-MARKER").decode()
            if request.headers.get("authorization") not in (None, expected):
                return httpx.Response(401)
            user = "reader" if request.headers.get("authorization") else "anonymous"
            return httpx.Response(200, json={"token": f"token-of-{user}", "expires_in": 300})
        challenge_header = (
            'Bearer realm="https://auth.test/token",service="registry.test",'
            f'scope="repository:{request.url.path.split("/manifests")[0][4:]}:pull"'
        )
        if request.headers.get("authorization") == "Bearer token-of-reader":
            return found(request)
        if request.headers.get("authorization") == "Bearer token-of-anonymous":
            return httpx.Response(
                401,
                headers={"WWW-Authenticate": challenge_header + ',error="insufficient_scope"'},
            )
        return httpx.Response(401, headers={"WWW-Authenticate": challenge_header})


# -- challenges --------------------------------------------------------------------------------


def test_challenges_as_real_registries_send_them():
    quay = (
        'Basic realm="quay.io", Bearer realm="https://quay.io/v2/auth",service="quay.io",'
        'scope="repository:org/app:pull,push"'
    )
    basic, bearer = challenge.parse(quay)
    assert (basic.scheme, basic.realm) == ("basic", "quay.io")
    assert bearer.params == {
        "realm": "https://quay.io/v2/auth",
        "service": "quay.io",
        "scope": "repository:org/app:pull,push",
    }
    [artifact] = challenge.parse('bearer REALM="https://europe-docker.pkg.dev/v2/token"')
    assert artifact.scheme == "bearer" and artifact.realm.endswith("/v2/token")
    assert "service" not in artifact.params
    [escaped] = challenge.parse(r'Bearer realm="a\"b", error=insufficient_scope')
    assert escaped.params == {"realm": 'a"b', "error": "insufficient_scope"}
    assert challenge.parse("") == [] and challenge.parse("Negotiate") == [
        challenge.Challenge("negotiate", {})
    ]


# -- requests and authentication -----------------------------------------------------------------


def test_head_with_the_full_accept_list_and_docker_hubs_api_host():
    seen = []

    def handler(request):
        seen.append(request)
        return found(request)

    reply = client(handler).manifest("docker.io", "library/nginx", "1.27", None)
    assert reply.status == 200 and reply.headers["docker-content-digest"] == DIGEST
    [request] = seen
    assert request.method == "HEAD"
    assert str(request.url) == "https://registry-1.docker.io/v2/library/nginx/manifests/1.27"
    assert request.headers["accept"] == ACCEPT
    assert ACCEPT.count("application/vnd.") == 4 and "authorization" not in request.headers


def test_bearer_token_fetched_once_with_basic_credentials_and_reused():
    registry = TokenRegistry()
    with client(registry) as c:
        for tag in ("1", "2", "3"):
            assert c.manifest("registry.test", "shop/api", tag, READER).status == 200
    assert registry.tokens == 1
    token_request = next(r for r in registry.seen if r.url.host == "auth.test")
    assert token_request.url.params["service"] == "registry.test"
    assert token_request.url.params["scope"] == "repository:shop/api:pull"
    on_registry = [r for r in registry.seen if r.url.host == "registry.test"]
    # The first request learns the challenge; the others go straight with the token.
    assert len(on_registry) == 4
    assert all(not r.headers.get("authorization", "").startswith("Basic ") for r in on_registry)


def test_anonymous_token_without_pull_scope_and_refused_credentials():
    registry = TokenRegistry()
    reply = client(registry).manifest("registry.test", "shop/api", "1", None)
    assert (reply.status, reply.challenge_error, reply.refused) == (
        401,
        "insufficient_scope",
        False,
    )
    wrong = Auth("pull secret shop/old", Credential("reader", "rotated"))
    reply = client(registry).manifest("registry.test", "shop/api", "1", wrong)
    assert (reply.status, reply.refused) == (401, True)


def test_basic_registry_gets_credentials_only_after_asking():
    seen = []

    def handler(request):
        seen.append(request.headers.get("authorization"))
        if request.headers.get("authorization", "").startswith("Basic "):
            return found(request)
        return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="registry"'})

    c = client(handler)
    assert c.manifest("registry.test", "shop/api", "1", READER).status == 200
    assert c.manifest("registry.test", "shop/api", "2", READER).status == 200
    assert seen[0] is None and all(s.startswith("Basic ") for s in seen[1:]) and len(seen) == 3
    reply = c.manifest("registry.test", "shop/api", "1", None)
    assert (reply.status, reply.refused) == (401, True)


def test_identity_token_uses_the_oauth2_refresh_grant():
    seen = []

    def handler(request):
        seen.append(request)
        if request.url.host == "auth.test":
            form = dict(httpx.QueryParams(request.content.decode()))
            assert form["grant_type"] == "refresh_token" and form["service"] == "registry.test"
            return httpx.Response(200, json={"access_token": "from-refresh"})
        if request.headers.get("authorization") == "Bearer from-refresh":
            return found(request)
        return httpx.Response(
            401,
            headers={
                "WWW-Authenticate": 'Bearer realm="https://auth.test/t",service="registry.test"'
            },
        )

    token = Auth("~/.docker/config.json", Credential("<token>", "refresh-MARKER"), True)
    assert client(handler).manifest("registry.test", "shop/api", "1", token).status == 200
    assert [r.method for r in seen if r.url.host == "auth.test"] == ["POST"]


def test_no_credentials_to_a_plain_http_token_service_elsewhere():
    def handler(request):
        return httpx.Response(
            401, headers={"WWW-Authenticate": 'Bearer realm="http://auth.test/token"'}
        )

    with pytest.raises(Unreachable, match="plain HTTP; imagelint sends no credentials there"):
        client(handler).manifest("registry.test", "shop/api", "1", READER)


# -- redirects -------------------------------------------------------------------------------


def test_redirects_drop_authorization_when_the_host_changes():
    seen = []

    def handler(request):
        seen.append((request.url.host, request.headers.get("authorization")))
        if request.url.host == "registry.test":
            if not request.headers.get("authorization"):
                return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="r"'})
            if request.url.path.endswith("/moved"):
                return httpx.Response(307, headers={"Location": "/v2/shop/api/blobs/here"})
            return httpx.Response(302, headers={"Location": "https://cdn.test/blob?sig=1"})
        return httpx.Response(200, content=b"{}")

    c = client(handler)
    assert c.blob("registry.test", "shop/api", "moved", READER).status == 200
    assert seen[-1][0] == "cdn.test" and seen[-1][1] is None
    assert seen[-2] == ("registry.test", seen[-2][1]) and seen[-2][1].startswith("Basic ")
    assert ("registry.test", None) == seen[0]


def test_redirect_loops_and_downgrades_are_faults():
    def loop(request):
        return httpx.Response(302, headers={"Location": str(request.url) + "x"})

    with pytest.raises(Unreachable, match="redirected more than 5 times"):
        client(loop).manifest("registry.test", "shop/api", "1", None)

    def downgrade(request):
        return httpx.Response(302, headers={"Location": "http://registry.test/v2/"})

    with pytest.raises(Unreachable, match=r"redirected to plain HTTP \(registry.test\)"):
        client(downgrade).manifest("registry.test", "shop/api", "1", None)


# -- retries and faults --------------------------------------------------------------------


def test_5xx_is_retried_then_reported():
    answers = iter([503, 502, 200])
    waits: list[float] = []
    c = client(lambda r: httpx.Response(next(answers)), sleep=waits.append)
    assert c.manifest("registry.test", "shop/api", "1", None).status == 200
    assert waits == [0.25, 0.5] and c.requests == 3
    c = client(lambda r: httpx.Response(503))
    with pytest.raises(Unreachable) as caught:
        c.manifest("registry.test", "shop/api", "1", None)
    assert caught.value.cause == (
        "registry.test answered HTTP 503 Service Unavailable to every attempt"
    )
    assert c.requests == 3


def test_429_honours_retry_after_then_reports_the_limit():
    waits: list[float] = []
    headers = {
        "Retry-After": "3",
        "ratelimit-limit": "100;w=21600",
        "ratelimit-remaining": "0;w=21600",
    }
    c = client(lambda r: httpx.Response(429, headers=headers), sleep=waits.append)
    with pytest.raises(RateLimited) as caught:
        c.manifest("docker.io", "library/nginx", "1", None)
    assert waits == [3.0, 3.0]
    assert caught.value.cause == (
        "registry-1.docker.io answered 429 Too Many Requests (limit 100 per 6 h, 0 remaining, "
        "retry after 3 s)"
    )
    # A Retry-After beyond what the run can wait is not waited for.
    waits.clear()
    late = client(
        lambda r: httpx.Response(429, headers={"Retry-After": "3600"}), sleep=waits.append
    )
    with pytest.raises(RateLimited):
        late.manifest("registry.test", "shop/api", "1", None)
    assert waits == []


def test_resets_are_retried_and_a_down_host_is_not_asked_again():
    calls = []

    def reset(request):
        calls.append(request)
        raise httpx.ReadError("connection reset by peer", request=request)

    c = client(reset)
    with pytest.raises(Unreachable, match="registry.test broke the connection"):
        c.manifest("registry.test", "shop/api", "1", None)
    with pytest.raises(Unreachable, match="registry.test broke the connection"):
        c.manifest("registry.test", "shop/api", "2", None)
    assert len(calls) == 3  # three attempts for the first image, none for the second


def test_an_oversized_answer_is_cut_off():
    c = client(lambda r: httpx.Response(200, content=b"x" * (5 << 20)))
    with pytest.raises(Unreachable, match="sent a manifest larger than 4 MiB"):
        c.manifest("registry.test", "shop/api", "1", None, method="GET")


def test_tags_follow_link_pages():
    pages = {
        None: (["1.0", "1.1"], '</v2/shop/api/tags/list?last=1.1&n=2>; rel="next"'),
        "1.1": (["2.0"], None),
    }

    def handler(request):
        tags, link = pages[request.url.params.get("last")]
        headers = {"Link": link} if link else {}
        return httpx.Response(200, json={"name": "shop/api", "tags": tags}, headers=headers)

    reply, tags = client(handler).tags("registry.test", "shop/api", None)
    assert reply.status == 200 and tags == ["1.0", "1.1", "2.0"]


def test_the_client_is_safe_to_share_between_threads():
    registry = TokenRegistry()
    c = client(registry)
    errors = []

    def ask(tag):
        try:
            assert c.manifest("registry.test", "shop/api", tag, READER).status == 200
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=ask, args=(str(i),)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and registry.tokens == 1


# -- the checker's reading of answers ------------------------------------------------------------


def run_checker(handler, text, **options):
    from imagelint.core.model import Settings
    from imagelint.online.checker import Checker
    from imagelint.running.engine import Engine

    settings = Settings(options=options)

    def online(run, records):
        with client(handler) as c:
            return Checker(settings, c, content=True)(run, records)

    return Engine(settings, online=online).check_text("app.yaml", text)


POD = "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n    - {{name: c, image: {image}}}\n"


def test_docker_hub_401_is_a_repository_that_may_not_exist():
    def handler(request):
        if request.url.host == "auth.docker.io":
            return httpx.Response(200, json={"token": "anonymous"})
        return httpx.Response(
            401,
            headers={
                "WWW-Authenticate": 'Bearer realm="https://auth.docker.io/token",'
                'service="registry.docker.io",scope="repository:acme/privat:pull",'
                'error="insufficient_scope"'
            },
        )

    report = run_checker(handler, POD.format(image="acme/privat:1.0"))
    [finding] = [f for f in report.findings if f.code.startswith("IL3")]
    assert finding.rule == "repository-not-found"
    assert "does not exist on Docker Hub, or it is private" in finding.message


def test_indexes_platforms_and_sizes_from_manifests():
    child = "sha256:" + "c" * 64
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"digest": child, "platform": {"os": "linux", "architecture": "amd64"}},
            {
                "digest": "sha256:" + "d" * 64,
                "platform": {"os": "unknown", "architecture": "unknown"},
            },
        ],
    }
    image = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"digest": "sha256:" + "e" * 64, "size": 1000},
        "layers": [{"size": 3 << 30}, {"size": 1 << 20}],
    }

    def handler(request):
        reference = request.url.path.rsplit("/", 1)[1]
        body = index if reference in ("2.0", DIGEST) else image
        media = body["mediaType"]
        headers = {
            "Docker-Content-Digest": DIGEST if body is index else child,
            "Content-Type": media,
        }
        content = b"" if request.method == "HEAD" else json.dumps(body).encode()
        return httpx.Response(200, headers=headers, content=content)

    text = POD.format(image="registry.test/ml/train:2.0") + (
        "  nodeSelector: {kubernetes.io/arch: arm64}\n"
    )
    report = run_checker(handler, text)
    [finding] = [f for f in report.findings if f.code.startswith("IL3")]
    assert finding.message == (
        "registry.test/ml/train:2.0 offers linux/amd64 but not linux/arm64; this pod runs on "
        "linux/arm64 (its nodeSelector)"
    )
    report = run_checker(handler, POD.format(image="registry.test/ml/train:2.0"))
    [finding] = [f for f in report.findings if f.code.startswith("IL3")]
    assert finding.rule == "image-too-large"
    assert finding.message.startswith(
        "registry.test/ml/train:2.0 is 3 GiB compressed (linux/amd64)"
    )


@pytest.mark.parametrize(
    ("wanted", "tags", "nearest"),
    [
        ("1.2.3", ["v1.2.3", "1.2.4", "latest"], ("v1.2.3", "1.2.4")),
        ("v2.0", ["2.0", "v2.1", "V2.0"], ("2.0", "V2.0", "v2.1")),
        ("Latest", ["latest", "stable"], ("latest",)),
        ("1.27", ["1.27.3", "1.27.2-alpine", "1.26"], ("1.26", "1.27.3", "1.27.2-alpine")),
        ("nightly", [], ()),
    ],
)
def test_nearest_tags(wanted, tags, nearest):
    from imagelint.online.checker import nearest_tags

    assert nearest_tags(wanted, tags) == nearest


# -- addresses ---------------------------------------------------------------------------------


def test_loopback_and_blocked_addresses():
    from imagelint.online.network import blocked, is_loopback

    loopback = ["localhost", "localhost:5000", "127.0.0.1:1", "[::1]:5000", "::1", "a.localhost"]
    assert all(is_loopback(host) for host in loopback)
    assert not any(is_loopback(host) for host in ["10.0.0.1", "evil.com", "localhost.evil.com"])
    metadata = ["169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254", "fe80::1%eth0"]
    assert all(blocked(address) for address in metadata + ["100.100.100.200"])
    assert not any(blocked(address) for address in ["10.0.0.1", "127.0.0.1", "::1", "8.8.8.8"])


def test_metadata_addresses_are_never_connected_to(monkeypatch):
    """Also when a name resolves there (DNS rebinding): the check is on the address connected
    to, after resolution, not on the name."""
    import socket

    connected = []
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host == "rebinding.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connected.append(a))
    for host, shown in (("169.254.169.254", "169.254.169.254 is"),
                        ("rebinding.test", "rebinding.test resolves to 169.254.169.254, which is")):  # fmt: skip
        with RegistryClient(timeout=5) as c, pytest.raises(Unreachable) as caught:
            c.manifest(host, "latest/meta-data", "1", READER)
        assert caught.value.cause == (
            f"{shown} a link-local or cloud metadata address; imagelint does not connect there "
            "(allow-link-local: true allows it)"
        )
    assert connected == []
