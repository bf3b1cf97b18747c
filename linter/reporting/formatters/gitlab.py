"""GitLab Code Quality report (the Code Climate issue format GitLab reads): a JSON array.

Each finding is an issue with ``description`` (the message and ``[rule-name]``, as in text
output), ``check_name`` (the rule name), ``fingerprint``, ``severity``, ``location`` (path,
``lines.begin`` and ``positions.begin``) and ``categories``.

Severities: error is ``critical``, warning ``minor``, info ``info``. An imagelint error means the
image cannot be pulled as written, so the rollout fails (ErrImagePull, ImagePullBackOff): a
defect that breaks a deployment, above the ``major`` that linters give to code that still runs;
``blocker`` is left unused.

Fingerprints come from :func:`imagelint.reporting.fingerprint.fingerprint`, so an issue keeps its identity
when lines move and GitLab can tell new issues from fixed ones. GitLab needs them unique in a
report: when two findings share one (the same object twice in one file), the second and later
ones, in report order, get a hash of the fingerprint and their rank.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from imagelint.core.model import Finding, Severity
from imagelint.reporting.fingerprint import fingerprint
from imagelint.reporting.messages import via_text
from imagelint.running.results import Report

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "minor", Severity.INFO: "info"}
CATEGORIES = ["Bug Risk"]


def repository_path(path: str) -> str:
    while path.startswith("./"):
        path = path[2:]
    return path


def unique_fingerprints(findings: Iterable[Finding]) -> Iterator[str]:
    """The fingerprint of each finding, made unique within the report deterministically."""
    used: set[str] = set()
    for finding in findings:
        base = candidate = fingerprint(finding)
        rank = 1
        while candidate in used:
            rank += 1
            digest = hashlib.sha256(f"{base}\x1f{rank}".encode()).hexdigest()
            candidate = digest[: len(base)]
        used.add(candidate)
        yield candidate


def issue(finding: Finding, finger: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": finding.rule,
        "description": f"{finding.message} [{finding.rule}]{via_text(finding.via)}",
        "categories": list(CATEGORIES),
        "severity": SEVERITIES[finding.severity],
        "fingerprint": finger,
        "location": {
            "path": repository_path(finding.path),
            "lines": {"begin": finding.line},
            "positions": {"begin": {"line": finding.line, "column": finding.column}},
        },
        "engine_name": "imagelint",
    }


def render(report: Report) -> str:
    findings = report.findings
    issues = [
        issue(finding, finger)
        for finding, finger in zip(findings, unique_fingerprints(findings), strict=True)
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
