"""Sockets for the online checks, with two guards httpx does not have.

- Addresses: a manifest in a pull request names hosts, and CI must not be made to probe its cloud
  metadata service. Every connection resolves the host itself and refuses link-local and
  metadata addresses (unless allowed), on the address actually connected to, so a DNS answer
  that changes between a check and the connection cannot slip through.
- Deadlines: httpx's timeouts bound each read, so a server that sends one byte a second never
  times out. Each request here runs under a deadline (per thread: requests are synchronous) that
  every read, write and TLS handshake respects.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore

BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "169.254.0.0/16",  # IPv4 link-local; AWS, GCP, Azure, OpenStack metadata at .169.254
        "fe80::/10",  # IPv6 link-local
        "fd00:ec2::254/128",  # AWS metadata over IPv6
        "100.100.100.200/32",  # Alibaba Cloud metadata
    )
)

_local = threading.local()


class BlockedAddress(httpcore.ConnectError):
    """A connection to a link-local or metadata address was refused."""


def blocked(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in BLOCKED_NETWORKS)


def is_loopback(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ::1 (with or without a port)."""
    if host.startswith("["):  # [::1] or [::1]:5000
        name = host[1:].partition("]")[0]
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every socket operation of this thread ends by ``seconds`` from now."""
    previous = getattr(_local, "deadline", None)
    _local.deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        _local.deadline = previous


def _remaining(timeout: float | None, error: type[Exception]) -> float | None:
    end: float | None = getattr(_local, "deadline", None)
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise error("the request took longer than its time limit")
    return left if timeout is None else min(timeout, left)


class GuardedBackend(httpcore.NetworkBackend):
    def __init__(self, allow_link_local: bool = False) -> None:
        self.allow_link_local = allow_link_local
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _remaining(timeout, httpcore.ConnectTimeout)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise httpcore.ConnectError(f"cannot resolve {host}") from error
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))  # IP text
        allowed = [a for a in addresses if self.allow_link_local or not blocked(a)]
        if not allowed:
            where = host if host == addresses[0] else f"{host} resolves to {addresses[0]}, which"
            raise BlockedAddress(f"{where} is a link-local or cloud metadata address")
        last: Exception | None = None
        for address in allowed:
            try:
                stream = self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectTimeout:
                raise
            except httpcore.ConnectError as error:
                last = error
                continue
            return DeadlineStream(stream)
        assert last is not None
        raise last

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by imagelint")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _remaining(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _remaining(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _remaining(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def guard(transport: Any, allow_link_local: bool) -> None:
    """Put the guarded backend under an httpx transport's connection pool (and its proxy's)."""
    pool = getattr(transport, "_pool", None)
    if pool is None or not hasattr(pool, "_network_backend"):
        raise RuntimeError("this httpx version cannot be guarded; imagelint needs httpx 0.2x")
    pool._network_backend = GuardedBackend(allow_link_local)
