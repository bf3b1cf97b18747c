"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run whose ``tool.driver.rules`` lists every rule of the registry (results point at them by
``ruleIndex``), each with its documentation as help. Results carry the finding's severity as
``level`` (info is SARIF's ``note``), a physical location (a relative path is a relative URI
against ``%SRCROOT%``, the directory imagelint ran in; an absolute path is a ``file:`` URI), the
Kubernetes object as a logical location, the container, image, field and Helm template as
properties, and ``partialFingerprints`` from :func:`imagelint.reporting.fingerprint.fingerprint`, which
survive lines moving. Columns count Unicode code points (``columnKind``), as imagelint's do.
Notes about the run and internal errors are the invocation's tool execution notifications; an
internal error makes ``executionSuccessful`` false.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from imagelint import __version__
from imagelint.core.model import Finding, Severity
from imagelint.core.rulebook import Rule, all_rules
from imagelint.reporting.fingerprint import fingerprint
from imagelint.running.results import Report

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "imagelintFingerprint/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# Rule families by the first digit of the code (IL0xx, IL1xx, IL2xx).
FAMILY_TAGS = {"0": "input", "1": "image-reference", "2": "pull-secret"}

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")
_FENCE = "```"


# -- rules -----------------------------------------------------------------------------------


def pascal_case(name: str) -> str:
    """``invalid-reference`` -> ``InvalidReference``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_\s]+", name) if part)


def doc_sections(doc: str) -> tuple[str, dict[str, str]]:
    """A rule doc's opening paragraph and its ``## Heading`` sections (headings inside code
    blocks, such as YAML comments, are not headings)."""
    preamble: list[str] = []
    sections: dict[str, list[str]] = {}
    current = preamble
    in_code = False
    for line in doc.splitlines():
        if line.lstrip().startswith(_FENCE):
            in_code = not in_code
        elif not in_code and line.startswith("## "):
            current = sections.setdefault(line[3:].strip(), [])
            continue
        current.append(line)
    return "\n".join(preamble).strip(), {k: "\n".join(v).strip() for k, v in sections.items()}


def plain_text(markdown: str) -> str:
    """The rule doc for plain-text viewers: headings without ``##``, code indented, no fences."""
    lines: list[str] = []
    in_code = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(_FENCE):
            in_code = not in_code
        elif in_code:
            lines.append(f"    {line}" if line else "")
        elif line.startswith("## "):
            lines.append(line[3:].strip())
        else:
            lines.append(line)
    return "\n".join(lines).strip()


def full_description(rule: Rule) -> str:
    preamble, sections = doc_sections(rule.doc)
    parts = [part for part in (preamble, sections.get("What it finds", "")) if part]
    return "\n\n".join(parts) or rule.summary


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    family = FAMILY_TAGS.get(rule.code[2:3])
    tags = ["kubernetes", "container-image"] + ([family] if family else [])
    return {
        "id": rule.code,
        "name": pascal_case(rule.name),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full_description(rule)},
        "help": {
            "text": plain_text(rule.doc) or rule.summary,
            "markdown": rule.doc or rule.summary,
        },
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": tags, "imagelintName": rule.name},
    }


# -- results ---------------------------------------------------------------------------------


def _quote(path: str) -> str:
    """Percent-encode a path for a URI; a file name that is not UTF-8 (decoded by Python with
    surrogate escapes) gets its original bytes back."""
    try:
        return quote(path, safe="/", errors="surrogateescape")
    except UnicodeEncodeError:
        return quote(path, safe="/", errors="replace")


def artifact_location(path: str) -> dict[str, str]:
    """A file path as a SARIF artifact location: relative paths against ``%SRCROOT%``."""
    if path.startswith("/"):
        return {"uri": "file://" + _quote(path)}
    if _WINDOWS_DRIVE.match(path):
        return {"uri": "file:///" + path[:2] + _quote(path[2:])}
    while path.startswith("./"):
        path = path[2:]
    return {"uri": _quote(path), "uriBaseId": SRCROOT}


def logical_locations(finding: Finding) -> list[dict[str, str]]:
    obj = finding.object
    if obj is None:
        return []
    location = {"fullyQualifiedName": obj.describe(), "kind": "resource"}
    if obj.name:
        location["name"] = obj.name
    return [location]


def result_properties(finding: Finding) -> dict[str, Any]:
    properties: dict[str, Any] = {"imagelintRule": finding.rule}
    obj = finding.object
    if obj is not None:
        properties["kubernetesObject"] = {
            key: value
            for key, value in (
                ("apiVersion", obj.api_version),
                ("kind", obj.kind),
                ("namespace", obj.namespace),
                ("name", obj.name),
            )
            if value is not None
        }
    for key, value in (
        ("container", finding.container),
        ("image", finding.image),
        ("field", finding.field),
        ("helmSource", finding.source),
    ):
        if value is not None:
            properties[key] = value
    if finding.via:
        properties["via"] = list(finding.via)
    return properties


def result(finding: Finding, rule_indexes: dict[str, int]) -> dict[str, Any]:
    physical = {
        "artifactLocation": artifact_location(finding.path),
        "region": {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)},
    }
    location: dict[str, Any] = {"physicalLocation": physical}
    logical = logical_locations(finding)
    if logical:
        location["logicalLocations"] = logical
    entry: dict[str, Any] = {"ruleId": finding.code}
    if finding.code in rule_indexes:
        entry["ruleIndex"] = rule_indexes[finding.code]
    entry.update(
        {
            "level": LEVELS[finding.severity],
            "message": {"text": f"{finding.message} [{finding.rule}]"},
            "locations": [location],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
            "properties": result_properties(finding),
        }
    )
    return entry


def invocation(report: Report) -> dict[str, Any]:
    notifications = [{"level": "note", "message": {"text": note}} for note in report.notes] + [
        {"level": "error", "message": {"text": f"internal error while checking {message}"}}
        for message in report.internal_errors
    ]
    entry: dict[str, Any] = {"executionSuccessful": not report.internal_errors}
    if notifications:
        entry["toolExecutionNotifications"] = notifications
    return entry


def sarif_log(report: Report) -> dict[str, Any]:
    rules = all_rules()
    rule_indexes = {rule.code: index for index, rule in enumerate(rules)}
    driver = {
        "name": "imagelint",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [rule_descriptor(rule) for rule in rules],
    }
    run = {
        "tool": {"driver": driver},
        "invocations": [invocation(report)],
        "columnKind": "unicodeCodePoints",
        "results": [result(finding, rule_indexes) for finding in report.findings],
    }
    return {"$schema": SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"
