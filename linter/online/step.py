"""The ``--online`` step of a run, as the command line sets it up: one registry client, the
disk cache, the user's credentials, and a checker that asks about the checked images.

httpx (with the client, the transport and the checker) is imported only when the step runs or
a CA file is checked: importing this module does not load it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from imagelint.configuration import cachedir as caches
from imagelint.core.model import ImageRecord, Settings
from imagelint.online.answers import Answers, parse_size
from imagelint.online.credentials import UserCredentials
from imagelint.online.diskcache import OnlineCache
from imagelint.running.runindex import RunIndex

CONTENT_RULES = frozenset({"platform-missing", "image-too-large"})
REQUEST_TIMEOUT = 20.0


class OnlineSettings:
    """What the online step was asked to do (from the configuration and flags)."""

    def __init__(
        self,
        *,
        timeout: float = 60.0,
        ca_files: list[str] | tuple[str, ...] = (),
        insecure_registries: list[str] | tuple[str, ...] = (),
        allow_link_local: bool = False,
        cache_dir: str | None = None,
        use_cache: bool = True,
    ) -> None:
        self.timeout = timeout
        self.ca_files = tuple(ca_files)
        self.insecure_registries = tuple(insecure_registries)
        self.allow_link_local = allow_link_local
        self.cache_dir = cache_dir
        self.use_cache = use_cache


def validate(settings: Settings, online: OnlineSettings) -> None:
    """Raise ValueError with a message for a user, before anything is asked."""
    if not online.timeout > 0:
        raise ValueError(f"--timeout must be a positive number of seconds, not {online.timeout}")
    for text in settings.option("platforms"):
        parts = str(text).split("/")
        if not 2 <= len(parts) <= 3 or not all(part.strip() for part in parts):
            raise ValueError(f"platforms: {text!r} is not os/arch[/variant], e.g. linux/arm64")
    parse_size(settings.option("max-image-size"))
    for path in online.ca_files:
        if not os.path.isfile(path):
            raise ValueError(f"no such CA file: {path}")
    if online.ca_files:
        from imagelint.online.connections import ssl_context  # imports httpx: only here

        ssl_context(online.ca_files)  # a file that is not PEM certificates fails here


class OnlineStep:
    def __init__(
        self,
        settings: Settings,
        online: OnlineSettings,
        enabled_rules: set[str] | frozenset[str],
        *,
        progress: Any = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.online = online
        self.content = bool(CONTENT_RULES & set(enabled_rules))
        self.progress = progress
        self.environ = os.environ if environ is None else environ
        self.notes: list[str] = []
        self.answers: Answers | None = None

    def __call__(self, run: RunIndex, records: list[ImageRecord] | None) -> Answers:
        # Import httpx (under the checker and the client) only when the step runs.
        from imagelint.online.checker import Checker
        from imagelint.online.client import RegistryClient

        cache = None
        if self.online.use_cache:
            cache = OnlineCache(self.online.cache_dir or caches.directory())
        user = UserCredentials(self.environ)
        client = RegistryClient(
            ca_files=self.online.ca_files,
            insecure=self.online.insecure_registries,
            allow_link_local=self.online.allow_link_local,
            timeout=self.online.timeout,
            # Below the run's limit, so that a host that never answers is found out (and named)
            # while there is time left for the others.
            request_timeout=min(REQUEST_TIMEOUT, self.online.timeout / 2),
        )
        try:
            checker = Checker(
                self.settings,
                client,
                content=self.content,
                cache=cache,
                user_credentials=user,
                progress=self.progress,
            )
            self.answers = checker(run, records)
        finally:
            client.close()
        self.notes.extend(f"online: {problem}" for problem in user.problems)
        return self.answers
