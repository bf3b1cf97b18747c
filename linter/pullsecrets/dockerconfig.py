"""The registry entries of a docker config secret (``.dockerconfigjson``, ``.dockercfg``).

Messages say what is malformed, never what is inside: no user name, password, token or base64
text.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import defaultdict
from typing import Any

from imagelint.core.credential import Credential
from imagelint.core.model import RegistryEntry
from imagelint.core.patterns import pattern
from imagelint.pullsecrets.matching import display_key, normalize_key

_ECR_HOST = r"\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?"
_YEAR_10000 = 253_402_300_800  # 10000-01-01T00:00:00Z in Unix seconds


def decode_base64(text: str) -> bytes | None:
    """Go's StdEncoding (what the API server applies to Secret data): padding required, line
    breaks ignored."""
    try:
        return base64.b64decode(text.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        return None


def _decode_auth(text: str) -> bytes | None:
    """The kubelet accepts ``auth`` with or without base64 padding."""
    text = text.strip()
    return decode_base64(text + "=" * (-len(text) % 4))


def parse_docker_config(raw: bytes, legacy: bool) -> tuple[tuple[RegistryEntry, ...], list[str]]:
    """Registry entries of a ``.dockerconfigjson`` (``legacy``: ``.dockercfg``) payload, and
    what is malformed in it, described without its content."""
    import json  # here, not at the top: keeps json off the one-file start-up path

    try:
        document = json.loads(raw)
    except UnicodeDecodeError:
        return (), ["is not UTF-8 text"]
    except json.JSONDecodeError as error:
        return (), [f"is not valid JSON (line {error.lineno}, column {error.colno})"]
    except ValueError:
        return (), ["is not valid JSON"]
    if not isinstance(document, dict):
        return (), ["is not a JSON object"]
    if legacy:
        auths = document
    else:
        if "auths" not in document:
            return (), ["has no 'auths' object (the kubelet finds no registry in it)"]
        auths = document["auths"]
        if not isinstance(auths, dict):
            return (), ["has an 'auths' that is not an object"]
    if not auths:
        return (), ["has no registry entries"]
    entries = []
    problems: dict[str, list[str]] = defaultdict(list)  # problem -> keys of the entries with it
    for key, value in auths.items():
        shown_key = display_key(str(key))
        match_key = normalize_key(str(key))
        if match_key is None:
            problems["is not a registry address; the kubelet ignores it"].append(shown_key)
        if not isinstance(value, dict):
            problems["is not an object"].append(shown_key)
            continue
        credential, problem = _credential(value)
        if problem:
            problems[problem].append(shown_key)
        ecr = (
            credential is not None
            and credential.username == "AWS"
            and bool(pattern(_ECR_HOST, re.ASCII).fullmatch((match_key or "").partition("/")[0]))
        )
        expires = _ecr_expiry(credential.password) if ecr and credential else None
        entries.append(RegistryEntry(str(key), match_key, credential, ecr, expires))
    return tuple(entries), [f"{_entries(keys)} {problem}" for problem, keys in problems.items()]


def _entries(keys: list[str]) -> str:
    """'entry 'a'', 'entries 'a', 'b'', 'entries 'a', 'b' and 5 more' for messages."""
    if len(keys) == 1:
        return f"entry {keys[0]!r}"
    if len(keys) <= 3:
        return "entries " + ", ".join(repr(k) for k in keys)
    return f"entries {keys[0]!r}, {keys[1]!r} and {len(keys) - 2} more"


def _credential(entry: dict[Any, Any]) -> tuple[Credential | None, str | None]:
    auth = entry.get("auth")
    username, password = entry.get("username"), entry.get("password")
    if auth not in (None, ""):
        if not isinstance(auth, str):
            return None, "has an 'auth' that is not a string"
        decoded = _decode_auth(auth)
        if decoded is None:
            return None, "has an 'auth' that is not valid base64"
        text = decoded.decode("utf-8", errors="replace")
        if ":" not in text:
            return None, "has an 'auth' that does not decode to user:password"
        user, _, secret = text.partition(":")
        return Credential(user, secret), None
    if isinstance(username, str) and isinstance(password, str) and (username or password):
        return Credential(username, password), None
    if entry.get("identitytoken") or entry.get("registrytoken"):
        return None, "has only a token ('identitytoken'/'registrytoken'), which the kubelet ignores"
    return None, "has no credentials (no 'auth', and no 'username' and 'password')"


def _ecr_expiry(password: str) -> int | None:
    """ECR tokens are base64 of JSON with an 'expiration' (Unix seconds); undocumented, so a
    best-effort hint."""
    decoded = decode_base64(password + "=" * (-len(password) % 4))
    if decoded is None:
        return None
    import json  # here, not at the top: keeps json off the one-file start-up path

    try:
        document = json.loads(decoded)
    except ValueError:
        return None
    expiration = document.get("expiration") if isinstance(document, dict) else None
    if isinstance(expiration, bool) or not isinstance(expiration, (int, float)):
        return None
    # Infinity, NaN and dates past the year 9999 are no dates (and would not print as one).
    return int(expiration) if 0 <= expiration < _YEAR_10000 else None
