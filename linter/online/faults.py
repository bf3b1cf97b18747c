"""How the registry client words what went wrong: the reasons behind a failed connection or a
broken answer, and what ``429`` headers say about a rate limit. Pure functions of an error or
of headers; every text is fit for a finding and names hosts, never a credential."""

from __future__ import annotations

import socket
import ssl
import time
from email.utils import parsedate_to_datetime

import httpx

from imagelint.online import network

# OpenSSL's verify codes for an issuer it does not know (where --ca-file is the fix).
_UNKNOWN_CA = frozenset({2, 18, 19, 20, 21})


# -- rate limits ------------------------------------------------------------------------------


def retry_after(value: str | None) -> float | None:
    """The seconds a ``Retry-After`` header asks to wait (a number, or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def rate_limit_detail(host: str, headers: httpx.Headers) -> str:
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


# -- failed connections and broken answers ---------------------------------------------------


def _causes(error: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def tls_protocol_error(error: BaseException) -> bool:
    """A TLS failure other than an untrusted certificate: the server does not speak TLS."""
    chain = _causes(error)
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain):
        return False
    return any(isinstance(e, ssl.SSLError) for e in chain)


def connect_cause(url: httpx.URL, error: BaseException) -> str:
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


def broken_cause(url: httpx.URL, error: BaseException) -> str:
    if isinstance(error, httpx.RemoteProtocolError):
        text = str(error)
        if "buffer too long" in text.lower():
            return f"{url.host} sent response headers larger than the 16 KiB allowed"
        if "without sending" in text or "closed" in text.lower():
            return f"{url.host} closed the connection without a complete answer"
        return f"{url.host} sent an answer that is not valid HTTP"
    return f"{url.host} broke the connection ({type(error).__name__})"
