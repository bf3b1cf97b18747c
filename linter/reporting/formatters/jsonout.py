"""Machine output: one JSON document, format version 1 (documented in the README)."""

from __future__ import annotations

import json
from typing import Any

from imagelint.core.model import Finding, Severity
from imagelint.running.results import Report

VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    obj = finding.object
    return {
        "rule": finding.rule,
        "code": finding.code,
        "severity": finding.severity.label,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "message": finding.message,
        "object": None
        if obj is None
        else {
            "apiVersion": obj.api_version,
            "kind": obj.kind,
            "namespace": obj.namespace,
            "name": obj.name,
        },
        "container": finding.container,
        "image": finding.image,
        "field": finding.field,
        "source": finding.source,
    }


def render(report: Report) -> str:
    counts = {severity: 0 for severity in Severity}
    for finding in report.findings:
        counts[finding.severity] += 1
    document = {
        "version": VERSION,
        "findings": _FINDINGS_MARK,
        "summary": {
            "files": report.files,
            "files_with_findings": report.files_with_findings,
            "objects": report.objects,
            "images": report.images,
            "errors": counts[Severity.ERROR],
            "warnings": counts[Severity.WARNING],
            "info": counts[Severity.INFO],
            "notes": report.notes,
        },
    }
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return text.replace(json.dumps(_FINDINGS_MARK), _findings(report.findings), 1) + "\n"


# The findings are written by hand, as json.dumps(..., indent=2, ensure_ascii=False) writes them
# (tests/test_formats.py compares the two): with an indent, json encodes in Python, value by
# value, which cost a findings-heavy run more than all of its rules.
_FINDINGS_MARK = "\x00findings\x00"
_STRING = json.encoder.encode_basestring  # what ensure_ascii=False uses for strings


def _scalar(value: str | int | None) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return _STRING(value)
    return str(value)


def _findings(findings: list[Finding]) -> str:
    if not findings:
        return "[]"
    parts = []
    for finding in findings:
        obj = finding.object
        shown_object = (
            "null"
            if obj is None
            else (
                '{\n        "apiVersion": ' + _scalar(obj.api_version)
                + ',\n        "kind": ' + _scalar(obj.kind)
                + ',\n        "namespace": ' + _scalar(obj.namespace)
                + ',\n        "name": ' + _scalar(obj.name)
                + "\n      }"
            )
        )  # fmt: skip
        parts.append(
            '    {\n      "rule": ' + _scalar(finding.rule)
            + ',\n      "code": ' + _scalar(finding.code)
            + ',\n      "severity": ' + _scalar(finding.severity.label)
            + ',\n      "path": ' + _scalar(finding.path)
            + ',\n      "line": ' + _scalar(finding.line)
            + ',\n      "column": ' + _scalar(finding.column)
            + ',\n      "message": ' + _scalar(finding.message)
            + ',\n      "object": ' + shown_object
            + ',\n      "container": ' + _scalar(finding.container)
            + ',\n      "image": ' + _scalar(finding.image)
            + ',\n      "field": ' + _scalar(finding.field)
            + ',\n      "source": ' + _scalar(finding.source)
            + "\n    }"
        )  # fmt: skip
    return "[\n" + ",\n".join(parts) + "\n  ]"
