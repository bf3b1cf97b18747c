"""The one registry client: the ``/v2/`` API as the kubelet's container runtime speaks it.

- Manifests are asked for with ``HEAD`` and the full ``Accept`` list (without it registries
  answer 404 for OCI images and convert Docker images to schema 1); ``GET`` only for content.
- Authentication follows the registry's challenge: anonymous first; Bearer tokens from the realm
  it names (Basic credentials, or an identity token by the OAuth2 refresh grant), cached per
  registry host, realm, service, scope and credential for their lifetime; Basic where it asks
  for Basic. Credentials go to the registry they were chosen for and to the token realm that
  registry itself names, nowhere else: redirects are followed by hand and lose ``Authorization``
  when the origin changes; a challenge that comes from a redirect target is not the registry's
  and gets nothing; a token request whose body carries a refresh token is not redirected away.
- HTTPS with verification (plus ``ca-files``); plain HTTP only for loopback hosts and
  ``insecure-registries``, tried after HTTPS fails at the TLS layer.
- Faults: a time limit per request and one for the whole run, enforced on every socket
  operation; retries with backoff on resets, 5xx and 429 (honouring ``Retry-After``); answers
  larger than needed are cut off, counted once decoded (gzip is inflated within the limit). A
  host that cannot be reached is not asked again in the run.
  Failures raise :class:`Unreachable` or :class:`RateLimited`, never a wrong status.

This module holds the conversation with a registry and its authentication (challenges, tokens,
the token-service requests); :mod:`imagelint.online.transport` carries each request (schemes,
redirects, retries, time limits, bounded reading).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import Literal, NamedTuple, Protocol
from urllib.parse import urlencode

import httpx

from imagelint.core.credential import Credential
from imagelint.online import challenge
from imagelint.online.errors import Unreachable
from imagelint.online.transport import Limit, Reply, Transport

MEDIA_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
ACCEPT = ", ".join(MEDIA_TYPES)
DOCKER_HUB_API = "registry-1.docker.io"
DOCKER_HUB_DOMAINS = frozenset({"docker.io", "index.docker.io", DOCKER_HUB_API})

MANIFEST_LIMIT = Limit(4 << 20, "a manifest")  # what registries themselves accept for one
TAGS_LIMIT = Limit(16 << 20, "a tag list")
TOKEN_LIMIT = Limit(1 << 20, "a token answer")
BLOB_LIMIT = Limit(4 << 20, "an image config")  # the only blobs read
TAG_PAGES = 20
MIN_TOKEN_LIFETIME = 60  # seconds, as the token specification says

# A cached token's key: registry host, realm, service, scope, and the credential's identity.
_TokenKey = tuple[str, str | None, str | None, str, int | None]


class Auth(NamedTuple):
    """A credential to present, and where it came from (for findings)."""

    source: str
    credential: Credential
    identity_token: bool = False  # the password is an OAuth2 refresh token


def api_host(domain: str) -> str:
    """The host to talk to for a reference's domain (Docker Hub's API is not docker.io)."""
    return DOCKER_HUB_API if domain in DOCKER_HUB_DOMAINS else domain


class Registry(Protocol):
    """What the checker asks of a registry client (a :class:`RegistryClient`, or a stand-in)."""

    def manifest(
        self, domain: str, repository: str, reference: str, auth: Auth | None, method: str = ...
    ) -> Reply: ...

    def blob(self, domain: str, repository: str, digest: str, auth: Auth | None) -> Reply: ...

    def tags(self, domain: str, repository: str, auth: Auth | None) -> tuple[Reply, list[str]]: ...


class RegistryClient:
    def __init__(
        self,
        *,
        ca_files: tuple[str, ...] | list[str] = (),
        insecure: tuple[str, ...] | list[str] = (),
        allow_link_local: bool = False,
        timeout: float = 60.0,
        request_timeout: float = 20.0,
        retries: int = 2,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_connections: int = 32,
    ) -> None:
        self._transport = Transport(
            ca_files=ca_files,
            insecure=insecure,
            allow_link_local=allow_link_local,
            timeout=timeout,
            request_timeout=request_timeout,
            retries=retries,
            transport=transport,
            sleep=sleep,
            max_connections=max_connections,
        )
        self._lock = threading.Lock()
        self._challenges: dict[str, challenge.Challenge] = {}
        self._tokens: dict[_TokenKey, tuple[str, float]] = {}
        self._token_locks: dict[_TokenKey, threading.Lock] = {}

    @property
    def requests(self) -> int:
        """Requests sent so far (each retry and redirect counts)."""
        return self._transport.requests

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the questions -----------------------------------------------------------------------

    def manifest(
        self, domain: str, repository: str, reference: str, auth: Auth | None, method: str = "HEAD"
    ) -> Reply:
        host = api_host(domain)
        return self._request(
            method, host, f"/v2/{repository}/manifests/{reference}", repository, auth,
            MANIFEST_LIMIT,
        )  # fmt: skip

    def blob(self, domain: str, repository: str, digest: str, auth: Auth | None) -> Reply:
        host = api_host(domain)
        path = f"/v2/{repository}/blobs/{digest}"
        return self._request("GET", host, path, repository, auth, BLOB_LIMIT, "*/*")

    def tags(self, domain: str, repository: str, auth: Auth | None) -> tuple[Reply, list[str]]:
        """The repository's tags (every page the registry gives, up to a bound), and the reply
        of the last page asked (its status tells a missing repository: 404)."""
        host = api_host(domain)
        path = f"/v2/{repository}/tags/list?n=1000"
        found: list[str] = []
        for _ in range(TAG_PAGES):
            reply = self._request("GET", host, path, repository, auth, TAGS_LIMIT, "*/*")
            if reply.status != 200:
                return reply, found
            try:
                document = json.loads(reply.body)
            except ValueError:
                return reply._replace(status=0), found
            tags = document.get("tags") if isinstance(document, dict) else None
            page = [t for t in tags or () if isinstance(t, str)]
            if not page or page[-1] in found:
                break
            found.extend(page)
            following = _next_link(reply.headers.get("link", ""))
            if following is None:
                break
            here = httpx.URL(f"{self._transport.scheme(host)}://{host}{path}")
            url = here.join(following)
            if (url.scheme, url.host, url.port) != (here.scheme, here.host, here.port):
                break  # pages on another origin are not followed (nor sent credentials)
            path = url.raw_path.decode("ascii")
        return reply, found

    # -- authentication ----------------------------------------------------------------------

    def _request(
        self,
        method: str,
        host: str,
        path: str,
        repository: str,
        auth: Auth | None,
        limit: Limit,
        accept: str = ACCEPT,
    ) -> Reply:
        headers = {"Accept": accept}
        known = self._challenges.get(host)
        sent_token = False
        if known is not None:
            authorization = self._authorization(host, known, repository, auth)
            if authorization is False:
                return _refused()
            if authorization:
                headers["Authorization"] = authorization
                sent_token = authorization.startswith("Bearer ")
        reply = self._transport.on_registry(method, host, path, headers, limit)
        if reply.status != 401:
            return reply
        _not_a_challenge_of(host, reply)
        challenges = challenge.parse(", ".join(reply.headers.get_list("www-authenticate")))
        bearer = challenge.find(challenges, "bearer")
        basic = challenge.find(challenges, "basic")
        if bearer is not None and bearer.realm:
            if sent_token and bearer.params.get("error") != "invalid_token":
                return reply._replace(challenge_error=bearer.params.get("error", ""))
            if sent_token:  # an expired or revoked token: drop it and get one more
                self._forget_token(host, bearer, repository, auth)
            self._challenges[host] = bearer
            authorization = self._authorization(host, bearer, repository, auth)
            if not authorization:
                return _refused()
            headers["Authorization"] = authorization
            reply = self._transport.on_registry(method, host, path, headers, limit)
            if reply.status == 401:
                _not_a_challenge_of(host, reply)
                again = challenge.find(
                    challenge.parse(", ".join(reply.headers.get_list("www-authenticate"))),
                    "bearer",
                )
                error = again.params.get("error", "") if again is not None else ""
                return reply._replace(challenge_error=error, refused=error == "invalid_token")
            return reply
        if basic is not None:
            if auth is None or "Authorization" in headers:
                return reply._replace(refused=True)
            self._challenges[host] = basic
            headers["Authorization"] = _basic(auth.credential)
            reply = self._transport.on_registry(method, host, path, headers, limit)
            if reply.status == 401:
                _not_a_challenge_of(host, reply)
            return reply._replace(refused=reply.status == 401)
        return reply._replace(refused=True)

    def _authorization(
        self, host: str, known: challenge.Challenge, repository: str, auth: Auth | None
    ) -> str | Literal[False] | None:
        """The Authorization header for a host whose challenge is known: a header, None (send
        nothing), or False (the token service refused)."""
        if known.scheme == "basic":
            return _basic(auth.credential) if auth is not None else None
        token = self._token(host, known, repository, auth)
        return False if token is None else f"Bearer {token}"

    def _token_key(
        self, host: str, bearer: challenge.Challenge, repository: str, auth: Auth | None
    ) -> _TokenKey:
        """A token is kept for the registry host that asked for it (it goes nowhere else),
        the realm, service and scope, and the credential it was asked with."""
        scope = f"repository:{repository}:pull"
        return (host, bearer.realm, bearer.params.get("service"), scope, _identity(auth))

    def _forget_token(
        self, host: str, bearer: challenge.Challenge, repository: str, auth: Auth | None
    ) -> None:
        with self._lock:
            self._tokens.pop(self._token_key(host, bearer, repository, auth), None)

    def _token(
        self, host: str, bearer: challenge.Challenge, repository: str, auth: Auth | None
    ) -> str | None:
        """A token for pulling ``repository`` from ``host``: cached, or asked of the realm
        ``host`` named; None when the token service refuses the credentials (or anonymous
        access)."""
        key = self._token_key(host, bearer, repository, auth)
        with self._lock:
            lock = self._token_locks.setdefault(key, threading.Lock())
        with lock:
            cached = self._tokens.get(key)
            if cached is not None and cached[1] > time.monotonic():
                return cached[0]
            token, lifetime = self._fetch_token(bearer, key[3], auth)
            if token is not None:
                # Renew a little early, and never trust a lifetime below the minimum.
                expires = time.monotonic() + max(lifetime, MIN_TOKEN_LIFETIME) - 10
                self._tokens[key] = (token, expires)
            return token

    def _fetch_token(
        self, bearer: challenge.Challenge, scope: str, auth: Auth | None
    ) -> tuple[str | None, float]:
        realm = httpx.URL(bearer.realm or "")
        if realm.scheme not in ("https", "http") or not realm.host:
            raise Unreachable(f"the registry names an unusable token service ({realm})")
        realm_host = realm.netloc.decode("ascii")
        if (
            realm.scheme == "http"
            and auth is not None
            and not self._transport.plain_allowed(realm_host)
        ):
            raise Unreachable(
                f"the token service {realm_host} is plain HTTP; imagelint sends no credentials "
                "there (list it in insecure-registries if that is intended)"
            )
        service = bearer.params.get("service")
        params = {"scope": scope, **({"service": service} if service else {})}
        headers = {"Accept": "application/json"}
        reply = None
        if auth is not None and auth.identity_token:
            form = {
                "grant_type": "refresh_token",
                "refresh_token": auth.credential.password,
                "client_id": "imagelint",
                **params,
            }
            # The form carries the refresh token: as_named never redirects it to another origin.
            reply = self._transport.as_named(
                "POST", realm, headers, TOKEN_LIMIT, content=_form(form), form=True
            )
            if reply.status in (404, 405):
                reply = None  # no OAuth2 endpoint: the GET flow, with Basic
        if reply is None:
            if auth is not None:
                headers["Authorization"] = _basic(auth.credential)
            reply = self._transport.as_named(
                "GET", realm.copy_merge_params(params), headers, TOKEN_LIMIT
            )
        if reply.status in (401, 403) and reply.answered_by:
            raise Unreachable(
                f"the token service {realm_host} redirected to {reply.answered_by}, which "
                f"asked for credentials; imagelint sends them only to {realm_host}"
            )
        if reply.status in (401, 403):
            return None, 0
        if reply.status != 200:
            raise Unreachable(f"the token service {realm_host} answered HTTP {reply.status}")
        try:
            document = json.loads(reply.body)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise Unreachable(f"the token service {realm_host} answered with no token")
        token = document.get("token") or document.get("access_token")
        if not isinstance(token, str) or not token:
            raise Unreachable(f"the token service {realm_host} answered with no token")
        lifetime = document.get("expires_in")
        return token, float(lifetime) if isinstance(lifetime, (int, float)) else 60.0


def _refused() -> Reply:
    """What a refused credential (or a refused anonymous pull) looks like to the checker."""
    return Reply(401, httpx.Headers(), b"", refused=True)


def _not_a_challenge_of(host: str, reply: Reply) -> None:
    """A 401 from a redirect target on another origin is that host's challenge, not the
    registry's: neither the credentials chosen for ``host`` nor a token asked with them go
    there, and it is not remembered as ``host``'s."""
    if reply.answered_by:
        raise Unreachable(
            f"{host} redirected to {reply.answered_by}, which asked for credentials; imagelint "
            f"sends the credentials chosen for {host} only to {host} and its token service"
        )


def _identity(auth: Auth | None) -> int | None:
    return id(auth.credential) if auth is not None else None


def _basic(credential: Credential) -> str:
    raw = f"{credential.username}:{credential.password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def _form(fields: Mapping[str, str]) -> bytes:
    return urlencode(fields).encode("ascii")


def _next_link(header: str) -> str | None:
    for part in header.split(","):
        target, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", "") or "rel=next" in params.replace(" ", ""):
            return target.strip().strip("<>")
    return None
