"""The few ways a registry conversation fails, as the checker tells them apart."""

from __future__ import annotations


class OnlineError(Exception):
    """A question a registry did not answer. ``cause`` is fit for a finding: it names what
    failed (DNS, refused connection, TLS, time-out...) and never holds a credential."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class Unreachable(OnlineError):
    """No usable answer: DNS, connection, TLS, time-out, broken or oversized answers, 5xx."""


class Oversized(Unreachable):
    """An answer larger than any registry makes one (counted once decoded): no runtime pulls
    an image whose manifest the registry answers with that, so it is reported, not skipped."""


class RateLimited(OnlineError):
    """429 (TOOMANYREQUESTS), still after the retries the time allowed."""
