"""What the registry client's connections are made of: the TLS trust it verifies with, and the
transports it sends through (direct, or the proxies the environment names), each guarded
against link-local and metadata addresses by :mod:`imagelint.online.network`."""

from __future__ import annotations

import ssl
from urllib.request import getproxies_environment

import certifi
import httpx

from imagelint.online import network


def ssl_context(ca_files: tuple[str, ...] | list[str]) -> ssl.SSLContext:
    """System trust (or certifi's, when the system has none), plus the configured CAs."""
    context = ssl.create_default_context()
    if not context.get_ca_certs() and not ssl.get_default_verify_paths().capath:
        context.load_verify_locations(certifi.where())
    for path in ca_files:
        try:
            context.load_verify_locations(cafile=path)
        except (OSError, ssl.SSLError) as error:
            raise ValueError(f"cannot use the CA file {path}: {error}") from None
    return context


def transports(
    context: ssl.SSLContext, allow_link_local: bool, connections: int
) -> tuple[httpx.BaseTransport, dict[str, httpx.BaseTransport | None]]:
    """The direct transport, and proxies from the environment (HTTPS_PROXY, HTTP_PROXY,
    ALL_PROXY, NO_PROXY, as curl reads them). Loopback hosts never go through a proxy."""
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
