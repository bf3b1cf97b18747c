"""Every path a pull secret's credentials can take with ``--online``, against loopback servers.

Each server keeps the exact bytes it received (tests/registry/scripted.py). The rule under test
(README, "What imagelint sends where"): the credentials matched to a registry go to that
registry (scheme, host and port) and to the token service that registry itself names; never to
a redirect target on another origin, never to a token service named by anyone else, and never
in a form (the password, Basic's base64, a token asked with them) to any other host. Every
case also checks that nothing secret reaches the output, the debug stream or the disk cache.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from imagelint.cli import cli
from tests.registry.scripted import Answer, Received, ScriptedServer

USER = "alice"
PASSWORD = "s3cret-password"
BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()  # YWxpY2U6czNj...
SECRET_FORMS = (PASSWORD.encode(), BASIC.split()[1].encode(), b"tok-for-alice")
ONLINE_RULES = {"registry-unreachable", "registry-auth-failed", "tag-not-found", "platform-missing"}
DIGEST = "sha256:" + "a" * 64
MANIFEST_HEADERS = {
    "Content-Type": "application/vnd.oci.image.manifest.v1+json",
    "Docker-Content-Digest": DIGEST,
}
UNAUTHORIZED = b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'


# -- scripts: what each server answers ----------------------------------------------------------


def redirect(to: str) -> Answer:
    return 307, {"Location": to}, b""


def challenge(header: str) -> Answer:
    return 401, {"WWW-Authenticate": header, "Content-Type": "application/json"}, UNAUTHORIZED


def bearer(realm: str, error: str | None = None) -> str:
    text = f'Bearer realm="{realm}",service="registry",scope="repository:team/app:pull"'
    return text + (f',error="{error}"' if error else "")


def found(request: Received) -> Answer:
    return 200, MANIFEST_HEADERS, b"{}"


def token_service(request: Received) -> Answer:
    """Gives ``tok-for-alice`` for alice's Basic credentials; 401 to anyone else."""
    if request.headers.get("authorization") == BASIC:
        return 200, {"Content-Type": "application/json"}, b'{"token": "tok-for-alice"}'
    return 401, {"Content-Type": "application/json"}, UNAUTHORIZED


@pytest.fixture
def servers() -> Iterator[list[ScriptedServer]]:
    started: list[ScriptedServer] = []
    yield started
    for server in started:
        server.stop()


def serve(started: list[ScriptedServer], script=found) -> ScriptedServer:  # noqa: ANN001
    server = ScriptedServer(script)
    started.append(server)
    return server


# -- runs ---------------------------------------------------------------------------------------


def manifest(images: list[str], secret_host: str) -> str:
    """A Deployment pulling ``images`` with a pull secret for ``secret_host`` (alice)."""
    auth = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    config = base64.b64encode(json.dumps({"auths": {secret_host: {"auth": auth}}}).encode())
    text = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: regcred, namespace: shop}\n"
        f"type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {config.decode()}\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, namespace: shop}\n"
        "spec:\n  template:\n    spec:\n      imagePullSecrets: [{name: regcred}]\n"
        "      containers:\n"
    )
    for index, image in enumerate(images):
        text += f"        - name: c{index}\n          image: {image}\n"
    return text


@dataclass
class Run:
    code: int
    findings: list[tuple[str, str, str]]  # (image, rule, message) of the online rules
    output: str
    cache: bytes  # every file the disk cache holds, one after another


def run(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> Run:
    """``imagelint check --online`` with the disk cache on and IMAGELINT_DEBUG=1."""
    (tmp_path / "app.yaml").write_text(text)
    cache = tmp_path / "cache"
    monkeypatch.setenv("IMAGELINT_DEBUG", "1")
    monkeypatch.chdir(tmp_path)
    args = ["check", "--online", "--isolated", "--format", "json", "--timeout", "10"]
    result = CliRunner().invoke(cli, [*args, "--cache-dir", str(cache), "app.yaml"])
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)
    findings = sorted(
        (f["image"], f["rule"], f["message"])
        for f in document["findings"]
        if f["rule"] in ONLINE_RULES
    )
    stored = b"".join(p.read_bytes() for p in sorted(cache.rglob("*")) if p.is_file())
    return Run(result.exit_code, findings, result.stdout + result.stderr, stored)


def assert_nothing_secret(*where: bytes | str) -> None:
    for text in where:
        data = text.encode() if isinstance(text, str) else text
        for form in SECRET_FORMS:
            assert form not in data


def assert_never_reached(*servers: ScriptedServer) -> None:
    """These hosts were matched to no credential: not one byte of one reached them."""
    for server in servers:
        assert_nothing_secret(server.raw())
        assert server.authorizations() == [None] * len(server.received)


def foreign_challenge(registry: ScriptedServer, target: ScriptedServer) -> str:
    return (
        f"{registry.host} redirected to {target.host}, which asked for credentials; imagelint "
        f"sends the credentials chosen for {registry.host} only to {registry.host} and its "
        "token service"
    )


# -- a redirect target that challenges -----------------------------------------------------------


@pytest.mark.parametrize("error", [None, "invalid_token"])
def test_the_issues_reproduction_a_redirect_targets_realm_gets_nothing(
    tmp_path, monkeypatch, servers, error
):
    """Registry A redirects the manifest request to B; B challenges with a Bearer realm on C.
    B's challenge is not A's: C is never asked, B gets no credential, and the image is
    reported as not checkable, naming why. Two images: the second is not sent to C either."""
    realm_c = serve(servers, token_service)
    target_b = serve(servers, lambda r: challenge(bearer(f"{realm_c.url}/token", error)))
    registry_a = serve(servers, lambda r: redirect(f"{target_b.url}/elsewhere{r.path}"))
    images = [f"{registry_a.host}/team/app:1.0", f"{registry_a.host}/team/app:2.0"]
    result = run(tmp_path, manifest(images, registry_a.host), monkeypatch)
    cause = foreign_challenge(registry_a, target_b)
    assert result.findings == [
        (image, "registry-unreachable", f"could not check {image}: {cause}") for image in images
    ]
    assert realm_c.received == []
    assert_never_reached(target_b, realm_c, registry_a)  # A never asked for credentials
    assert_nothing_secret(result.output, result.cache)


def test_a_basic_registry_keeps_its_own_challenge_from_the_second_image_on(
    tmp_path, monkeypatch, servers
):
    """A asks for Basic; with alice's credentials it redirects to B, which challenges with a
    realm on C. A gets alice's Basic credentials (it was matched for them); B and C nothing,
    for either image."""
    realm_c = serve(servers, token_service)
    target_b = serve(servers, lambda r: challenge(bearer(f"{realm_c.url}/token")))

    def registry(request: Received) -> Answer:
        if request.headers.get("authorization") == BASIC:
            return redirect(f"{target_b.url}{request.path}")
        return challenge('Basic realm="registry A"')

    registry_a = serve(servers, registry)
    images = [f"{registry_a.host}/team/app:1.0", f"{registry_a.host}/team/web:1.0"]
    result = run(tmp_path, manifest(images, registry_a.host), monkeypatch)
    cause = foreign_challenge(registry_a, target_b)
    assert result.findings == [
        (image, "registry-unreachable", f"could not check {image}: {cause}") for image in images
    ]
    assert_never_reached(target_b, realm_c)
    assert set(registry_a.authorizations()) <= {None, BASIC}
    assert registry_a.authorizations().count(BASIC) >= 2  # each image asked with credentials
    assert_nothing_secret(result.output, result.cache)


def test_a_token_registry_keeps_its_realm_when_a_redirect_target_names_another(
    tmp_path, monkeypatch, servers
):
    """A names its own token service D; its token goes to A only. A then redirects to B, whose
    challenge (invalid_token, realm C) neither replaces A's realm nor sees A's token: the
    second image's token again comes from D."""
    realm_c = serve(servers, token_service)
    target_b = serve(servers, lambda r: challenge(bearer(f"{realm_c.url}/token", "invalid_token")))
    realm_d = serve(servers, token_service)

    def registry(request: Received) -> Answer:
        if request.headers.get("authorization") == "Bearer tok-for-alice":
            return redirect(f"{target_b.url}{request.path}")
        return challenge(bearer(f"{realm_d.url}/token"))

    registry_a = serve(servers, registry)
    images = [f"{registry_a.host}/team/app:1.0", f"{registry_a.host}/team/web:1.0"]
    result = run(tmp_path, manifest(images, registry_a.host), monkeypatch)
    cause = foreign_challenge(registry_a, target_b)
    assert result.findings == [
        (image, "registry-unreachable", f"could not check {image}: {cause}") for image in images
    ]
    assert_never_reached(target_b, realm_c)
    # D, the realm A named, was asked with alice's credentials, once per repository.
    assert sorted(r.path for r in realm_d.received) == [
        "/token?scope=repository%3Ateam%2Fapp%3Apull&service=registry",
        "/token?scope=repository%3Ateam%2Fweb%3Apull&service=registry",
    ]
    assert realm_d.authorizations() == [BASIC, BASIC]
    assert set(registry_a.authorizations()) == {None, "Bearer tok-for-alice"}
    assert_nothing_secret(result.output, result.cache)


def test_a_redirect_target_that_answers_gets_no_credential_and_the_image_is_found(
    tmp_path, monkeypatch, servers
):
    """The control: B serves the manifest (a CDN). A got the token, B nothing; no finding."""
    realm_d = serve(servers, token_service)
    target_b = serve(servers, found)

    def registry(request: Received) -> Answer:
        if request.headers.get("authorization") == "Bearer tok-for-alice":
            return redirect(f"{target_b.url}{request.path}")
        return challenge(bearer(f"{realm_d.url}/token"))

    registry_a = serve(servers, registry)
    image = f"{registry_a.host}/team/app:1.0"
    result = run(tmp_path, manifest([image], registry_a.host), monkeypatch)
    assert result.findings == []
    assert_never_reached(target_b)
    assert realm_d.authorizations() == [BASIC]
    assert_nothing_secret(result.output, result.cache)


def test_a_chain_that_leaves_the_registry_and_comes_back_carries_nothing_back(
    tmp_path, monkeypatch, servers
):
    """A (Basic) -> B -> A/cdn: once the request left A's origin it carries no credential,
    also when it comes back to A."""

    def registry(request: Received) -> Answer:
        if request.path.startswith("/cdn/"):
            return found(request)
        if request.headers.get("authorization") == BASIC:
            return redirect(f"{hop_b.url}{request.path}")
        return challenge('Basic realm="registry A"')

    registry_a = serve(servers, registry)
    hop_b = serve(servers, lambda r: redirect(f"{registry_a.url}/cdn{r.path}"))
    image = f"{registry_a.host}/team/app:1.0"
    result = run(tmp_path, manifest([image], registry_a.host), monkeypatch)
    assert result.findings == []
    assert_never_reached(hop_b)
    came_back = registry_a.authorizations("/cdn/")
    assert came_back and came_back == [None] * len(came_back)
    assert_nothing_secret(result.output, result.cache)


# -- the token service --------------------------------------------------------------------------


def test_a_realm_on_another_port_named_by_the_registry_gets_the_credentials(
    tmp_path, monkeypatch, servers
):
    """The registry names its token service on another port: that is where Docker and
    containerd send the credentials too. Exactly the Basic header, nothing more."""
    realm_d = serve(servers, token_service)

    def registry(request: Received) -> Answer:
        if request.headers.get("authorization") == "Bearer tok-for-alice":
            return found(request)
        return challenge(bearer(f"{realm_d.url}/token"))

    registry_a = serve(servers, registry)
    image = f"{registry_a.host}/team/app:1.0"
    result = run(tmp_path, manifest([image], registry_a.host), monkeypatch)
    assert result.findings == []
    [asked] = realm_d.received
    assert asked.raw.startswith(
        b"GET /token?scope=repository%3Ateam%2Fapp%3Apull&service=registry HTTP/1.1\r\n"
    )
    assert f"\r\nAuthorization: {BASIC}\r\n".encode() in asked.raw
    assert_nothing_secret(result.output, result.cache)


def test_a_token_service_redirect_chain_keeps_the_credentials_at_its_origin(
    tmp_path, monkeypatch, servers
):
    """D -> D/again (same origin: credentials kept) -> E (another port: stripped); E asks for
    credentials: E's challenge is not answered, and the image is reported, naming it."""
    realm_e = serve(servers, lambda r: challenge('Basic realm="E"'))

    def realm(request: Received) -> Answer:
        if request.path.startswith("/again"):
            return redirect(f"{realm_e.url}{request.path}")
        return redirect(f"/again{request.path}")

    realm_d = serve(servers, realm)
    registry_a = serve(servers, lambda r: challenge(bearer(f"{realm_d.url}/token")))
    image = f"{registry_a.host}/team/app:1.0"
    result = run(tmp_path, manifest([image], registry_a.host), monkeypatch)
    cause = (
        f"the token service {realm_d.host} redirected to {realm_e.host}, which asked for "
        f"credentials; imagelint sends them only to {realm_d.host}"
    )
    assert result.findings == [(image, "registry-unreachable", f"could not check {image}: {cause}")]
    assert realm_d.authorizations() == [BASIC, BASIC]
    assert_never_reached(realm_e)
    assert registry_a.authorizations() == [None]
    assert_nothing_secret(result.output, result.cache)


def test_a_token_redirect_loop_between_two_origins_ends_and_carries_nothing_back(
    tmp_path, monkeypatch, servers
):
    realm_e = serve(servers)
    realm_d = serve(servers, lambda r: redirect(f"{realm_e.url}/loop"))
    realm_e.script = lambda r: redirect(f"{realm_d.url}/loop")
    registry_a = serve(servers, lambda r: challenge(bearer(f"{realm_d.url}/token")))
    image = f"{registry_a.host}/team/app:1.0"
    result = run(tmp_path, manifest([image], registry_a.host), monkeypatch)
    assert result.findings == [
        (image, "registry-unreachable",
         f"could not check {image}: 127.0.0.1 redirected more than 5 times"),
    ]  # fmt: skip
    # Only the first request to D carried the credentials; back at D later, none.
    assert realm_d.authorizations() == [BASIC, None, None]
    assert_never_reached(realm_e)
    assert_nothing_secret(result.output, result.cache)


def test_a_token_realm_named_https_on_a_plain_server_is_not_downgraded(
    tmp_path, monkeypatch, servers
):
    """The registry names an https:// realm on loopback where a plain server listens: the
    realm is asked as named (the TLS greeting fails), never over plain HTTP."""
    realm_d = serve(servers, token_service)
    registry_a = serve(servers, lambda r: challenge(bearer(f"https://{realm_d.host}/token")))
    image = f"{registry_a.host}/team/app:1.0"
    result = run(tmp_path, manifest([image], registry_a.host), monkeypatch)
    [(shown, rule, message)] = result.findings
    assert (shown, rule) == (image, "registry-unreachable")
    assert message.startswith(f"could not check {image}: TLS handshake with 127.0.0.1 failed")
    assert realm_d.received == [] and realm_d.tls_greetings == 1
    assert_nothing_secret(result.output, result.cache)


# -- the client's other paths: refresh tokens, pages, retries ------------------------------------


@pytest.fixture
def client():  # noqa: ANN201
    from imagelint.online.client import RegistryClient

    with RegistryClient(timeout=10, sleep=lambda seconds: None) as made:
        yield made


def refresh_auth():  # noqa: ANN201
    from imagelint.core.credential import Credential
    from imagelint.online.client import Auth

    return Auth("~/.docker/config.json", Credential("<token>", PASSWORD), identity_token=True)


@pytest.mark.parametrize("status", [307, 308])
def test_a_refresh_token_is_never_posted_to_another_origin(client, servers, status):
    """The OAuth2 form (``refresh_token=...`` in the body) is redirected with its body kept
    (307/308): to another origin it is not sent at all."""
    from imagelint.online.errors import Unreachable

    realm_e = serve(servers, token_service)
    realm_d = serve(servers, lambda r: (status, {"Location": f"{realm_e.url}/token"}, b""))
    registry_a = serve(servers, lambda r: challenge(bearer(f"{realm_d.url}/token")))
    with pytest.raises(Unreachable) as raised:
        client.manifest(registry_a.host, "team/app", "1.0", refresh_auth())
    assert raised.value.cause == (
        "127.0.0.1 redirected a token request to 127.0.0.1; imagelint does not send the "
        "refresh token to another host"
    )
    [posted] = realm_d.received
    assert posted.method == "POST"
    assert posted.raw.endswith(
        b"grant_type=refresh_token&refresh_token=s3cret-password&client_id=imagelint"
        b"&scope=repository%3Ateam%2Fapp%3Apull&service=registry"
    )
    assert_never_reached(realm_e)


def test_a_refresh_token_redirected_within_its_origin_keeps_its_body(client, servers):
    def realm(request: Received) -> Answer:
        if request.path == "/oauth2/token":
            return 200, {"Content-Type": "application/json"}, b'{"access_token": "tok-for-alice"}'
        return 307, {"Location": "/oauth2/token"}, b""

    realm_d = serve(servers, realm)

    def registry(request: Received) -> Answer:
        if request.headers.get("authorization") == "Bearer tok-for-alice":
            return found(request)
        return challenge(bearer(f"{realm_d.url}/token"))

    registry_a = serve(servers, registry)
    assert client.manifest(registry_a.host, "team/app", "1.0", refresh_auth()).status == 200
    first, second = realm_d.received
    assert first.raw.partition(b"\r\n\r\n")[2] == second.raw.partition(b"\r\n\r\n")[2]
    assert b"refresh_token=s3cret-password" in second.raw


def test_a_303_from_the_token_service_drops_the_refresh_token(client, servers):
    """303 means "GET this instead": the form is not sent again, anywhere."""
    realm_e = serve(servers, lambda r: (200, {}, b'{"token": "anonymous-token"}'))
    realm_d = serve(servers, lambda r: (303, {"Location": f"{realm_e.url}/token"}, b""))
    registry_a = serve(servers, lambda r: challenge(bearer(f"{realm_d.url}/token")))
    client.manifest(registry_a.host, "team/app", "1.0", refresh_auth())
    assert [r.method for r in realm_e.received] == ["GET"]
    assert_never_reached(realm_e)


def test_tag_pages_on_another_origin_are_not_followed(client, servers):
    from imagelint.core.credential import Credential
    from imagelint.online.client import Auth

    other = serve(servers, lambda r: (200, {}, b'{"tags": ["9.9"]}'))

    def registry(request: Received) -> Answer:
        if request.headers.get("authorization") != BASIC:
            return challenge('Basic realm="A"')
        if "last=1.1" in request.path:  # the second page, on the same origin
            link = f'<{other.url}/v2/team/app/tags/list?last=2.0>; rel="next"'
            return 200, {"Link": link}, b'{"tags": ["2.0"]}'
        link = '</v2/team/app/tags/list?last=1.1&n=2>; rel="next"'
        return 200, {"Link": link}, b'{"tags": ["1.0", "1.1"]}'

    registry_a = serve(servers, registry)
    auth = Auth("pull secret shop/regcred", Credential(USER, PASSWORD))
    reply, tags = client.tags(registry_a.host, "team/app", auth)
    assert tags == ["1.0", "1.1", "2.0"]
    assert registry_a.authorizations() == [None, BASIC, BASIC]
    assert other.received == []


def test_a_retried_request_goes_to_the_same_registry_with_the_same_credentials(client, servers):
    from imagelint.core.credential import Credential
    from imagelint.online.client import Auth

    answers = iter([challenge('Basic realm="A"'), (503, {}, b""), (200, MANIFEST_HEADERS, b"")])
    registry_a = serve(servers, lambda r: next(answers))
    auth = Auth("pull secret shop/regcred", Credential(USER, PASSWORD))
    assert client.manifest(registry_a.host, "team/app", "1.0", auth).status == 200
    assert registry_a.authorizations() == [None, BASIC, BASIC]


def test_tokens_are_kept_per_registry_host(client, servers):
    """Two registries name the same token service and service name, and one login matches
    both (a wildcard entry): each registry gets a token asked for it, not the other's."""
    from imagelint.core.credential import Credential
    from imagelint.online.client import Auth

    realm_d = serve(servers, token_service)

    def registry(request: Received) -> Answer:
        if request.headers.get("authorization") == "Bearer tok-for-alice":
            return found(request)
        return challenge(bearer(f"{realm_d.url}/token"))

    first, second = serve(servers, registry), serve(servers, registry)
    auth = Auth("pull secret shop/regcred", Credential(USER, PASSWORD))
    assert client.manifest(first.host, "team/app", "1.0", auth).status == 200
    assert client.manifest(second.host, "team/app", "1.0", auth).status == 200
    assert realm_d.authorizations() == [BASIC, BASIC]  # a token for each registry
    assert first.authorizations() == second.authorizations() == [None, "Bearer tok-for-alice"]


def test_no_file_is_written_outside_the_cache_and_it_holds_no_secret(
    tmp_path, monkeypatch, servers
):
    realm_d = serve(servers, token_service)

    def registry(request: Received) -> Answer:
        if request.headers.get("authorization") == "Bearer tok-for-alice":
            return found(request)
        return challenge(bearer(f"{realm_d.url}/token"))

    registry_a = serve(servers, registry)
    image = f"{registry_a.host}/team/app:1.0"
    before = set(os.listdir(tmp_path))
    result = run(tmp_path, manifest([image], registry_a.host), monkeypatch)
    assert set(os.listdir(tmp_path)) - before == {"app.yaml", "cache"}
    assert result.cache  # something was kept (the tag's digest), and nothing secret
    assert_nothing_secret(result.cache, result.output)
