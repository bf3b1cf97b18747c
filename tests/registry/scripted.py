"""A loopback HTTP server that answers by a script and keeps the exact bytes it was sent.

For the credential-path tests (tests/test_online_credential_paths.py): each request is kept
whole (request line, headers, body, as received on the socket) in ``received``, so a test can
assert that a credential never arrived, in any form, at a host it was not matched for. The
answer comes from ``script(request)``: a status, headers and a body (the ``Content-Length`` is
added; a HEAD gets none of the body). A TLS greeting gets a plain-HTTP 400, as from a real
plain server, so a client probing HTTPS first moves on to HTTP at once.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .faults import _head, _LoopbackServer, _parse_head, _read_head, _refuse_tls


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str] = field(repr=False)  # names in lower case
    raw: bytes = field(repr=False)  # the head and the body, as they arrived


Answer = tuple[int, dict[str, str], bytes]
Script = Callable[[Received], Answer]


def not_found(request: Received) -> Answer:
    return 404, {"Content-Type": "application/json"}, b'{"errors":[{"code":"NOT_FOUND"}]}'


class ScriptedServer(_LoopbackServer):
    name = "scripted"

    def __init__(self, script: Script = not_found, address: str = "127.0.0.1") -> None:
        self.script = script
        self.received: list[Received] = []
        self.tls_greetings = 0
        self._received_lock = threading.Lock()
        super().__init__(address)

    def raw(self) -> bytes:
        """Everything received, requests one after another."""
        with self._received_lock:
            return b"".join(r.raw for r in self.received)

    def authorizations(self, prefix: str = "") -> list[str | None]:
        with self._received_lock:
            seen = list(self.received)
        return [r.headers.get("authorization") for r in seen if r.path.startswith(prefix)]

    def handle(self, conn: socket.socket) -> None:
        buffer = bytearray()
        while not self._stopping.is_set():
            if not buffer:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            if buffer[0] == 0x16:  # a TLS ClientHello
                with self._received_lock:
                    self.tls_greetings += 1
                _refuse_tls(conn)
                return
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
            body = bytes(buffer[:length])
            del buffer[:length]
            request = Received(method, path, headers, head + b"\r\n\r\n" + body)
            with self._received_lock:
                self.received.append(request)
            status, answer_headers, answer_body = self.script(request)
            conn.sendall(_head(status, answer_headers, len(answer_body)))
            if method != "HEAD" and answer_body:
                conn.sendall(answer_body)
