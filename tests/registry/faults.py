"""Misbehaving HTTP servers on loopback (port 0) for fault tests.

Rate limiting (:class:`TooManyRequestsServer`), stalls (:class:`SlowServer`), and the servers of
the fault-injection suite (tests/test_online_faults.py): byte-by-byte answers
(:class:`DribblingServer`), connections closed or reset mid-answer (:class:`ClosingServer`),
garbage (:class:`GarbageServer`), a fixed status forever (:class:`StatusServer`), redirect loops
(:class:`RedirectLoopServer`), a Basic-auth registry that redirects elsewhere and records the
``Authorization`` it is sent (:class:`RedirectingRegistry`), oversized headers
(:class:`HugeHeaderServer`) and bodies (:class:`OversizedBodyServer`), and HTTPS with a bad
certificate (:class:`BadCertificateServer`: expired, not yet valid, wrong host, unknown CA).

Every server is a thread (plus one per connection) on ``127.0.0.1:0`` (or another loopback
address, ``address=``), records what it was asked in ``requests`` and stops with ``stop()`` (or
as a context manager). The new servers answer a TLS greeting the way a plain HTTP server does (a
400, then close), so that a client probing HTTPS first moves on to plain HTTP at once.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str] = field(repr=False)  # names in lower case
    raw: bytes = field(default=b"", repr=False)  # the head and the body, as they arrived


def _read_request(conn: socket.socket, buffer: bytearray) -> SeenRequest | None:
    """The next request on the connection, with its body; None once it closes."""
    head = _read_head(conn, buffer)
    if head is None:
        return None
    method, path, headers = _parse_head(head)
    length = int(headers.get("content-length") or 0)
    while len(buffer) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    body = bytes(buffer[:length])
    del buffer[:length]
    return SeenRequest(method, path, headers, head + b"\r\n\r\n" + body)


def _read_head(conn: socket.socket, buffer: bytearray) -> bytes | None:
    """Read one request head (up to the blank line); None when the client went away."""
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    buffer[:] = rest
    return head


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, path, *_ = lines[0].split(" ") + ["", ""]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return method, path, headers


class _LoopbackServer:
    """Accept loop in a daemon thread, one daemon thread per connection."""

    name = "server"

    def __init__(self, address: str = "127.0.0.1") -> None:
        self.address = address
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((address, 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self.connections = 0
        self._accepter = threading.Thread(
            target=self._accept_loop, name=f"{self.name}-{self.port}", daemon=True
        )
        self._accepter.start()

    @property
    def host(self) -> str:
        return f"{self.address}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._stopping.is_set():
                    conn.close()
                    return
                self.connections += 1
                self._conns.add(conn)
            thread = threading.Thread(target=self._serve_conn, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve_conn(self, conn: socket.socket) -> None:
        try:
            self.handle(conn)
        except OSError:
            pass
        finally:
            with self._lock:
                self._conns.discard(conn)
            conn.close()

    def handle(self, conn: socket.socket) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def stop(self) -> None:
        """Close the listener and every open connection; later connects are refused."""
        self._stopping.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._accepter.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class TooManyRequestsServer(_LoopbackServer):
    """Answers every request with 429 TOOMANYREQUESTS and Docker Hub's rate-limit headers.

    Keep-alive is honoured. ``count`` is the number of requests answered, ``requests`` what
    they were. The response can be tuned through the attributes before (or between) requests.
    """

    name = "too-many-requests"

    def __init__(self, retry_after: str | None = "1") -> None:
        self.retry_after = retry_after
        self.extra_headers: dict[str, str] = {
            "ratelimit-limit": "100;w=21600",
            "ratelimit-remaining": "0;w=21600",
            "docker-ratelimit-source": "127.0.0.1",
        }
        self.body = b'{"errors":[{"code":"TOOMANYREQUESTS","message":"too many requests"}]}'
        self.requests: list[SeenRequest] = []
        super().__init__()

    @property
    def count(self) -> int:
        return len(self.requests)

    def handle(self, conn: socket.socket) -> None:
        buffer = bytearray()
        while not self._stopping.is_set():
            request = _read_request(conn, buffer)
            if request is None:
                return
            with self._lock:
                self.requests.append(request)
            lines = [
                "HTTP/1.1 429 Too Many Requests",
                "Content-Type: application/json; charset=utf-8",
                f"Content-Length: {len(self.body)}",
                "Docker-Distribution-Api-Version: registry/2.0",
            ]
            if self.retry_after is not None:
                lines.append(f"Retry-After: {self.retry_after}")
            lines += [f"{k}: {v}" for k, v in self.extra_headers.items()]
            closing = request.headers.get("connection", "").lower() == "close"
            if closing:
                lines.append("Connection: close")
            response = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
            conn.sendall(response + (b"" if request.method == "HEAD" else self.body))
            if closing:
                return


class SlowServer(_LoopbackServer):
    """Accepts connections, then says nothing for ``delay`` seconds (None: never).

    ``phase="head"`` (default) stalls before the status line (a read timeout on the response
    head); ``phase="body"`` sends a 200 head with a Content-Length and stalls before the body.
    After the delay it answers ``200 {}`` like a registry's ``/v2/`` and closes. Connections
    are accepted by the kernel at once (no connect timeout). ``connections`` counts accepts.
    """

    name = "slow"

    def __init__(self, delay: float | None = 30.0, phase: str = "head") -> None:
        if phase not in ("head", "body"):
            raise ValueError("phase is 'head' or 'body'")
        self.delay = delay
        self.phase = phase
        super().__init__()

    def _wait(self, started: float) -> bool:
        """Sleep out the delay; False if the server stops meanwhile."""
        if self.delay is None:
            self._stopping.wait()
            return False
        return not self._stopping.wait(max(0.0, started + self.delay - time.monotonic()))

    def handle(self, conn: socket.socket) -> None:
        started = time.monotonic()
        body = b"{}"
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nDocker-Distribution-Api-Version: registry/2.0\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        if _read_head(conn, bytearray()) is None:  # read it, or closing would send a RST
            return
        if self.phase == "body":
            conn.sendall(head)
            if self._wait(started):
                conn.sendall(body)
        elif self._wait(started):
            conn.sendall(head + body)


# -- the fault-injection suite's servers -------------------------------------------------------

OCI_MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
FAKE_DIGEST = "sha256:" + "f" * 64
_NOT_TLS = b"this is a plain HTTP server\n"
_PLAIN_400 = (
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
    + f"Content-Length: {len(_NOT_TLS)}\r\nConnection: close\r\n\r\n".encode()
    + _NOT_TLS
)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _response(
    status: int, headers: dict[str, str] | None = None, body: bytes = b"", method: str = "GET"
) -> bytes:
    """A complete HTTP/1.1 response (HEAD: the Content-Length of ``body``, but no body)."""
    head = _head(status, headers, len(body))
    return head if method == "HEAD" else head + body


def _head(status: int, headers: dict[str, str] | None, length: int) -> bytes:
    lines = [f"HTTP/1.1 {status} {_reason(status)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _refuse_tls(conn: socket.socket) -> None:
    """Answer a TLS greeting as a plain HTTP server does (400), then close gracefully (reading
    what the client still sends, so the close is not a reset that hides the 400)."""
    conn.sendall(_PLAIN_400)
    conn.shutdown(socket.SHUT_WR)
    conn.settimeout(2)
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass


class _RequestServer(_LoopbackServer):
    """Reads requests (keep-alive) and lets ``respond`` answer each; a TLS greeting gets a 400.

    ``requests`` lists every request read (method, path, lower-case headers); ``tls_greetings``
    counts the HTTPS attempts turned away.
    """

    name = "request-server"

    def __init__(self, address: str = "127.0.0.1") -> None:
        self.requests: list[SeenRequest] = []
        self.tls_greetings = 0
        super().__init__(address)

    @property
    def count(self) -> int:
        return len(self.requests)

    def authorizations(self, prefix: str = "") -> list[str | None]:
        """The Authorization header of each request whose path starts with ``prefix``."""
        with self._lock:
            seen = list(self.requests)
        return [r.headers.get("authorization") for r in seen if r.path.startswith(prefix)]

    def handle(self, conn: socket.socket) -> None:
        buffer = bytearray()
        while not self._stopping.is_set():
            if not buffer:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            if buffer[0] == 0x16:  # a TLS handshake record: a ClientHello
                with self._lock:
                    self.tls_greetings += 1
                _refuse_tls(conn)
                return
            request = _read_request(conn, buffer)
            if request is None:
                return
            with self._lock:
                self.requests.append(request)
            if not self.respond(conn, request):
                return

    def respond(self, conn: socket.socket, request: SeenRequest) -> bool:
        """Answer one request; False closes the connection."""
        raise NotImplementedError  # pragma: no cover - overridden


class DribblingServer(_RequestServer):
    """Slowloris: a 200 status line, then header lines one byte every ``interval`` seconds,
    forever. No single read waits long, so only a deadline on the whole answer ends it."""

    name = "dribbling"

    def __init__(self, interval: float = 0.05, address: str = "127.0.0.1") -> None:
        self.interval = interval
        self.bytes_sent = 0
        super().__init__(address)

    def respond(self, conn: socket.socket, request: SeenRequest) -> bool:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        line = b"HTTP/1.1 200 OK\r\n"
        while not self._stopping.is_set():
            for byte in line:
                conn.sendall(bytes([byte]))
                self.bytes_sent += 1
                if self._stopping.wait(self.interval):
                    return False
            line = b"X-Dribble: one byte at a time\r\n"
        return False


class ClosingServer(_RequestServer):
    """Reads a request, then ``mode``: ``"before-answer"`` closes without a word,
    ``"mid-head"`` sends part of a response head and closes, ``"reset"`` resets the connection
    (RST, by SO_LINGER 0)."""

    name = "closing"
    MODES = ("before-answer", "mid-head", "reset")

    def __init__(self, mode: str = "mid-head", address: str = "127.0.0.1") -> None:
        if mode not in self.MODES:
            raise ValueError(f"mode is one of {self.MODES}, not {mode!r}")
        self.mode = mode
        super().__init__(address)

    def respond(self, conn: socket.socket, request: SeenRequest) -> bool:
        import struct

        if self.mode == "mid-head":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.man")
        elif self.mode == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return False


class GarbageServer(_RequestServer):
    """Answers every request with ``payload`` (not HTTP: an SSH banner by default) and closes."""

    name = "garbage"

    def __init__(
        self, payload: bytes = b"SSH-2.0-OpenSSH_9.6p1 Debian-3\r\n", address: str = "127.0.0.1"
    ) -> None:
        self.payload = payload
        super().__init__(address)

    def respond(self, conn: socket.socket, request: SeenRequest) -> bool:
        conn.sendall(self.payload)
        return False


class StatusServer(_RequestServer):
    """Answers every request with ``status`` (503 by default) and a registry error body,
    keep-alive: a registry that fails forever."""

    name = "status"

    def __init__(
        self,
        status: int = 503,
        headers: dict[str, str] | None = None,
        address: str = "127.0.0.1",
    ) -> None:
        self.status = status
        self.headers = dict(headers or {})
        super().__init__(address)

    def respond(self, conn: socket.socket, request: SeenRequest) -> bool:
        body = b'{"errors":[{"code":"UNAVAILABLE","message":"service unavailable"}]}'
        headers = {"Content-Type": "application/json", **self.headers}
        conn.sendall(_response(self.status, headers, body, request.method))
        return True


class RedirectLoopServer(_RequestServer):
    """Answers every request with ``302`` to another path on itself, forever."""

    name = "redirect-loop"

    def respond(self, conn: socket.socket, request: SeenRequest) -> bool:
        location = f"/v2/hop/{self.count}/manifests/latest"
        conn.sendall(_response(302, {"Location": location}, b"", request.method))
        return True


class RedirectingRegistry(_RequestServer):
    """A registry with Basic auth whose manifests are somewhere else.

    Manifest requests without the right ``Authorization`` get ``401`` and a Basic challenge;
    with it, ``302`` to ``redirect_to`` + ``/cdn`` + the path (``redirect_to`` is this server's
    own URL until set: point it at another instance, at ``http://localhost:<port>``...).
    Requests under ``/cdn/`` are answered ``200`` (an OCI manifest's headers, body ``{}``)
    whatever their credentials; ``authorizations("/cdn/")`` tells what they carried.
    """

    name = "redirecting-registry"

    def __init__(self, username: str, password: str, address: str = "127.0.0.1") -> None:
        import base64

        self.expected = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        super().__init__(address)
        self.redirect_to = self.url

    def respond(self, conn: socket.socket, request: SeenRequest) -> bool:
        if request.path.startswith("/cdn/"):
            headers = {
                "Content-Type": OCI_MANIFEST_TYPE,
                "Docker-Content-Digest": FAKE_DIGEST,
            }
            conn.sendall(_response(200, headers, b"{}", request.method))
        elif request.headers.get("authorization") == self.expected:
            location = f"{self.redirect_to}/cdn{request.path}"
            conn.sendall(_response(302, {"Location": location}, b"", request.method))
        else:
            body = b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'
            headers = {
                "Content-Type": "application/json",
                "WWW-Authenticate": 'Basic realm="imagelint fault registry"',
                "Docker-Distribution-Api-Version": "registry/2.0",
            }
            conn.sendall(_response(401, headers, body, request.method))
        return True


class HugeHeaderServer(_RequestServer):
    """Answers with a status line and one header line of ``size`` bytes (1 MiB), then closes."""

    name = "huge-header"

    def __init__(self, size: int = 1 << 20, address: str = "127.0.0.1") -> None:
        self.size = size
        super().__init__(address)

    def respond(self, conn: socket.socket, request: SeenRequest) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Huge: ")
        chunk = b"h" * 65536
        for _ in range(0, self.size, len(chunk)):
            if self._stopping.is_set():
                return False
            conn.sendall(chunk)
        conn.sendall(b"\r\nContent-Length: 0\r\n\r\n")
        return False


class OversizedBodyServer(_RequestServer):
    """Sends a body of ``size`` bytes (8 MiB) where a small one belongs.

    ``where="token"``: manifests get a Bearer challenge whose realm is this server's
    ``/token``, and the token endpoint answers with the oversized body. ``where="manifest"``:
    a manifest ``HEAD`` says 200 (an OCI manifest), its ``GET`` sends the oversized body.
    ``body_bytes_sent`` counts body bytes the client took.
    """

    name = "oversized-body"

    def __init__(
        self, size: int = 8 << 20, where: str = "token", address: str = "127.0.0.1"
    ) -> None:
        if where not in ("token", "manifest"):
            raise ValueError("where is 'token' or 'manifest'")
        self.size = size
        self.where = where
        self.body_bytes_sent = 0
        super().__init__(address)

    def _stream(self, conn: socket.socket, headers: dict[str, str]) -> bool:
        conn.sendall(_head(200, headers, self.size))
        chunk = b" " * 65536
        for _ in range(0, self.size, len(chunk)):
            if self._stopping.is_set():
                return False
            conn.sendall(chunk)
            with self._lock:
                self.body_bytes_sent += len(chunk)
        return True

    def respond(self, conn: socket.socket, request: SeenRequest) -> bool:
        manifest = "/manifests/" in request.path
        if self.where == "token":
            if request.path.startswith("/token"):
                return self._stream(conn, {"Content-Type": "application/json"})
            if manifest and not request.headers.get("authorization", "").startswith("Bearer "):
                challenge = f'Bearer realm="{self.url}/token",service="imagelint-fault"'
                headers = {"WWW-Authenticate": challenge, "Content-Type": "application/json"}
                body = b'{"errors":[{"code":"UNAUTHORIZED","message":"token required"}]}'
                conn.sendall(_response(401, headers, body, request.method))
                return True
        if manifest:
            headers = {"Content-Type": OCI_MANIFEST_TYPE, "Docker-Content-Digest": FAKE_DIGEST}
            if request.method == "HEAD":
                conn.sendall(_head(200, headers, self.size))
                return True
            return self._stream(conn, headers)
        conn.sendall(_response(404, {"Content-Type": "application/json"}, b"{}", request.method))
        return True


class BadCertificateServer(_RequestServer):
    """HTTPS with a certificate a client must refuse; behind it, a registry that says 200.

    ``problem``: ``"expired"`` (valid 2020 to 2021), ``"not-yet-valid"`` (from next year),
    ``"wrong-host"`` (for wrong.imagelint.test only) or ``"unknown-ca"`` (signed by a CA other
    than ``ca``); ``"valid"`` for a control. ``ca`` is the trustme CA to give the client (``write_ca(path)``); a new one
    unless passed. ``handshakes`` counts completed handshakes, ``refused`` failed ones.
    """

    name = "bad-certificate"
    PROBLEMS = ("expired", "not-yet-valid", "wrong-host", "unknown-ca", "valid")

    def __init__(self, problem: str = "expired", ca=None, address: str = "127.0.0.1") -> None:
        import datetime
        import ssl

        import trustme

        if problem not in self.PROBLEMS:
            raise ValueError(f"problem is one of {self.PROBLEMS}, not {problem!r}")
        self.problem = problem
        self.ca = ca or trustme.CA(organization_name="imagelint fault CA")
        issuer = trustme.CA(organization_name="someone else") if problem == "unknown-ca" else None
        hosts = ("wrong.imagelint.test",) if problem == "wrong-host" else (address, "localhost")
        now = datetime.datetime.now(datetime.timezone.utc)
        validity = {
            "expired": (datetime.datetime(2020, 1, 1), datetime.datetime(2021, 1, 1)),
            "not-yet-valid": (now + datetime.timedelta(days=365), now + datetime.timedelta(730)),
        }.get(problem, (None, None))
        leaf = (issuer or self.ca).issue_cert(*hosts, not_before=validity[0], not_after=validity[1])
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        leaf.configure_cert(self._context)
        self.handshakes = 0
        self.refused = 0
        super().__init__(address)

    @property
    def url(self) -> str:
        return f"https://{self.host}"

    def write_ca(self, path) -> str:
        """Write the CA certificate (PEM) to ``path``; returns the path as a string."""
        self.ca.cert_pem.write_to_path(str(path))
        return str(path)

    def handle(self, conn: socket.socket) -> None:
        import ssl

        conn.settimeout(10)
        try:
            tls = self._context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            with self._lock:
                self.refused += 1
            return
        with self._lock:
            self.handshakes += 1
            self._conns.discard(conn)
            self._conns.add(tls)
        try:
            super().handle(tls)
        finally:
            with self._lock:
                self._conns.discard(tls)
            tls.close()

    def respond(self, conn: socket.socket, request: SeenRequest) -> bool:
        headers = {
            "Content-Type": OCI_MANIFEST_TYPE,
            "Docker-Content-Digest": FAKE_DIGEST,
            "Docker-Distribution-Api-Version": "registry/2.0",
        }
        conn.sendall(_response(200, headers, b"{}", request.method))
        return True
