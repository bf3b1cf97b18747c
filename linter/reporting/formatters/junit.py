"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines...).

``<testsuites>`` holds one ``<testsuite name="imagelint">``. Each finding is a test case with
one ``<failure>`` (Jenkins and GitLab show only the first failure of a case):
``classname`` = its file, ``name`` = ``Kind namespace/name: CODE rule at line:col`` (the file's
path instead of the object for findings about a file as a whole: syntax, encoding), failure
``type`` = rule name, ``message`` = the message, text = ``path:line:col: CODE message [rule]``. The report does not list the objects that passed, so a run
without findings (nor internal errors) is one passing test case, ``imagelint`` / ``all objects``;
an internal error is a test case with an ``<error>``; notes about the run are the suite's
``<system-out>``. ``tests``, ``failures`` and ``errors`` count test cases.

Characters that XML 1.0 cannot hold (control characters other than tab, newline and carriage
return; lone surrogates; U+FFFE and U+FFFF) are written as ``\\xNN`` or ``\\uNNNN``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from imagelint.core.model import Finding
from imagelint.reporting.messages import plural, via_text
from imagelint.running.results import Report

SUITE = "imagelint"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids replaced by visible escapes."""
    return _NOT_XML.sub(_visible, text)


def failure_text(finding: Finding) -> str:
    text = (
        f"{finding.path}:{finding.line}:{finding.column}: {finding.code} {finding.message} "
        f"[{finding.rule}]"
    )
    text = f"{text} (from {finding.source})" if finding.source else text
    return text + via_text(finding.via)


def case_key(finding: Finding) -> tuple[str, str]:
    """(classname, name) of a finding's test case."""
    where = finding.object.describe() if finding.object is not None else finding.path
    name = f"{where}: {finding.code} {finding.rule} at {finding.line}:{finding.column}"
    return finding.path, name


def testcase(suite: ET.Element, classname: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", classname=xml_text(classname), name=xml_text(name))


def add_failures(case: ET.Element, findings: list[Finding]) -> None:
    for finding in findings:
        failure = ET.SubElement(
            case, "failure", message=xml_text(finding.message), type=xml_text(finding.rule)
        )
        failure.text = xml_text(failure_text(finding))


def checked(report: Report) -> str:
    return (
        f"{plural(report.files, 'file')}, {plural(report.objects, 'object')}, "
        f"{plural(report.images, 'image')} checked"
    )


def build(report: Report) -> ET.Element:
    root = ET.Element("testsuites")
    suite = ET.SubElement(root, "testsuite", name=SUITE)
    for finding in report.findings:
        add_failures(testcase(suite, *case_key(finding)), [finding])
    clean = not report.findings and not report.internal_errors
    if clean:
        passed = testcase(suite, SUITE, "all objects")
        ET.SubElement(passed, "system-out").text = xml_text(checked(report))
    for message in report.internal_errors:
        case = testcase(suite, SUITE, f"internal error while checking {message}")
        ET.SubElement(case, "error", message=xml_text(message), type="internal-error")
    tests = len(report.findings) + len(report.internal_errors) + int(clean)
    counts = {
        "tests": str(tests),
        "failures": str(len(report.findings)),
        "errors": str(len(report.internal_errors)),
        "skipped": "0",
    }
    for element in (root, suite):
        element.attrib.update(counts)
    if report.notes:
        ET.SubElement(suite, "system-out").text = xml_text("\n".join(report.notes))
    return root


def render(report: Report) -> str:
    root = build(report)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
