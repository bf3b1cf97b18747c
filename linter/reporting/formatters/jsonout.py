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
        "findings": [finding_dict(finding) for finding in report.findings],
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
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
