"""Baseline files: today's findings, recorded so that later runs report only new ones.

A baseline holds each finding's fingerprint (which survives lines moving), its rule and its
file, in JSON; never a message, image or anything else that could carry data from a Secret.
"""

from __future__ import annotations

import json
from collections import Counter

from imagelint.core.model import Finding
from imagelint.reporting.fingerprint import fingerprint

VERSION = 1


class BaselineError(Exception):
    """The baseline file cannot be used; the message is ready for the user."""


def write(path: str, findings: list[Finding]) -> None:
    entries = [{"fingerprint": fingerprint(f), "rule": f.rule, "path": f.path} for f in findings]
    document = {"version": VERSION, "tool": "imagelint", "findings": entries}
    try:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1)
            handle.write("\n")
    except OSError as error:
        raise BaselineError(f"cannot write the baseline {path}: {error.strerror}") from None


def read(path: str) -> Counter[str]:
    """Fingerprints of the baseline, with how many findings each stood for."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as error:
        raise BaselineError(f"cannot read the baseline {path}: {error.strerror}") from None
    except ValueError as error:
        raise BaselineError(f"the baseline {path} is not valid JSON: {error}") from None
    except RecursionError:
        raise BaselineError(f"the baseline {path} is nested too deeply to be one") from None
    if not isinstance(document, dict) or document.get("version") != VERSION:
        raise BaselineError(f"{path} is not an imagelint baseline (version {VERSION})")
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise BaselineError(f"{path}: 'findings' must be a list of entries with a fingerprint")
    return Counter(entry["fingerprint"] for entry in entries)
