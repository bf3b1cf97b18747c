"""A loopback HTTP server that answers by a script and keeps the exact bytes it was sent.

For the credential-path tests (tests/test_online_credential_paths.py): each request is kept
whole (request line, headers, body, as received on the socket) in ``received``, so a test can
assert that a credential never arrived, in any form, at a host it was not matched for. The
answer comes from ``script(request)``: a status, headers and a body (the ``Content-Length`` is
added; a HEAD gets none of the body). Reading requests, and turning a TLS greeting away as a
plain server does, is the fault servers' (:class:`~tests.registry.faults._RequestServer`).
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from .faults import SeenRequest, _head, _RequestServer

Received = SeenRequest
Answer = tuple[int, dict[str, str], bytes]
Script = Callable[[Received], Answer]


def not_found(request: Received) -> Answer:
    return 404, {"Content-Type": "application/json"}, b'{"errors":[{"code":"NOT_FOUND"}]}'


class ScriptedServer(_RequestServer):
    name = "scripted"

    def __init__(self, script: Script = not_found, address: str = "127.0.0.1") -> None:
        self.script = script
        super().__init__(address)

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self.requests)

    def raw(self) -> bytes:
        """Everything received, requests one after another."""
        return b"".join(r.raw for r in self.received)

    def respond(self, conn: socket.socket, request: Received) -> bool:
        status, headers, body = self.script(request)
        conn.sendall(_head(status, headers, len(body)))
        if request.method != "HEAD" and body:
            conn.sendall(body)
        return True
