"""Registry answers kept between runs, so a pre-commit run over unchanged files asks nothing.

What is kept: that a tag pointed at a digest (for ``TAG_TTL``: tags move), that a digest exists
(for good: content-addressed), and what a manifest says about platforms and sizes (for good).
Only answers that found the image are kept; a missing tag or a fault is asked again next time.
Entries are keyed by the image and by where the credentials came from (the names of pull
secrets or files), never by the credentials, and hold no credential and no token.

One JSON file in a folder only the user can read; a cache that cannot be read or written is
not used, and writing merges with what another process may have written meanwhile.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from typing import Any

FILE = "online-v1.json"
TAG_TTL = 15 * 60
MAX_ENTRIES = 50_000  # a bound on the file; the oldest answers go first


class OnlineCache:
    def __init__(self, directory: str, clock: Any = time.time) -> None:
        self.directory = directory
        self.path = os.path.join(directory, FILE)
        self._clock = clock
        self._lock = threading.Lock()
        self._answers: dict[str, dict[str, Any]] = {}
        self._content: dict[str, dict[str, Any]] = {}
        self._changed = False
        self._load()

    # -- answers: "this reference, asked with these credential sources, was found" ----------

    def found(self, key: str, by_digest: bool) -> dict[str, Any] | None:
        with self._lock:
            entry = self._answers.get(key)
        if entry is None:
            return None
        if not by_digest and self._clock() - entry.get("at", 0) > TAG_TTL:
            return None
        return entry

    def remember_found(
        self, key: str, digest: str | None, credential: str | None, from_pod: bool
    ) -> None:
        """``credential``: where it came from (a secret's or a file's name), never what it is."""
        with self._lock:
            self._answers[key] = {
                "at": self._clock(),
                "digest": digest,
                "credential": credential,
                "from_pod": from_pod,
            }
            self._changed = True

    # -- content: what a manifest (by digest) says -------------------------------------------

    def content(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            return self._content.get(key)

    def remember_content(self, key: str, content: dict[str, Any]) -> None:
        with self._lock:
            self._content[key] = {**content, "at": self._clock()}
            self._changed = True

    # -- the file ----------------------------------------------------------------------------

    def _load(self) -> None:
        document = _read(self.path)
        if document is None:
            return
        answers, content = document.get("answers"), document.get("content")
        if isinstance(answers, dict):
            self._answers = {k: v for k, v in answers.items() if isinstance(v, dict)}
        if isinstance(content, dict):
            self._content = {k: v for k, v in content.items() if isinstance(v, dict)}

    def save(self) -> None:
        """Write what this run learnt, merged with the file as it is now."""
        with self._lock:
            if not self._changed:
                return
            answers, content = dict(self._answers), dict(self._content)
            self._changed = False
        if not _private_directory(self.directory):
            return
        current = _read(self.path) or {}
        for name, mine in (("answers", answers), ("content", content)):
            theirs = current.get(name)
            if isinstance(theirs, dict):
                merged = {k: v for k, v in theirs.items() if isinstance(v, dict)}
                merged.update(mine)
                mine.clear()
                mine.update(_newest(merged))
        document = {"version": 1, "answers": answers, "content": content}
        try:
            handle, temporary = tempfile.mkstemp(prefix=".online-", dir=self.directory)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(document, out, separators=(",", ":"))
                os.chmod(temporary, 0o600)
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            pass  # a cache that cannot be written is not used


def _newest(entries: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    if len(entries) <= MAX_ENTRIES:
        return entries
    ordered = sorted(entries.items(), key=lambda item: item[1].get("at", 0), reverse=True)
    return dict(ordered[:MAX_ENTRIES])


def _read(path: str) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("version") != 1:
        return None
    return document


def _private_directory(path: str) -> bool:
    """Create the folder for the user only; tighten it if it exists and is the user's."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.stat(path)
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return False  # someone else's folder: do not write answers there
        if info.st_mode & 0o077:
            os.chmod(path, 0o700)
        return True
    except OSError:
        return False
