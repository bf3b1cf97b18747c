"""The diagnoses as text (grouped per pod) or JSON.

Every string that came from the cluster passes :class:`Redactor` first: a credential value read
from a Secret of the dump (as written, base64, or decoded) is replaced wherever it would appear,
so no output ever holds one, whatever a runtime or a registry put in its message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from imagelint.cluster.records import Diagnosis

REDACTED = "<redacted>"
_KINDS = {"initContainers": "init container", "ephemeralContainers": "ephemeral container"}


class Redactor:
    def __init__(self, sensitive: Iterable[str]) -> None:
        # Longest first: a value that holds another is replaced whole.
        self.values = sorted(set(sensitive), key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for value in self.values:
            if value in text:
                text = text.replace(value, REDACTED)
        return text


def rows(diagnoses: list[Diagnosis], clean: Redactor) -> list[dict[str, Any]]:
    """The diagnoses as the JSON format's objects."""
    result = []
    for diagnosis in diagnoses:
        failing, node = diagnosis.failing, diagnosis.node
        result.append(
            {
                "namespace": failing.namespace,
                "pod": failing.pod,
                "container": failing.container,
                "image": clean(failing.image),
                "reason": failing.reason,
                "cause": diagnosis.cause,
                "evidence": clean(diagnosis.evidence),
                "node": (
                    None
                    if not failing.node
                    else {
                        "name": failing.node,
                        "os": node.os or None if node else None,
                        "architecture": node.architecture or None if node else None,
                    }
                ),
                "findings": [
                    {
                        "rule": f.rule,
                        "code": f.code,
                        "severity": f.severity,
                        "message": clean(f.message),
                    }
                    for f in diagnosis.findings
                ],
                "next": [
                    {
                        "step": clean(step.text),
                        "command": clean(step.command) if step.command else None,
                    }
                    for step in diagnosis.next
                ],
            }
        )
    return result


def as_json(diagnoses: list[Diagnosis], clean: Redactor) -> str:
    return json.dumps({"diagnoses": rows(diagnoses, clean)}, indent=2, ensure_ascii=False) + "\n"


def as_text(diagnoses: list[Diagnosis], clean: Redactor, pods_read: int) -> str:
    if not diagnoses:
        return f"No failing pulls among {pods_read} pod(s).\n"
    lines: list[str] = []
    current: tuple[str, str] | None = None
    for diagnosis in diagnoses:
        failing, node = diagnosis.failing, diagnosis.node
        if (failing.namespace, failing.pod) != current:
            current = (failing.namespace, failing.pod)
            if lines:
                lines.append("")
            where = "not scheduled"
            if failing.node:
                where = f"on node {failing.node}"
                if node is not None and node.platform:
                    where += f" ({node.platform})"
            lines.append(f"Pod {failing.namespace}/{failing.pod}, {where}")
        kind = _KINDS.get(failing.list, "container")
        lines.append(f"  {kind} {failing.container}: {clean(failing.image)}")
        lines.append(f"    {failing.reason}: {diagnosis.cause}")
        if diagnosis.source:
            lines.append(f"    said by {diagnosis.source}: {clean(diagnosis.evidence)}")
        else:
            lines.append(f"    {clean(diagnosis.evidence)}")
        for finding in diagnosis.findings:
            lines.append(
                f"    {finding.code} {finding.rule} ({finding.severity}): {clean(finding.message)}"
            )
        for number, step in enumerate(diagnosis.next, 1):
            lines.append(f"    next {number}. {clean(step.text)}")
            if step.command:
                lines.append(f"         $ {clean(step.command)}")
    pods = len({(d.failing.namespace, d.failing.pod) for d in diagnoses})
    lines.append("")
    lines.append(f"{len(diagnoses)} failing pull(s) in {pods} pod(s), of {pods_read} pod(s) read.")
    return "\n".join(lines) + "\n"
