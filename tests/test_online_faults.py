"""Fault injection: ``imagelint check --online`` against loopback servers that misbehave.

Each fault server (tests/registry/faults.py) shares a manifest with a healthy image: a tag that
does not exist in a real registry (``registry_plain``, behind a recording proxy). For every fault:

- the run ends within its ``--timeout`` (plus a margin for starting up),
- the faulty image gets exactly one ``registry-unreachable`` (or ``registry-rate-limited``)
  finding whose message names the cause in words,
- the healthy image is still checked (``tag-not-found``),
- the pod's pull secret (for the faulty host, with a marker password) never shows in the output,
  and no credential reaches a host it was not chosen for (the healthy registry, a redirect
  target on another origin).

The last test measures file descriptors and connections over thousands of unique images
(``IMAGELINT_FD_IMAGES``: 1,000 by default, ~3 s; 5,000 takes ~17-23 s).
"""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from imagelint.cli import cli
from tests.registry.faults import (
    BadCertificateServer,
    ClosingServer,
    DribblingServer,
    GarbageServer,
    HugeHeaderServer,
    OversizedBodyServer,
    RedirectingRegistry,
    RedirectLoopServer,
    SlowServer,
    StatusServer,
)
from tests.registry.loopback import LoopbackServer, QuietHandler
from tests.registry.proxy import DelayingProxy

TIMEOUT = 3  # --timeout of every run, in seconds
MARGIN = 3.0  # start-up and teardown on top of it (a run takes ~0.2 s without faults)
USER = "fault-user"
MARKER = "FAULT-MARKER-7f3a9c"  # the pull secret's password: must never leave its registry
MARKER_BASIC = base64.b64encode(f"{USER}:{MARKER}".encode()).decode()
ONLINE_RULES = {
    "tag-not-found",
    "repository-not-found",
    "registry-auth-failed",
    "platform-missing",
    "image-too-large",
    "registry-unreachable",
    "registry-rate-limited",
}
# Printed at the end of the session with -s (or read in the report): fault -> (seconds, message).
MEASURED: dict[str, tuple[float, str]] = {}


# -- manifests and runs -----------------------------------------------------------------------


def manifest(images: list[str], secret_host: str | None = None) -> str:
    """One Deployment with ``images``; with ``secret_host``, a pull secret for that host (user
    ``USER``, password ``MARKER``) that the pod names."""
    text = ""
    secrets = ""
    if secret_host is not None:
        auth = base64.b64encode(f"{USER}:{MARKER}".encode()).decode()
        config = json.dumps({"auths": {secret_host: {"auth": auth}}})
        data = base64.b64encode(config.encode()).decode()
        text += (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: faultcred, namespace: shop}\n"
            f"type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {data}\n---\n"
        )
        secrets = "      imagePullSecrets: [{name: faultcred}]\n"
    text += (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, namespace: shop}\n"
        "spec:\n  template:\n    spec:\n" + secrets + "      containers:\n"
    )
    for index, image in enumerate(images):
        text += f'        - name: c{index}\n          image: "{image}"\n'
    return text


@dataclass
class Run:
    code: int
    findings: list[dict]  # the online rules' findings
    output: str  # everything printed, stdout and stderr
    elapsed: float

    def by_image(self) -> dict[str, list[tuple[str, str]]]:
        grouped: dict[str, list[tuple[str, str]]] = {}
        for finding in self.findings:
            grouped.setdefault(finding["image"], []).append((finding["rule"], finding["message"]))
        return grouped


def run(tmp_path: Path, text: str, *flags: str, timeout: float = TIMEOUT) -> Run:
    """``imagelint check --online --no-cache --format json --timeout <timeout>`` on ``text``."""
    (tmp_path / "app.yaml").write_text(text)
    (tmp_path / ".imagelint.yaml").write_text("fail-on: warning\n")
    args = ["check", "--online", "--no-cache", "--format", "json", "--timeout", f"{timeout:g}"]
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        started = time.monotonic()
        result = CliRunner().invoke(cli, [*args, *flags, "app.yaml"])
        elapsed = time.monotonic() - started
    finally:
        os.chdir(old)
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)
    found = [f for f in document["findings"] if f["rule"] in ONLINE_RULES]
    return Run(result.exit_code, found, result.stdout + result.stderr, elapsed)


def assert_no_secret_in(text: str) -> None:
    assert MARKER not in text
    assert MARKER_BASIC not in text


# -- the healthy registry ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def healthy_proxy(registry_plain) -> Iterator[DelayingProxy]:
    """registry_plain (with shop/api:1.0) behind a proxy that logs what it is sent."""
    registry_plain.push("shop/api", "1.0", "oci")
    with DelayingProxy(registry_plain.url, delay=0) as proxy:
        yield proxy


@pytest.fixture
def healthy(healthy_proxy) -> Iterator[DelayingProxy]:
    healthy_proxy.reset()
    yield healthy_proxy
    # The healthy registry was asked, and never sent a credential (none is chosen for it).
    assert healthy_proxy.requests > 0
    assert healthy_proxy.authorizations() == [None] * len(healthy_proxy.authorizations())


def missing_image(proxy: DelayingProxy) -> str:
    return f"{proxy.host}/shop/api:9.9"


def assert_still_checked(result: Run, proxy: DelayingProxy) -> None:
    image = missing_image(proxy)
    assert result.by_image()[image] == [
        ("tag-not-found", f'the tag "9.9" does not exist in {proxy.host}/shop/api (asked '
         'anonymously); nearest existing tags: "1.0"')
    ]  # fmt: skip


def can_bind(address: str) -> bool:
    try:
        with socket.socket() as probe:
            probe.bind((address, 0))
        return True
    except OSError:
        return False


# -- the faults -------------------------------------------------------------------------------

# A request may take half the run's time: a host that never answers is found out, and named,
# while there is time left for the others.
SILENT = f"timed out waiting for 127.0.0.1 ({TIMEOUT / 2:g} s)"


@dataclass(frozen=True)
class Fault:
    make: Callable[[], object]  # a started server with .host and .stop()
    cause: str  # the finding's message after "could not check <image>: "
    rule: str = "registry-unreachable"
    challenges: bool = False  # asks for credentials (so the pull secret's are sent to it)


FAULTS = {
    # Accepts, reads, and never says a word (not even to the TLS greeting of the HTTPS probe).
    "never-answers": Fault(lambda: SlowServer(delay=None), SILENT),
    # Slowloris: one header byte every 50 ms, forever; no single read times out.
    "slowloris": Fault(lambda: DribblingServer(interval=0.05), SILENT),
    "closes-before-answering": Fault(
        lambda: ClosingServer("before-answer"),
        "127.0.0.1 closed the connection without a complete answer",
    ),
    "closes-mid-response": Fault(
        lambda: ClosingServer("mid-head"),
        "127.0.0.1 closed the connection without a complete answer",
    ),
    "resets-the-connection": Fault(
        lambda: ClosingServer("reset"), "127.0.0.1 broke the connection (ReadError)"
    ),
    # An SSH server's banner, then it hangs up: no complete HTTP head ever arrived.
    "ssh-banner-then-close": Fault(
        GarbageServer, "127.0.0.1 closed the connection without a complete answer"
    ),
    "garbage-status-line": Fault(
        lambda: GarbageServer(b"HTTQ/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        "127.0.0.1 sent an answer that is not valid HTTP",
    ),
    "garbage-binary": Fault(
        lambda: GarbageServer(bytes(range(256)) * 4 + b"\r\n\r\n"),
        "127.0.0.1 sent an answer that is not valid HTTP",
    ),
    "503-forever": Fault(
        lambda: StatusServer(503),
        "127.0.0.1 answered HTTP 503 Service Unavailable to every attempt",
    ),
    "500-forever": Fault(
        lambda: StatusServer(500),
        "127.0.0.1 answered HTTP 500 Internal Server Error to every attempt",
    ),
    "429-retry-after-an-hour": Fault(
        lambda: StatusServer(429, {"Retry-After": "3600"}),
        "127.0.0.1 answered 429 Too Many Requests (retry after 3600 s)",
        rule="registry-rate-limited",
    ),
    "redirect-loop": Fault(RedirectLoopServer, "127.0.0.1 redirected more than 5 times"),
    # A 1 MiB header line: past what the HTTP parser buffers (16 KiB).
    "oversized-header": Fault(
        HugeHeaderServer, "127.0.0.1 sent response headers larger than the 16 KiB allowed"
    ),
    # The token endpoint the registry's Bearer challenge names sends 8 MiB.
    "oversized-token-body": Fault(
        lambda: OversizedBodyServer(where="token"),
        "127.0.0.1 sent a token answer larger than 1 MiB",
        challenges=True,
    ),
}

CERTIFICATE_FAULTS = {
    "expired": "certificate has expired",
    "not-yet-valid": "certificate is not yet valid",
    "wrong-host": "IP address mismatch, certificate is not valid for '127.0.0.1'.",
    "unknown-ca": "unable to get local issuer certificate",
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_a_fault_is_unreachable_within_the_timeout_and_the_others_are_checked(
    tmp_path, healthy, name
):
    fault = FAULTS[name]
    server = fault.make()
    try:
        faulty = f"{server.host}/team/app:1.0"
        text = manifest([faulty, missing_image(healthy)], secret_host=server.host)
        result = run(tmp_path, text)
    finally:
        server.stop()
    message = f"could not check {faulty}: {fault.cause}"
    MEASURED[name] = (result.elapsed, message)
    assert result.code == 1
    assert result.by_image()[faulty] == [(fault.rule, message)]
    assert_still_checked(result, healthy)
    assert result.elapsed < TIMEOUT + MARGIN
    assert_no_secret_in(result.output)
    # Credentials went only where they were asked for: the token service the challenge named.
    sent = getattr(server, "authorizations", list)()
    if fault.challenges:
        assert f"Basic {MARKER_BASIC}" in sent
        assert server.authorizations("/v2/") == [None] * len(server.authorizations("/v2/"))
    else:
        assert sent == [None] * len(sent)


@pytest.mark.parametrize("problem", list(CERTIFICATE_FAULTS))
def test_a_certificate_that_is_not_accepted(tmp_path, healthy, problem):
    """The CA is given (--ca-file): the certificate is refused for its own fault, once, and
    neither HTTP nor credentials go over that connection, nor over plain HTTP instead."""
    with BadCertificateServer(problem) as server:
        ca_file = server.write_ca(tmp_path / "ca.pem")
        faulty = f"{server.host}/team/app:1.0"
        text = manifest([faulty, missing_image(healthy)], secret_host=server.host)
        result = run(tmp_path, text, "--ca-file", ca_file)
        deadline = time.monotonic() + 2
        while server.refused == 0 and time.monotonic() < deadline:
            time.sleep(0.01)  # the server notices the client's alert in its own thread
        assert (server.handshakes, server.refused, server.requests) == (0, 1, [])
    cause = f"TLS certificate of 127.0.0.1 not accepted ({CERTIFICATE_FAULTS[problem]})"
    [(rule, message)] = result.by_image()[faulty]
    MEASURED[f"certificate-{problem}"] = (result.elapsed, message)
    assert result.code == 1
    assert rule == "registry-unreachable"
    assert message.startswith(f"could not check {faulty}: {cause}")
    assert_still_checked(result, healthy)
    assert result.elapsed < TIMEOUT + MARGIN
    assert_no_secret_in(result.output)


@pytest.mark.parametrize("problem", ["expired", "not-yet-valid", "wrong-host"])
def test_no_ca_file_advice_when_the_ca_is_trusted(tmp_path, problem):
    with BadCertificateServer(problem) as server:
        image = f"{server.host}/team/app:1.0"
        ca_file = server.write_ca(tmp_path / "ca.pem")
        result = run(tmp_path, manifest([image]), "--ca-file", ca_file)
    [(rule, message)] = result.by_image()[image]
    assert rule == "registry-unreachable"
    assert CERTIFICATE_FAULTS[problem] in message
    assert "--ca-file" not in message


def test_the_certificate_server_is_a_registry_when_its_certificate_is_valid(tmp_path, healthy):
    """The control: the same server with a valid certificate has the image."""
    with BadCertificateServer("valid") as server:
        image = f"{server.host}/team/app:1.0"
        text = manifest([image, missing_image(healthy)])
        result = run(tmp_path, text, "--ca-file", server.write_ca(tmp_path / "ca.pem"))
        assert server.handshakes >= 1 and server.requests
    assert image not in result.by_image()
    assert_still_checked(result, healthy)


# -- redirects and credentials ----------------------------------------------------------------


@pytest.fixture
def redirecting() -> Iterator[Callable[..., RedirectingRegistry]]:
    started: list[RedirectingRegistry] = []

    def make(address: str = "127.0.0.1") -> RedirectingRegistry:
        server = RedirectingRegistry(USER, MARKER, address=address)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


REDIRECT_TARGETS = ["same-origin", "other-port", "localhost", "other-address"]


@pytest.mark.parametrize("target", REDIRECT_TARGETS)
def test_credentials_never_follow_a_redirect_to_another_origin(
    tmp_path, healthy, redirecting, target
):
    """The registry asks for Basic credentials, then redirects the manifest request. The
    credentials go along only to the same scheme, host and port: not to another port, not to
    ``localhost`` for ``127.0.0.1``, not to another loopback address."""
    if target == "other-address" and not can_bind("127.0.0.2"):
        pytest.skip("127.0.0.2 is not usable on this machine")
    registry = redirecting()
    if target == "other-port":
        cdn = redirecting()
    elif target == "other-address":
        cdn = redirecting("127.0.0.2")
    else:
        cdn = registry  # same-origin: its own URL; localhost: itself, named otherwise
    registry.redirect_to = f"http://localhost:{registry.port}" if target == "localhost" else cdn.url
    image = f"{registry.host}/team/app:1.0"
    result = run(tmp_path, manifest([image, missing_image(healthy)], secret_host=registry.host))
    assert result.code == 1
    assert image not in result.by_image()  # found at the redirect's target
    assert_still_checked(result, healthy)
    assert_no_secret_in(result.output)
    asked = [r.headers.get("authorization") for r in registry.requests if "/cdn/" not in r.path]
    assert f"Basic {MARKER_BASIC}" in asked  # the registry it was chosen for got it
    followed = cdn.authorizations("/cdn/")
    assert followed  # the HEAD, and the GET of the content checks
    expected = f"Basic {MARKER_BASIC}" if target == "same-origin" else None
    assert followed == [expected] * len(followed)
    MEASURED[f"redirect-{target}"] = (result.elapsed, f"found; /cdn/ got {followed}")


def test_a_token_service_on_another_port_gets_no_credential_through_a_redirect(
    tmp_path, healthy, redirecting
):
    """The realm redirects to another origin: the Basic credentials for the token stay behind."""
    cdn = redirecting()

    class Realm(QuietHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            self.server.count_request()
            self.send_response(307)
            self.send_header("Location", f"{cdn.url}/cdn/token")
            self.send_header("Content-Length", "0")
            self.end_headers()

    class Challenger(QuietHandler):
        def do_HEAD(self):  # noqa: N802
            challenge = f'Bearer realm="{realm.url}/token",service="fault"'
            self.reply(401, b"", {"WWW-Authenticate": challenge})

    with LoopbackServer(Realm) as realm, LoopbackServer(Challenger) as registry:
        image = f"{registry.host}/team/app:1.0"
        # The pull secret names the registry; the token service is on realm.host.
        result = run(tmp_path, manifest([image, missing_image(healthy)], secret_host=registry.host))
    assert realm.requests >= 1
    followed = cdn.authorizations("/cdn/")
    assert followed and followed == [None] * len(followed)
    assert_no_secret_in(result.output)
    assert_still_checked(result, healthy)
    [(rule, message)] = result.by_image()[image]
    MEASURED["token-redirect-other-port"] = (result.elapsed, message)
    # The "token" /cdn/ answers is {} (no token): the service answered without one.
    assert (rule, message) == (
        "registry-unreachable",
        f"could not check {image}: the token service {realm.host} answered with no token",
    )


# -- more than one image on a faulty host ------------------------------------------------------


def test_a_host_that_times_out_is_asked_once():
    """With a per-request limit below the run's, the cause is the request's time-out, the host
    is marked down, and the other images on it are not asked again (no second wait)."""
    from imagelint.core.model import Settings
    from imagelint.online.checker import Checker
    from imagelint.online.client import RegistryClient
    from imagelint.running.engine import Engine

    with SlowServer(delay=None) as server:
        images = [f"{server.host}/team/app:{tag}" for tag in ("1", "2", "3")]

        def online(run_index, records):
            with RegistryClient(timeout=10, request_timeout=1) as client:
                return Checker(Settings(), client, content=False)(run_index, records)

        started = time.monotonic()
        report = Engine(online=online).check_text("app.yaml", manifest(images))
        elapsed = time.monotonic() - started
        connections = server.connections
    messages = sorted(f.message for f in report.findings if f.rule in ONLINE_RULES)
    assert messages == [
        f"could not check {image}: timed out waiting for 127.0.0.1 (1 s)" for image in images
    ]
    assert connections == 2  # the HTTPS probe (1 s), then one plain HTTP request (1 s)
    assert elapsed < 2 + 1.5
    MEASURED["request-timeout-3-images"] = (elapsed, messages[0])


def test_silent_registries_do_not_starve_the_others(tmp_path, registry_plain):
    registry_plain.push("shop/api", "1.0", "oci")
    with SlowServer(delay=None) as first, SlowServer(delay=None) as second:
        images = [f"{s.host}/team/app:{n}" for s in (first, second) for n in range(8)]
        healthy = f"{registry_plain.host}/shop/api:9.9"
        result = run(tmp_path, manifest([*images, healthy]), timeout=2)
    assert result.elapsed < 2 + MARGIN
    assert all(result.by_image()[image][0][0] == "registry-unreachable" for image in images)
    [(rule, message)] = result.by_image()[healthy]
    MEASURED["two-silent-registries-healthy-image"] = (result.elapsed, message)
    assert rule == "tag-not-found", message


def test_an_oversized_manifest_is_cut_off_and_reported(tmp_path, healthy):
    """The manifest GET (for the platform checks) sends 64 MiB: reading stops past 4 MiB, with
    no wait. Registries refuse manifests over 4 MiB on push, so a runtime cannot pull what this
    one serves: the image is reported as not checkable, naming the oversized answer."""
    with OversizedBodyServer(size=64 << 20, where="manifest") as server:
        image = f"{server.host}/team/app:1.0"
        result = run(tmp_path, manifest([image, missing_image(healthy)]))
        sent = server.body_bytes_sent
    assert result.by_image()[image] == [
        ("registry-unreachable",
         f"could not check {image}: 127.0.0.1 sent a manifest larger than 4 MiB"),
    ]  # fmt: skip
    assert_still_checked(result, healthy)
    assert 4 << 20 < sent < 32 << 20  # read past the limit, then the connection was dropped
    assert result.elapsed < 2
    MEASURED["oversized-manifest-body"] = (result.elapsed, f"{sent >> 20} MiB sent")


# -- bounded resources over many images --------------------------------------------------------

TCP_STATES = {"01": "ESTABLISHED", "06": "TIME_WAIT"}


def client_sockets(port: int) -> dict[int, str]:
    """This machine's IPv4 TCP sockets connected to 127.0.0.1:``port``: local port -> state
    (from /proc/net/tcp; the registry is another process, so these are the client's)."""
    found = {}
    with open("/proc/self/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            local, remote, state = fields[1], fields[2], fields[3]
            if remote == f"0100007F:{port:04X}":
                found[int(local.rpartition(":")[2], 16)] = TCP_STATES.get(state, state)
    return found


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_fds_and_connections_stay_bounded_over_many_unique_images(make_registry):
    """IMAGELINT_FD_IMAGES unique references (1,000 by default; 5,000 for the issue's figure,
    ~25 s), all missing tags but one (a HEAD and a tags list each), against a private registry.
    Open file descriptors and the client's TCP sockets to the registry are sampled all along:
    at most 8 requests per registry are in flight, and nothing grows with the number of images.
    (How many connections are opened in all: see test_head_requests_reuse_their_connection.)"""
    from imagelint.core.model import Settings
    from imagelint.online.step import OnlineSettings, OnlineStep
    from imagelint.running.engine import Engine

    count = int(os.environ.get("IMAGELINT_FD_IMAGES", "1000"))
    registry = make_registry("plain")
    registry.push("bulk/app", "t0", "oci")
    port = registry.port
    images = [f"{registry.host}/bulk/app:t{n}" for n in range(count)]
    text = "---\n".join(
        manifest(images[start : start + 100]).replace("name: app", f"name: app{start}")
        for start in range(0, count, 100)
    )
    before = set(client_sockets(port))
    baseline = open_fds()
    peaks = {"fds": baseline, "established": 0}
    seen: set[int] = set()
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peaks["fds"] = max(peaks["fds"], open_fds())
            sockets = client_sockets(port)
            seen.update(sockets)
            established = sum(
                state == "ESTABLISHED" and local not in before for local, state in sockets.items()
            )
            peaks["established"] = max(peaks["established"], established)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    try:
        step = OnlineStep(Settings(), OnlineSettings(use_cache=False, timeout=300), set())
        report = Engine(Settings(), online=step).check_text("bulk.yaml", text)
    finally:
        done.set()
        sampler.join()
    elapsed = time.monotonic() - started
    after = open_fds()
    final = client_sockets(port)
    # TIME_WAIT lasts 60 s, so closed ones still show (a lower bound: with tcp_tw_reuse,
    # loopback connections may take over the port of one in TIME_WAIT).
    opened = len((seen | set(final)) - before)
    time_wait = sum(state == "TIME_WAIT" for state in final.values())
    rules = [f.rule for f in report.findings if f.rule in ONLINE_RULES]
    MEASURED[f"bulk-{count}-images"] = (
        elapsed,
        f"{step.answers.requests} requests; fds: baseline {baseline}, peak {peaks['fds']} "
        f"(+{peaks['fds'] - baseline}), after {after}; TCP to the registry: peak "
        f"{peaks['established']} established, {opened} opened, {time_wait} in TIME_WAIT after",
    )
    assert rules == ["tag-not-found"] * (count - 1)
    # A HEAD each, a tags list for each missing tag, and the HTTPS probe.
    assert step.answers.requests == 2 * count
    assert peaks["fds"] - baseline < 64
    assert peaks["established"] <= 12  # 8 in flight (PER_REGISTRY), and a few closing
    assert after - baseline < 4  # the client's connections are closed with the run
    assert not [p for p, state in final.items() if state == "ESTABLISHED" and p not in before]


def test_head_requests_reuse_their_connection():
    from imagelint.online.client import RegistryClient

    with StatusServer(404) as server, RegistryClient(timeout=10) as client:
        for n in range(10):
            assert client.manifest(server.host, "team/app", f"{n}", None).status == 404
        connections = server.connections - server.tls_greetings  # less the HTTPS probe's
    assert connections == 1


@pytest.fixture(scope="module", autouse=True)
def _print_measurements() -> Iterator[None]:
    """With IMAGELINT_FAULTS_REPORT=1 and -s: each fault's wall time and message."""
    yield
    if os.environ.get("IMAGELINT_FAULTS_REPORT"):
        print()
        for name, (seconds, message) in MEASURED.items():
            print(f"{name}: {seconds:.2f} s: {message}")
