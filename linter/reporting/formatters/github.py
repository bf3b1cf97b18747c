"""GitHub Actions workflow commands: each finding becomes an annotation on its file and line.

One line per finding and nothing else (no summary line: the exit code says whether the step
fails, and notes and internal errors go to standard error, as with every format)::

    ::error file=apps/api.yaml,line=9,col=12,title=IL102 uppercase-repository::image "Nginx:1"...

error findings are ``::error``, warnings ``::warning`` and info ``::notice``. Values are escaped
as the Actions runner expects: in the message ``%`` ``\\r`` ``\\n`` become ``%25`` ``%0D``
``%0A``; in the properties ``:`` and ``,`` also become ``%3A`` and ``%2C``. A leading ``./`` is
taken off paths, which GitHub reads relative to the repository root (the workspace).
"""

from __future__ import annotations

from imagelint.core.model import Finding, Severity
from imagelint.reporting.messages import via_text
from imagelint.running.results import Report

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workspace_path(path: str) -> str:
    while path.startswith("./"):
        path = path[2:]
    return path


def command(finding: Finding) -> str:
    properties = {
        "file": workspace_path(finding.path),
        "line": str(finding.line),
        "col": str(finding.column),
        "title": f"{finding.code} {finding.rule}",
    }
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    message = finding.message + via_text(finding.via)
    return f"::{COMMANDS[finding.severity]} {joined}::{escape_data(message)}"


def render(report: Report) -> str:
    return "".join(command(finding) + "\n" for finding in report.findings)
