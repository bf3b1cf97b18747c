"""Real container registries and fault servers for integration tests of the online checker.

- ``tests.registry.server``: :class:`Registry`, a ``docker-registry`` process (plain, Basic,
  token or TLS) with ``push()``/``delete()``/``remove_tag()``/``stop()``/``start()``.
- ``tests.registry.tokens``: :class:`TokenServer`, a Docker-style token endpoint in a thread.
- ``tests.registry.faults``: :class:`TooManyRequestsServer` (429) and :class:`SlowServer`.
- ``tests.registry.images``: deterministic blobs, manifests, indexes; :data:`ACCEPT_ALL`.
- ``tests.registry.fixtures``: the pytest fixtures, loaded by tests/conftest.py
  (``pytest_plugins = ("tests.registry.fixtures",)``).

Heavy dependencies (bcrypt, trustme, cryptography, PyJWT, httpx) are imported only when a
flavour needs them.
"""

from .faults import SlowServer, TooManyRequestsServer
from .images import (
    ACCEPT_ALL,
    DOCKER_LIST,
    DOCKER_MANIFEST,
    KINDS,
    OCI_INDEX,
    OCI_MANIFEST,
    PlatformImage,
    PushResult,
)
from .server import (
    BASIC_USERS,
    TOKEN_ANONYMOUS,
    TOKEN_USERS,
    Registry,
    RegistryError,
    start_registry,
)
from .tokens import TokenServer, TokenUser

__all__ = [
    "ACCEPT_ALL",
    "BASIC_USERS",
    "DOCKER_LIST",
    "DOCKER_MANIFEST",
    "KINDS",
    "OCI_INDEX",
    "OCI_MANIFEST",
    "PlatformImage",
    "PushResult",
    "Registry",
    "RegistryError",
    "SlowServer",
    "TOKEN_ANONYMOUS",
    "TOKEN_USERS",
    "TokenServer",
    "TokenUser",
    "TooManyRequestsServer",
    "start_registry",
]
