"""A loopback reverse proxy that adds latency in front of a registry (standard library only).

Used by the tests and by ``bench/online.py``::

    from tests.registry.proxy import delaying_proxy

    with delaying_proxy(registry.url, delay=0.05) as proxy:
        ...  # talk to proxy.url / proxy.host instead of the registry

Every request (method, path with query, headers including ``Authorization``, body) is forwarded
after sleeping ``delay`` seconds; status, headers and body come back unchanged, except that
hop-by-hop headers are dropped, ``Content-Length`` is recomputed (HEAD keeps the upstream value
and sends no body) and absolute ``Location`` URLs that point at the target are rewritten to the
proxy, so uploads made through the proxy stay on it. Client connections are HTTP/1.1 keep-alive;
each client connection keeps its own upstream connection. ``requests`` counts forwarded requests.
"""

from __future__ import annotations

import http.client
import json
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

from .loopback import LoopbackServer, QuietHandler

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)

_RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass(frozen=True)
class ProxiedRequest:
    """One request as the proxy received it."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


class _ProxyHandler(QuietHandler):
    _upstream: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        proxy = cast("DelayingProxy", self.server)
        if proxy.target_scheme == "https":
            return http.client.HTTPSConnection(
                proxy.target_hostname,
                proxy.target_port,
                timeout=proxy.upstream_timeout,
                context=proxy.ssl_context,
            )
        return http.client.HTTPConnection(
            proxy.target_hostname, proxy.target_port, timeout=proxy.upstream_timeout
        )

    def _send_upstream(
        self, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[http.client.HTTPResponse, bytes]:
        for attempt in (1, 2):
            fresh = self._upstream is None
            if self._upstream is None:
                self._upstream = self._connect()
            conn = self._upstream
            try:
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for name, value in headers:
                    conn.putheader(name, value)
                conn.endheaders(body if body else None)
                response = conn.getresponse()
                data = response.read()  # b"" for HEAD (http.client knows the method)
                if response.will_close:
                    self._drop_upstream()
                return response, data
            except _RETRYABLE:
                self._drop_upstream()
                if fresh or attempt == 2:
                    raise
            except BaseException:
                self._drop_upstream()
                raise
        raise AssertionError("unreachable")

    def _drop_upstream(self) -> None:
        if self._upstream is not None:
            self._upstream.close()
            self._upstream = None

    def _forward(self) -> None:
        proxy = cast("DelayingProxy", self.server)
        body = self.read_body()
        headers = [
            (name, value)
            for name, value in self.headers.items()
            if name.lower() not in HOP_BY_HOP and name.lower() not in ("host", "content-length")
        ]
        if proxy.keep_log:
            with proxy.lock:
                proxy.log.append(ProxiedRequest(self.command, self.path, tuple(headers)))
        proxy.count_request()
        if proxy.delay > 0:
            time.sleep(proxy.delay)
        headers.append(("Host", proxy.target_netloc))
        if body or self.command in ("POST", "PUT", "PATCH"):
            headers.append(("Content-Length", str(len(body))))
        try:
            response, data = self._send_upstream(headers, body)
        except (OSError, http.client.HTTPException) as exc:
            message = {"errors": [{"code": "UNAVAILABLE", "message": f"proxy: {exc!r}"}]}
            self.reply(502, json.dumps(message).encode())
            return
        self.send_response_only(response.status, response.reason)
        no_body = self.command == "HEAD" or response.status in (204, 304) or response.status < 200
        for name, value in response.getheaders():
            lower = name.lower()
            if lower in HOP_BY_HOP or (lower == "content-length" and not no_body):
                continue
            if lower == "location" and value.startswith(proxy.target_url):
                value = proxy.url + value[len(proxy.target_url) :]
            self.send_header(name, value)
        if not no_body:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not no_body and data:
            self.wfile.write(data)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _forward

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self._drop_upstream()


class DelayingProxy(LoopbackServer):
    """Reverse proxy on ``127.0.0.1:0`` that sleeps ``delay`` seconds before forwarding.

    ``target_url`` is ``http(s)://host:port`` (any path is ignored); pass ``ssl_context`` for an
    https target. ``log`` keeps every ``ProxiedRequest`` unless ``keep_log`` is false (benchmarks).
    Call ``start()`` or use it as a context manager.
    """

    def __init__(
        self,
        target_url: str,
        delay: float = 0.05,
        *,
        ssl_context: ssl.SSLContext | None = None,
        keep_log: bool = True,
        upstream_timeout: float = 60.0,
    ) -> None:
        parts = urlsplit(target_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"target_url must be http(s)://host:port, not {target_url!r}")
        super().__init__(_ProxyHandler)
        self.target_scheme = parts.scheme
        self.target_hostname = parts.hostname
        self.target_port = parts.port or (443 if parts.scheme == "https" else 80)
        self.target_netloc = parts.netloc
        self.target_url = f"{parts.scheme}://{parts.netloc}"
        self.delay = delay
        self.ssl_context = ssl_context
        self.keep_log = keep_log
        self.upstream_timeout = upstream_timeout
        self.log: list[ProxiedRequest] = []

    def authorizations(self) -> list[str | None]:
        """The ``Authorization`` header of each logged request (``None`` when absent)."""
        with self.lock:
            return [entry.header("Authorization") for entry in self.log]

    def reset(self) -> None:
        with self.lock:
            self.requests = 0
            self.log.clear()


@contextmanager
def delaying_proxy(
    target_url: str,
    delay: float = 0.05,
    *,
    ssl_context: ssl.SSLContext | None = None,
    keep_log: bool = True,
) -> Iterator[DelayingProxy]:
    """Start a ``DelayingProxy`` for the duration of a ``with`` block."""
    proxy = DelayingProxy(target_url, delay, ssl_context=ssl_context, keep_log=keep_log)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
