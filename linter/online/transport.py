"""The transport under the registry client: how one request reaches a host and comes back.

- Schemes: HTTPS with verification; plain HTTP only for loopback hosts and
  ``insecure-registries``, tried after HTTPS fails at the TLS layer (a short handshake time on
  the first attempt, as a plain server may sit silently on a TLS greeting). A URL named by a
  registry (a token realm) is asked as named, never downgraded.
- Redirects are followed by hand: ``Authorization`` (and a secret body) go to the first URL's
  origin only, and an answer from another origin says who gave it (:attr:`Reply.answered_by`),
  so that the client never treats a redirect target's challenge as the registry's.
- Faults: a time limit per request and one for the whole run, enforced on every socket
  operation; retries with backoff on resets, 5xx and 429 (honouring ``Retry-After``); answers
  larger than their :class:`Limit` are cut off, counted once decoded. A host that cannot be
  reached is not asked again in the run. Failures raise :class:`Unreachable` or
  :class:`RateLimited`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import NamedTuple

import httpx

from imagelint import __version__
from imagelint.online import decoding, faults, network
from imagelint.online.connections import ssl_context, transports
from imagelint.online.errors import Oversized, RateLimited, Unreachable

MAX_REDIRECTS = 5
MAX_RETRY_WAIT = 10.0  # longest Retry-After honoured; beyond it the answer is "rate limited"
RETRIED_STATUSES = frozenset({500, 502, 503, 504})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PROBE_TIMEOUT = 2.0  # for a TLS handshake with a host that may speak plain HTTP


class Limit(NamedTuple):
    """The most an answer may hold, decoded, and what it is (for the finding's message)."""

    size: int
    what: str


class Reply(NamedTuple):
    status: int
    headers: httpx.Headers
    body: bytes
    refused: bool = False  # the credentials were rejected (or demanded, when none were given)
    challenge_error: str = ""  # error= of the last Bearer challenge (insufficient_scope...)
    answered_by: str = ""  # host:port of a redirect target on another origin that answered


class _Retry(Exception):
    def __init__(self, cause: str) -> None:
        self.cause = cause


class _Downgrade(Exception):
    """HTTPS failed at the TLS layer on a host allowed plain HTTP: ask again over HTTP."""

    def __init__(self, host: str, cause: str) -> None:
        self.host = host
        self.cause = cause


class Transport:
    """One connection pool for the run, and what it learnt about hosts: the scheme each
    registry speaks, and the hosts that could not be reached."""

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
            transport, mounts = transports(ssl_context(ca_files), allow_link_local, max_connections)
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

    def close(self) -> None:
        self._client.close()

    def plain_allowed(self, host: str) -> bool:
        host = host.lower()
        return network.is_loopback(host) or host in self._insecure

    def scheme(self, host: str) -> str:
        """The scheme ``host`` was found to speak (HTTPS until found otherwise)."""
        return self._schemes.get(host, "https")

    def on_registry(
        self, method: str, host: str, path: str, headers: dict[str, str], limit: Limit
    ) -> Reply:
        """Ask a registry host, over HTTPS or, where allowed and HTTPS fails at the TLS layer,
        plain HTTP."""
        if host not in self._schemes and self.plain_allowed(host):
            # One request finds out whether the host speaks TLS; the others wait for it.
            with self._lock:
                probe = self._scheme_locks.setdefault(host, threading.Lock())
            with probe:
                if host not in self._schemes:
                    return self._on_registry_as_known(method, host, path, headers, limit)
        return self._on_registry_as_known(method, host, path, headers, limit)

    def as_named(
        self,
        method: str,
        url: httpx.URL,
        headers: dict[str, str],
        limit: Limit,
        content: bytes | None = None,
        form: bool = False,
    ) -> Reply:
        """Ask a URL a registry named (a token realm): in its scheme, never downgraded. A form
        body is a secret (it carries a refresh token): it is never redirected to another
        origin."""
        try:
            return self._follow(
                method, url, headers, limit, content=content, form=form, secret_body=form
            )
        except _Downgrade as downgrade:
            raise self._mark_down(downgrade.host, downgrade.cause) from None

    # -- schemes and redirects ---------------------------------------------------------------

    def _on_registry_as_known(
        self, method: str, host: str, path: str, headers: dict[str, str], limit: Limit
    ) -> Reply:
        while True:
            scheme = self.scheme(host)
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
            if target.scheme == "http" and not self.plain_allowed(netloc):
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

    # -- retries and faults ------------------------------------------------------------------

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
                wait = faults.retry_after(answer_headers.get("retry-after"))
                wait = 0.5 * 2**attempt if wait is None else wait
                if attempt < self.retries and wait <= MAX_RETRY_WAIT and self._pause(wait):
                    attempt += 1
                    continue
                raise RateLimited(faults.rate_limit_detail(url.host, answer_headers))
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
        probing = url.scheme == "https" and host not in self._schemes and self.plain_allowed(host)
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
            if (
                url.scheme == "https"
                and faults.tls_protocol_error(error)
                and self.plain_allowed(host)
            ):
                raise _Downgrade(host, faults.connect_cause(url, error)) from None
            raise self._mark_down(host, faults.connect_cause(url, error)) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            raise _Retry(faults.broken_cause(url, error)) from None
        except httpx.HTTPError as error:  # anything else httpx may raise: a fault, not a bug
            raise self._mark_down(host, f"{url.host}: {type(error).__name__}") from None


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
