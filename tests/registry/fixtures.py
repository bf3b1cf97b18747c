"""pytest fixtures: real registries on loopback and misbehaving servers.

Load them with ``pytest_plugins = ("tests.registry.fixtures",)`` (in tests/conftest.py for the
whole suite, or in a test module). Registry fixtures skip when ``docker-registry`` is not
installed, and fail instead when ``IMAGELINT_REQUIRE_REGISTRY`` is set.

Scopes: the four flavours are module-scoped (one process per test module, ~30 ms to start).
A test that calls ``stop()`` on one should ``start()`` it again (same port and storage), or
take a private instance from ``make_registry``. Every process is killed at teardown; its
directory (config, storage, ``registry.log``, ``token/token-server.log``) stays under
pytest's basetemp for debugging.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .faults import SlowServer, TooManyRequestsServer
from .server import Registry, registry_binary, start_registry

REQUIRE_ENV = "IMAGELINT_REQUIRE_REGISTRY"


def require_registry_binary() -> str:
    """The registry binary's path, or skip (fail under IMAGELINT_REQUIRE_REGISTRY)."""
    binary = registry_binary()
    if os.path.isfile(binary) and os.access(binary, os.X_OK):
        return binary
    reason = f"{binary} is missing: install Debian's docker-registry package"
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{reason} ({REQUIRE_ENV} is set)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def registry_bin() -> str:
    return require_registry_binary()


def _serve(tmp_path_factory, name: str, flavour: str, **options) -> Iterator[Registry]:
    registry = start_registry(tmp_path_factory.mktemp(name), flavour, **options)
    try:
        yield registry
    finally:
        registry.close()


@pytest.fixture(scope="module")
def registry_plain(registry_bin, tmp_path_factory) -> Iterator[Registry]:
    """Plain HTTP, no authentication."""
    yield from _serve(tmp_path_factory, "registry-plain", "plain")


@pytest.fixture(scope="module")
def registry_basic(registry_bin, tmp_path_factory) -> Iterator[Registry]:
    """htpasswd (bcrypt) Basic auth over plain HTTP; ``username``/``password`` = alice."""
    yield from _serve(tmp_path_factory, "registry-basic", "basic")


@pytest.fixture(scope="module")
def registry_token(registry_bin, tmp_path_factory) -> Iterator[Registry]:
    """Bearer token auth with a token server in a thread (``realm``, ``token_server``).

    Users: admin (everything), reader (pull on every repo, = ``username``/``password``),
    nopull (pull on public/* only). Anonymous: pull on public/* only.
    """
    yield from _serve(tmp_path_factory, "registry-token", "token")


@pytest.fixture(scope="module")
def registry_tls(registry_bin, tmp_path_factory) -> Iterator[Registry]:
    """HTTPS with a trustme CA (``ca_file``); the certificate names 127.0.0.1 and localhost."""
    yield from _serve(tmp_path_factory, "registry-tls", "tls")


@pytest.fixture(scope="module")
def registry_tls_wrong_host(registry_tls, tmp_path_factory) -> Iterator[Registry]:
    """HTTPS, same CA as registry_tls, but the certificate is for wrong.imagelint.test only."""
    yield from _serve(
        tmp_path_factory,
        "registry-tls-wrong-host",
        "tls",
        ca=registry_tls.ca,
        cert_hosts=("wrong.imagelint.test",),
    )


@pytest.fixture
def make_registry(registry_bin, tmp_path_factory):
    """A factory for private registries, closed after the test.

    ``make_registry(flavour="plain", **options)``; options are Registry's: ``auth``
    ("none"/"basic"/"token"), ``tls`` (bool), ``basic_users`` ({name: password}),
    ``token_users`` ([TokenUser]), ``anonymous`` (grants or None), ``ca``, ``cert_hosts``,
    ``delete_enabled``.
    """
    started: list[Registry] = []

    def make(flavour: str = "plain", **options) -> Registry:
        directory = tmp_path_factory.mktemp(f"registry-{flavour}")
        registry = start_registry(directory, flavour, **options)
        started.append(registry)
        return registry

    yield make
    for registry in reversed(started):
        registry.close()


@pytest.fixture
def too_many_requests_server() -> Iterator[TooManyRequestsServer]:
    """Answers everything with 429 TOOMANYREQUESTS, Retry-After: 1, ratelimit-* headers."""
    server = TooManyRequestsServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def slow_server() -> Iterator[SlowServer]:
    """Accepts connections and stays silent for ``delay`` seconds (30; set it before use)."""
    server = SlowServer(delay=30.0)
    try:
        yield server
    finally:
        server.stop()
