"""The one registry client: the ``/v2/`` API as the kubelet's container runtime speaks it.

- Manifests are asked for with ``HEAD`` and the full ``Accept`` list (without it registries
  answer 404 for OCI images and convert Docker images to schema 1); ``GET`` only for content.
- Authentication follows the registry's challenge: anonymous first; Bearer tokens from the realm
  it names (Basic credentials, or an identity token by the OAuth2 refresh grant), cached per
  realm, service, scope and credential for their lifetime; Basic where it asks for Basic.
  Credentials go to the registry they were chosen for and to the token realm that registry
  itself names, nowhere else: redirects are followed by hand and lose ``Authorization`` when
  the origin changes; a challenge that comes from a redirect target is not the registry's and
  gets nothing; a token request whose body carries a refresh token is not redirected away.
- HTTPS with verification (plus ``ca-files``); plain HTTP only for loopback hosts and
  ``insecure-registries``, tried after HTTPS fails at the TLS layer.
- Faults: a time limit per request and one for the whole run, enforced on every socket
  operation; retries with backoff on resets, 5xx and 429 (honouring ``Retry-After``); answers
  larger than needed are cut off, counted once decoded (gzip is inflated within the limit). A
  host that cannot be reached is not asked again in the run.
  Failures raise :class:`Unreachable` or :class:`RateLimited`, never a wrong status.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import httpx

from imagelint import __version__
from imagelint.core.model import Credential
from imagelint.online import challenge, decoding, network
from imagelint.online.errors import Oversized, RateLimited, Unreachable

MEDIA_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
ACCEPT = ", ".join(MEDIA_TYPES)
DOCKER_HUB_API = "registry-1.docker.io"
DOCKER_HUB_DOMAINS = frozenset({"docker.io", "index.docker.io", DOCKER_HUB_API})


class Limit(NamedTuple):
    """The most an answer may hold, decoded, and what it is (for the finding's message)."""

    size: int
    what: str


MANIFEST_LIMIT = Limit(4 << 20, "a manifest")  # what registries themselves accept for one
TAGS_LIMIT = Limit(16 << 20, "a tag list")
TOKEN_LIMIT = Limit(1 << 20, "a token answer")
BLOB_LIMIT = Limit(4 << 20, "an image config")  # the only blobs read
TAG_PAGES = 20
MAX_REDIRECTS = 5
MAX_RETRY_WAIT = 10.0  # longest Retry-After honoured; beyond it the answer is "rate limited"
RETRIED_STATUSES = frozenset({500, 502, 503, 504})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MIN_TOKEN_LIFETIME = 60  # seconds, as the token specification says
PROBE_TIMEOUT = 2.0  # for a TLS handshake with a host that may speak plain HTTP


class Auth(NamedTuple):
    """A credential to present, and where it came from (for findings)."""

    source: str
    credential: Credential
    identity_token: bool = False  # the password is an OAuth2 refresh token


class Reply(NamedTuple):
    status: int
    headers: httpx.Headers
    body: bytes
    refused: bool = False  # the credentials were rejected (or demanded, when none were given)
    challenge_error: str = ""  # error= of the last Bearer challenge (insufficient_scope...)
    answered_by: str = ""  # host:port of a redirect target on another origin that answered


def api_host(domain: str) -> str:
    """The host to talk to for a reference's domain (Docker Hub's API is not docker.io)."""
    return DOCKER_HUB_API if domain in DOCKER_HUB_DOMAINS else domain


class _Retry(Exception):
    def __init__(self, cause: str) -> None:
        self.cause = cause


class _Downgrade(Exception):
    """HTTPS failed at the TLS layer on a host allowed plain HTTP: ask again over HTTP."""

    def __init__(self, host: str, cause: str) -> None:
        self.host = host
        self.cause = cause


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
        self.timeout = timeout
        self.request_timeout = request_timeout
        self.retries = retries
        self._end = time.monotonic() + timeout
        self._insecure = {host.strip().lower().rstrip("/") for host in insecure}
        self._sleep = sleep
        mounts: dict[str, httpx.BaseTransport | None] = {}
        if transport is None:
            transport, mounts = _transports(
                ssl_context(ca_files), allow_link_local, max_connections
            )
        self._allow_link_local = allow_link_local
        self._client = httpx.Client(
            transport=transport,
            mounts=mounts,
            follow_redirects=False,
            timeout=httpx.Timeout(request_timeout),
            headers={
                "User-Agent": f"imagelint/{__version__}",
                "Accept-Encoding": decoding.ACCEPT_ENCODING,
            },
            trust_env=False,
        )
        self._lock = threading.Lock()
        self.requests = 0
        self._schemes: dict[str, str] = {}
        self._scheme_locks: dict[str, threading.Lock] = {}
        self._down: dict[str, str] = {}
        self._challenges: dict[str, challenge.Challenge] = {}
        self._tokens: dict[tuple[Any, ...], tuple[str, float]] = {}
        self._token_locks: dict[tuple[Any, ...], threading.Lock] = {}

    def close(self) -> None:
        self._client.close()

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
        import json

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
            here = httpx.URL(f"{self._schemes.get(host, 'https')}://{host}{path}")
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
                return self._refused(auth)
            if authorization:
                headers["Authorization"] = authorization
                sent_token = authorization.startswith("Bearer ")
        reply = self._on_registry(method, host, path, headers, limit)
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
                return self._refused(auth)
            headers["Authorization"] = authorization
            reply = self._on_registry(method, host, path, headers, limit)
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
            reply = self._on_registry(method, host, path, headers, limit)
            if reply.status == 401:
                _not_a_challenge_of(host, reply)
            return reply._replace(refused=reply.status == 401)
        return reply._replace(refused=True)

    def _refused(self, auth: Auth | None) -> Reply:
        del auth  # the checker knows whether credentials were given
        return Reply(401, httpx.Headers(), b"", refused=True)

    def _authorization(
        self, host: str, known: challenge.Challenge, repository: str, auth: Auth | None
    ) -> str | bool | None:
        """The Authorization header for a host whose challenge is known: a header, None (send
        nothing), or False (the token service refused)."""
        if known.scheme == "basic":
            return _basic(auth.credential) if auth is not None else None
        token = self._token(host, known, repository, auth)
        return False if token is None else f"Bearer {token}"

    def _token_key(
        self, host: str, bearer: challenge.Challenge, repository: str, auth: Auth | None
    ) -> tuple[Any, ...]:
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
        import json

        realm = httpx.URL(bearer.realm or "")
        if realm.scheme not in ("https", "http") or not realm.host:
            raise Unreachable(f"the registry names an unusable token service ({realm})")
        realm_host = realm.netloc.decode("ascii")
        if realm.scheme == "http" and auth is not None and not self._plain_allowed(realm_host):
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
            reply = self._ask_token_service("POST", realm, headers, content=_form(form), form=True)
            if reply.status in (404, 405):
                reply = None  # no OAuth2 endpoint: the GET flow, with Basic
        if reply is None:
            if auth is not None:
                headers["Authorization"] = _basic(auth.credential)
            reply = self._ask_token_service("GET", realm.copy_merge_params(params), headers)
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

    def _ask_token_service(
        self,
        method: str,
        url: httpx.URL,
        headers: dict[str, str],
        content: bytes | None = None,
        form: bool = False,
    ) -> Reply:
        """A request to a token realm: HTTPS as the registry named it, never downgraded."""
        try:
            # A form body carries the refresh token: it is never redirected to another origin.
            return self._follow(
                method, url, headers, TOKEN_LIMIT, content=content, form=form, secret_body=form
            )
        except _Downgrade as downgrade:
            raise self._mark_down(downgrade.host, downgrade.cause) from None

    # -- transport: schemes, redirects, retries, faults --------------------------------------

    def _plain_allowed(self, host: str) -> bool:
        host = host.lower()
        return network.is_loopback(host) or host in self._insecure

    def _on_registry(
        self, method: str, host: str, path: str, headers: dict[str, str], limit: Limit
    ) -> Reply:
        if host not in self._schemes and self._plain_allowed(host):
            # One request finds out whether the host speaks TLS; the others wait for it.
            with self._lock:
                probe = self._scheme_locks.setdefault(host, threading.Lock())
            with probe:
                if host not in self._schemes:
                    return self._on_registry_as_known(method, host, path, headers, limit)
        return self._on_registry_as_known(method, host, path, headers, limit)

    def _on_registry_as_known(
        self, method: str, host: str, path: str, headers: dict[str, str], limit: Limit
    ) -> Reply:
        while True:
            scheme = self._schemes.get(host, "https")
            try:
                reply = self._follow(method, httpx.URL(f"{scheme}://{host}{path}"), headers, limit)
            except _Downgrade as downgrade:
                if downgrade.host != host:  # a redirect target: no plain HTTP there
                    raise self._mark_down(downgrade.host, downgrade.cause) from None
                self._schemes[host] = "http"
                continue
            self._schemes.setdefault(host, scheme)
            return reply

    def _follow(
        self,
        method: str,
        url: httpx.URL,
        headers: dict[str, str],
        limit: Limit,
        content: bytes | None = None,
        form: bool = False,
        secret_body: bool = False,
    ) -> Reply:
        """Send, following redirects by hand. ``Authorization`` (and a ``secret_body``) go to
        the first URL's origin only; an answer from another origin says who gave it."""
        headers = dict(headers)
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        origin = (url.scheme, url.host, url.port)
        for _ in range(MAX_REDIRECTS + 1):
            status, answer_headers, body = self._send(method, url, headers, limit, content)
            location = answer_headers.get("location")
            if status not in REDIRECTS or not location:
                here = (url.scheme, url.host, url.port)
                foreign = "" if here == origin else url.netloc.decode("ascii")
                return Reply(status, answer_headers, body, answered_by=foreign)
            target = url.join(location)
            if target.scheme not in ("http", "https"):
                raise Unreachable(f"{url.host} redirected to a {target.scheme!r} address")
            netloc = target.netloc.decode("ascii")
            if target.scheme == "http" and not self._plain_allowed(netloc):
                raise Unreachable(f"{url.host} redirected to plain HTTP ({target.host})")
            if status == 303:
                method, content = "GET", None
            if (target.scheme, target.host, target.port) != origin:
                headers.pop("Authorization", None)  # never to another host (blob storage, CDN)
                if secret_body and content is not None:
                    raise Unreachable(
                        f"{url.host} redirected a token request to {target.host}; imagelint "
                        "does not send the refresh token to another host"
                    )
            url = target
        raise Unreachable(f"{url.host} redirected more than {MAX_REDIRECTS} times")

    def _send(
        self,
        method: str,
        url: httpx.URL,
        headers: dict[str, str],
        limit: Limit,
        content: bytes | None,
    ) -> tuple[int, httpx.Headers, bytes]:
        host = url.netloc.decode("ascii")
        attempt = 0
        while True:
            if host in self._down:
                raise Unreachable(self._down[host])
            try:
                status, answer_headers, body = self._exchange(method, url, headers, limit, content)
            except _Retry as retry:
                if attempt < self.retries and self._pause(0.25 * 2**attempt):
                    attempt += 1
                    continue
                raise self._mark_down(host, retry.cause) from None
            if status in RETRIED_STATUSES:
                if attempt < self.retries and self._pause(0.25 * 2**attempt):
                    attempt += 1
                    continue
                reason = httpx.codes.get_reason_phrase(status)
                tries = "every attempt" if attempt else "the request"
                raise Unreachable(f"{url.host} answered HTTP {status} {reason} to {tries}")
            if status == 429:
                wait = _retry_after(answer_headers.get("retry-after"))
                wait = 0.5 * 2**attempt if wait is None else wait
                if attempt < self.retries and wait <= MAX_RETRY_WAIT and self._pause(wait):
                    attempt += 1
                    continue
                raise RateLimited(_rate_limit_detail(url.host, answer_headers))
            return status, answer_headers, body

    def _pause(self, seconds: float) -> bool:
        """Wait before a retry, if the run has the time."""
        if time.monotonic() + seconds >= self._end:
            return False
        self._sleep(seconds)
        return True

    def _mark_down(self, host: str, cause: str) -> Unreachable:
        with self._lock:
            self._down.setdefault(host, cause)
        return Unreachable(cause)

    def _exchange(
        self,
        method: str,
        url: httpx.URL,
        headers: dict[str, str],
        limit: Limit,
        content: bytes | None,
    ) -> tuple[int, httpx.Headers, bytes]:
        host = url.netloc.decode("ascii")
        left = self._end - time.monotonic()
        if left <= 0:
            raise Unreachable(f"the online checks ran out of time (--timeout {self.timeout:g} s)")
        budget = min(self.request_timeout, left)
        # The first HTTPS attempt on a host that may be plain HTTP: a plain server may sit
        # silently on a TLS greeting, so the handshake gets a short time before HTTP is tried.
        probing = url.scheme == "https" and host not in self._schemes and self._plain_allowed(host)
        timeout = (
            httpx.Timeout(budget, connect=min(PROBE_TIMEOUT, budget / 3)) if probing else budget
        )
        with self._lock:
            self.requests += 1
        try:
            with network.deadline(budget):
                with self._client.stream(
                    method, url, headers=headers, content=content, timeout=timeout
                ) as response:
                    body = _read_bounded(url, response, limit)
                    return response.status_code, response.headers, body
        except httpx.TimeoutException as error:
            if probing and isinstance(error, httpx.ConnectTimeout):
                raise _Downgrade(host, f"timed out connecting to {url.host}") from None
            if budget < self.request_timeout:
                cause = f"the online checks ran out of time (--timeout {self.timeout:g} s)"
                raise Unreachable(cause) from None
            what = "connecting to" if isinstance(error, httpx.ConnectTimeout) else "waiting for"
            raise self._mark_down(host, f"timed out {what} {url.host} ({budget:g} s)") from None
        except httpx.ConnectError as error:
            if url.scheme == "https" and _tls_protocol_error(error) and self._plain_allowed(host):
                raise _Downgrade(host, _connect_cause(url, error)) from None
            raise self._mark_down(host, _connect_cause(url, error)) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            raise _Retry(_broken_cause(url, error)) from None
        except httpx.HTTPError as error:  # anything else httpx may raise: a fault, not a bug
            raise self._mark_down(host, f"{url.host}: {type(error).__name__}") from None


def _transports(
    context: Any, allow_link_local: bool, connections: int
) -> tuple[httpx.BaseTransport, dict[str, httpx.BaseTransport | None]]:
    """The direct transport, and proxies from the environment (HTTPS_PROXY, HTTP_PROXY,
    ALL_PROXY, NO_PROXY, as curl reads them). Loopback hosts never go through a proxy."""
    from urllib.request import getproxies_environment

    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)

    def transport(proxy: str | None = None) -> httpx.HTTPTransport:
        made = httpx.HTTPTransport(verify=context, limits=limits, proxy=proxy)
        network.guard(made, allow_link_local)
        return made

    proxies = getproxies_environment()
    mounts: dict[str, httpx.BaseTransport | None] = {}
    for scheme in ("http", "https"):
        proxy = proxies.get(scheme) or proxies.get("all")
        if proxy:
            mounts[f"{scheme}://"] = transport(proxy if "://" in proxy else f"http://{proxy}")
    if mounts:
        bypass = ["localhost", "127.0.0.1", "[::1]"]
        bypass += [h.strip() for h in proxies.get("no", "").split(",") if h.strip()]
        for host in bypass:
            if host == "*":
                return transport(), {}
            host = host.lstrip(".")
            mounts[f"all://{host}"] = None
            if not host[0].isdigit() and not host.startswith("["):
                mounts[f"all://*.{host}"] = None
    return transport(), mounts


def _read_bounded(url: httpx.URL, response: httpx.Response, limit: Limit) -> bytes:
    """The answer's body, decoded: at most ``limit.size`` bytes on the wire and once decoded.

    Read to the end, also after HEAD (no body): only a response read to its end lets the
    connection be used again."""
    too_large = f"{url.host} sent {limit.what} larger than {limit.size >> 20 or 1} MiB"
    if response.is_stream_consumed:
        # Only an in-process transport (httpx.MockTransport in unit tests) hands over a body it
        # read already; a network transport always streams.
        if len(response.content) > limit.size:
            raise Oversized(too_large)
        return response.content
    try:
        decoder = decoding.BoundedDecoder(response.headers.get("content-encoding"), limit.size)
    except decoding.UnknownEncoding as unknown:
        raise Unreachable(
            f"{url.host} sent an answer in an encoding imagelint did not ask for "
            f"(Content-Encoding: {unknown.args[0]})"
        ) from None
    chunks, size = [], 0
    try:
        for chunk in response.iter_raw():
            size += len(chunk)
            if size > limit.size:
                raise Oversized(too_large)
            chunks.append(decoder.feed(chunk))
        chunks.append(decoder.finish())
    except decoding.TooLarge:
        raise Oversized(
            f"{too_large} once decompressed (Content-Encoding: {decoder.encoding})"
        ) from None
    except decoding.BadEncoding as bad:
        raise Unreachable(
            f"{url.host} sent an answer that is not valid {bad.args[0]} data"
        ) from None
    return b"".join(chunks)


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
    import base64

    raw = f"{credential.username}:{credential.password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def _form(fields: Mapping[str, str]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(fields).encode("ascii")


def ssl_context(ca_files: tuple[str, ...] | list[str]) -> Any:
    """System trust (or certifi's, when the system has none), plus the configured CAs."""
    import ssl

    context = ssl.create_default_context()
    if not context.get_ca_certs() and not ssl.get_default_verify_paths().capath:
        import certifi

        context.load_verify_locations(certifi.where())
    for path in ca_files:
        try:
            context.load_verify_locations(cafile=path)
        except (OSError, ssl.SSLError) as error:
            raise ValueError(f"cannot use the CA file {path}: {error}") from None
    return context


def _next_link(header: str) -> str | None:
    for part in header.split(","):
        target, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", "") or "rel=next" in params.replace(" ", ""):
            return target.strip().strip("<>")
    return None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _rate_limit_detail(host: str, headers: httpx.Headers) -> str:
    """'limit 100 per 6 h, 0 remaining; retry after 3600 s' from Docker Hub's headers."""
    parts = []
    limit = _limit_header(headers.get("ratelimit-limit"))
    remaining = _limit_header(headers.get("ratelimit-remaining"))
    if limit is not None:
        count, window = limit
        parts.append(f"limit {count}" + (f" per {_duration(window)}" if window else ""))
    if remaining is not None:
        parts.append(f"{remaining[0]} remaining")
    after = headers.get("retry-after")
    if after and after.strip().isdigit():
        parts.append(f"retry after {after.strip()} s")
    source = headers.get("docker-ratelimit-source")
    if source and len(source) < 64:
        parts.append(f"counted for {source}")
    return f"{host} answered 429 Too Many Requests" + (f" ({', '.join(parts)})" if parts else "")


def _limit_header(value: str | None) -> tuple[str, int | None] | None:
    if not value:
        return None
    count, _, rest = value.partition(";")
    if not count.strip().isdigit():
        return None
    window = None
    for param in rest.split(";"):
        name, _, number = param.strip().partition("=")
        if name == "w" and number.isdigit():
            window = int(number)
    return count.strip(), window


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def _causes(error: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _tls_protocol_error(error: BaseException) -> bool:
    """A TLS failure other than an untrusted certificate: the server does not speak TLS."""
    import ssl

    chain = _causes(error)
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain):
        return False
    return any(isinstance(e, ssl.SSLError) for e in chain)


def _connect_cause(url: httpx.URL, error: BaseException) -> str:
    import socket
    import ssl

    host = url.host
    for cause in _causes(error):
        if isinstance(cause, network.BlockedAddress):
            return f"{cause}; imagelint does not connect there (allow-link-local: true allows it)"
        if isinstance(cause, socket.gaierror):
            return f"DNS lookup of {host} failed"
        if isinstance(cause, ConnectionRefusedError):
            return f"connection to {url.netloc.decode('ascii')} refused"
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = cause.verify_message or "verification failed"
            advice = "; a private CA goes in --ca-file" if cause.verify_code in _UNKNOWN_CA else ""
            return f"TLS certificate of {host} not accepted ({reason}){advice}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake with {host} failed ({cause.reason or cause})"
        if isinstance(cause, OSError) and cause.strerror:
            return f"cannot connect to {url.netloc.decode('ascii')} ({cause.strerror})"
    return f"cannot connect to {url.netloc.decode('ascii')}"


# OpenSSL's verify codes for an issuer it does not know (where --ca-file is the fix).
_UNKNOWN_CA = frozenset({2, 18, 19, 20, 21})


def _broken_cause(url: httpx.URL, error: BaseException) -> str:
    if isinstance(error, httpx.RemoteProtocolError):
        text = str(error)
        if "buffer too long" in text.lower():
            return f"{url.host} sent response headers larger than the 16 KiB allowed"
        if "without sending" in text or "closed" in text.lower():
            return f"{url.host} closed the connection without a complete answer"
        return f"{url.host} sent an answer that is not valid HTTP"
    return f"{url.host} broke the connection ({type(error).__name__})"
