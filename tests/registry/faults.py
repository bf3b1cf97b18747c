"""Misbehaving HTTP servers on 127.0.0.1 (port 0) for fault tests: rate limiting and stalls."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str] = field(repr=False)


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

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
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
        return f"127.0.0.1:{self.port}"

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
            head = _read_head(conn, buffer)
            if head is None:
                return
            method, path, headers = _parse_head(head)
            length = int(headers.get("content-length") or 0)
            while len(buffer) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            del buffer[:length]
            with self._lock:
                self.requests.append(SeenRequest(method, path, headers))
            lines = [
                "HTTP/1.1 429 Too Many Requests",
                "Content-Type: application/json; charset=utf-8",
                f"Content-Length: {len(self.body)}",
                "Docker-Distribution-Api-Version: registry/2.0",
            ]
            if self.retry_after is not None:
                lines.append(f"Retry-After: {self.retry_after}")
            lines += [f"{k}: {v}" for k, v in self.extra_headers.items()]
            closing = headers.get("connection", "").lower() == "close"
            if closing:
                lines.append("Connection: close")
            response = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
            conn.sendall(response + (b"" if method == "HEAD" else self.body))
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
