"""Machine output: one JSON document, format version 1 (documented in the README)."""

from __future__ import annotations

import json
from typing import Any

from imagelint.core.model import Finding, ObjectId, Severity
from imagelint.reporting.fingerprint import fingerprint
from imagelint.running.collect import collecting_rarely
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
        "via": list(finding.via),
        "fingerprint": fingerprint(finding),
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
    head, tail = text.split(json.dumps(_FINDINGS_MARK), 1)
    # Built as pieces and joined once: a findings-heavy report is megabytes of text, and every
    # concatenation or replace would copy all of it. The pieces' tuples would otherwise wake
    # the cyclic collector over and over, walking everything the run made.
    with collecting_rarely():
        pieces = [head]
        _add_findings(pieces, report.findings)
        pieces.append(tail)
        pieces.append("\n")
        return "".join(pieces)


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


# One finding as json.dumps(..., indent=2) writes it inside the report's "findings" list,
# with the comma that follows all but the last.
_FINDING = (
    '\n    {\n      "rule": %s,\n      "code": %s,\n      "severity": %s,\n      "path": %s,'
    '\n      "line": %s,\n      "column": %s,\n      "message": %s,\n      "object": %s,'
    '\n      "container": %s,\n      "image": %s,\n      "field": %s,\n      "source": %s,'
    '\n      "via": %s,\n      "fingerprint": %s\n    },'
)
_OBJECT = (
    '{\n        "apiVersion": %s,\n        "kind": %s,\n        "namespace": %s,'
    '\n        "name": %s\n      }'
)


def _via(via: tuple[str, ...]) -> str:
    """The trees a finding was built through, as json.dumps(..., indent=2) writes the list."""
    if not via:
        return "[]"
    items = ",\n".join("        " + _STRING(v) for v in via)
    return "[\n" + items + "\n      ]"


def _add_findings(pieces: list[str], findings: list[Finding]) -> None:
    """Append the findings list's text to ``pieces``."""
    if not findings:
        pieces.append("[]")
        return
    pieces.append("[")
    # Findings share their rule, file and object with many others: each is encoded once.
    rules: dict[tuple[str, str, Severity], tuple[str, str, str]] = {}
    paths: dict[str, str] = {}
    objects: dict[ObjectId, str] = {}
    scalar, string, add = _scalar, _STRING, pieces.append
    for finding in findings:
        rule = (finding.rule, finding.code, finding.severity)
        shown_rule = rules.get(rule)
        if shown_rule is None:
            shown_rule = rules[rule] = (
                string(finding.rule),
                string(finding.code),
                string(finding.severity.label),
            )
        path = paths.get(finding.path)
        if path is None:
            path = paths[finding.path] = string(finding.path)
        obj = finding.object
        shown_object = "null" if obj is None else objects.get(obj)
        if shown_object is None:
            assert obj is not None
            shown_object = objects[obj] = _OBJECT % (
                scalar(obj.api_version),
                scalar(obj.kind),
                scalar(obj.namespace),
                scalar(obj.name),
            )
        # The optional strings inline rather than through _scalar: a call each, 8 a finding,
        # cost a findings-heavy report a fifth of its rendering.
        container, image, field, source = (
            finding.container,
            finding.image,
            finding.field,
            finding.source,
        )
        add(
            _FINDING
            % (
                *shown_rule,
                path,
                finding.line,
                finding.column,
                string(finding.message),
                shown_object,
                "null" if container is None else string(container),
                "null" if image is None else string(image),
                "null" if field is None else string(field),
                "null" if source is None else string(source),
                _via(finding.via),
                string(fingerprint(finding)),
            )
        )
    pieces[-1] = pieces[-1][:-1]  # no comma after the last
    pieces.append("\n  ]")
