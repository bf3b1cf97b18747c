"""Human output: ``path:line:col: CODE message [rule-name]``, then a one-line summary."""

from __future__ import annotations

from imagelint.core.model import Finding, Severity
from imagelint.reporting.messages import plural, via_text
from imagelint.running.results import Report

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _style(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def line(finding: Finding, color: bool = False) -> str:
    where = _style(f"{finding.path}:{finding.line}:{finding.column}:", "1", color)
    code = _style(finding.code, _COLORS[finding.severity], color)
    rule = _style(f"[{finding.rule}]", "2", color)
    text = f"{where} {code} {finding.message} {rule}"
    if finding.source:
        text += f" (from {finding.source})"
    return text + via_text(finding.via)


def summary(report: Report) -> str:
    counts = {severity: 0 for severity in Severity}
    for finding in report.findings:
        counts[finding.severity] += 1
    checked = f"{plural(report.objects, 'object')}, {plural(report.images, 'image')} checked"
    if not report.findings:
        return f"No problems found in {plural(report.files, 'file')} ({checked})."
    parts = [
        plural(counts[Severity.ERROR], "error"),
        plural(counts[Severity.WARNING], "warning"),
        f"{counts[Severity.INFO]} info",
    ]
    shown = [
        p
        for p, s in zip(parts, (Severity.ERROR, Severity.WARNING, Severity.INFO), strict=True)
        if counts[s]
    ]
    return (
        f"{', '.join(shown)} in {report.files_with_findings} of "
        f"{plural(report.files, 'file')} ({checked})."
    )


def render(report: Report, color: bool = False, with_summary: bool = True) -> str:
    lines = [line(finding, color) for finding in report.findings]
    if with_summary:
        lines.append(summary(report))
    return "\n".join(lines) + "\n" if lines else ""


def statistics(report: Report) -> str:
    """How many findings each rule gave, most first (``--statistics``)."""
    counts: dict[tuple[str, str], int] = {}
    for finding in report.findings:
        key = (finding.code, finding.rule)
        counts[key] = counts.get(key, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "".join(f"{count:>6}  {code}  {rule}\n" for (code, rule), count in ordered)
