"""The CI output formats: SARIF, GitHub workflow commands, GitLab Code Quality and JUnit XML.

The SARIF output is validated against the official SARIF 2.1.0 JSON schema (OASIS, "SARIF
Version 2.1.0 Plus Errata 01"), kept byte for byte in tests/data/sarif-schema-2.1.0.json (see
tests/data/sarif-schema-2.1.0.SOURCE.txt).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from imagelint import __version__
from imagelint.core.model import Finding, ObjectId, Severity
from imagelint.core.rulebook import all_rules
from imagelint.reporting.fingerprint import fingerprint
from imagelint.reporting.formatters import FORMATS, github, gitlab, junit, render, sarif
from imagelint.running.engine import Engine, Report

DATA = Path(__file__).resolve().parent / "data"
DIGEST = "a" * 64
MANIFEST = f"""\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
    - name: upper
      image: Nginx:1
    - name: latest
      image: nginx:latest
    - name: pinned
      image: nginx:1.25@sha256:{DIGEST}
"""
CLEAN = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
"""
TWICE = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:latest
---
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:latest
"""
NASTY_MESSAGE = "bell\x07 100% sure, a:b::c\nsecond line\r\nthird\x1b[0m end"
NASTY_PATH = "./odd,dir/a:b 100%.yaml"


@pytest.fixture(scope="module")
def report() -> Report:
    return Engine().check_text("apps/api.yaml", MANIFEST)


@pytest.fixture(scope="module")
def clean_report() -> Report:
    return Engine().check_text("apps/clean.yaml", CLEAN)


@pytest.fixture(scope="module")
def broken_report() -> Report:
    return Engine().check_text("broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n")


@pytest.fixture
def nasty_report() -> Report:
    report = Report()
    report.files = 1
    report.objects = 1
    report.images = 1
    report.findings = [
        Finding(
            "latest-tag",
            "IL104",
            Severity.WARNING,
            NASTY_PATH,
            3,
            7,
            NASTY_MESSAGE,
            ObjectId("Deployment", "team,a", "api:v2", "apps/v1"),
            "app\x00",
            "nginx:latest",
            "chart/templates/deploy.yaml",
            "spec.template.spec.containers[0].image",
            ("overlays/pr\u00f6d", 'over"lays/dev'),
        ),
        Finding("yaml-syntax", "IL001", Severity.ERROR, "/abs/path/x.yaml", 1, 1, "bad\x0c"),
    ]
    report.notes = ["pull secrets were not looked up: no Secret in the inputs"]
    report.internal_errors = ["other.yaml: RuntimeError: boom\x01"]
    return report


def test_registered_formats(report: Report) -> None:
    for name in ("sarif", "github", "gitlab", "junit"):
        assert name in FORMATS
        module = {"sarif": sarif, "github": github, "gitlab": gitlab, "junit": junit}[name]
        assert render(name, report, False) == module.render(report)


def test_format_modules_are_imported_lazily() -> None:
    code = (
        "import sys, imagelint.reporting.formatters\n"
        "loaded = [m for m in ('sarif', 'github', 'gitlab', 'junit')\n"
        "          if 'imagelint.reporting.formatters.' + m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("module", [sarif, github, gitlab, junit])
def test_output_ends_with_a_newline(module: Any, report: Report, nasty_report: Report) -> None:
    for each in (report, nasty_report):
        text = module.render(each)
        assert text.endswith("\n") and not text.endswith("\n\n")


# -- SARIF -----------------------------------------------------------------------------------


# RFC 3986 syntax, for the "uri" and "uri-reference" formats of the schema (jsonschema checks
# them only with optional packages installed).
_URI_TEXT = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _is_uri_reference(value: object) -> bool:
    return not isinstance(value, str) or bool(_URI_TEXT.fullmatch(value))


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or (_is_uri_reference(value) and bool(_SCHEME.match(value)))


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    checker = jsonschema.FormatChecker()
    checker.checks("uri")(_is_uri)
    checker.checks("uri-reference")(_is_uri_reference)
    return cls(schema, format_checker=checker)


def _sarif(report: Report) -> dict[str, Any]:
    return json.loads(sarif.render(report))


@pytest.mark.parametrize("name", ["report", "clean_report", "broken_report", "nasty_report"])
def test_sarif_is_valid_against_the_official_schema(
    name: str, request: pytest.FixtureRequest, sarif_validator: jsonschema.protocols.Validator
) -> None:
    log = _sarif(request.getfixturevalue(name))
    errors = sorted(sarif_validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_sarif_schema_rejects_a_broken_log(
    report: Report, sarif_validator: jsonschema.protocols.Validator
) -> None:
    log = _sarif(report)
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert not sarif_validator.is_valid(log)
    log = _sarif(report)
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = (
        "a b.yaml"
    )
    assert not sarif_validator.is_valid(log)


def test_sarif_driver_lists_every_rule(report: Report) -> None:
    log = _sarif(report)
    assert log["version"] == "2.1.0"
    assert log["$schema"].startswith("https://")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "imagelint"
    assert driver["version"] == __version__
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in all_rules()]
    by_id = {rule.code: rule for rule in all_rules()}
    for descriptor in rules:
        rule = by_id[descriptor["id"]]
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", descriptor["name"])
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"]
        assert descriptor["help"]["markdown"] == rule.doc
        assert "## " not in descriptor["help"]["text"].replace("```", "")
        levels = {"error": "error", "warning": "warning", "info": "note"}
        assert descriptor["defaultConfiguration"]["level"] == levels[rule.severity.label]
    names = {descriptor["id"]: descriptor["name"] for descriptor in rules}
    assert names["IL101"] == "InvalidReference"
    assert names["IL104"] == "LatestTag"


def test_sarif_results_as_github_wants_them(report: Report) -> None:
    (run,) = _sarif(report)["runs"]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["IL102", "IL104", "IL107"]
    assert [r["level"] for r in results] == ["error", "warning", "note"]
    for result, finding in zip(results, report.findings, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert finding.message in result["message"]["text"]
        assert f"[{finding.rule}]" in result["message"]["text"]
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": "apps/api.yaml", "uriBaseId": "%SRCROOT%"}
        assert physical["region"] == {"startLine": finding.line, "startColumn": finding.column}
        assert result["partialFingerprints"] == {"imagelintFingerprint/v1": fingerprint(finding)}
        logical = result["locations"][0]["logicalLocations"][0]
        assert logical["fullyQualifiedName"] == "Pod shop/web"
        properties = result["properties"]
        assert properties["kubernetesObject"] == {
            "apiVersion": "v1",
            "kind": "Pod",
            "namespace": "shop",
            "name": "web",
        }
        assert properties["container"] == finding.container
        assert properties["image"] == finding.image
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is True


def test_sarif_paths_notes_and_internal_errors(nasty_report: Report) -> None:
    (run,) = _sarif(nasty_report)["runs"]
    relative, absolute = (r["locations"][0]["physicalLocation"] for r in run["results"])
    # Relative POSIX path, "./" taken off, percent-encoded as a URI reference.
    assert relative["artifactLocation"] == {
        "uri": "odd%2Cdir/a%3Ab%20100%25.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert absolute["artifactLocation"] == {"uri": "file:///abs/path/x.yaml"}
    assert run["results"][0]["message"]["text"].startswith(NASTY_MESSAGE)
    assert run["results"][0]["properties"]["helmSource"] == "chart/templates/deploy.yaml"
    assert "logicalLocations" not in run["results"][1]["locations"][0]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    notifications = invocation["toolExecutionNotifications"]
    assert [n["level"] for n in notifications] == ["note", "error"]
    assert notifications[0]["message"]["text"] == nasty_report.notes[0]


def test_sarif_of_a_clean_run(clean_report: Report) -> None:
    (run,) = _sarif(clean_report)["runs"]
    assert run["results"] == []
    assert len(run["tool"]["driver"]["rules"]) == len(all_rules())


def test_sarif_pascal_case() -> None:
    assert sarif.pascal_case("pull-secret-not-found") == "PullSecretNotFound"
    assert sarif.pascal_case("yaml-syntax") == "YamlSyntax"


# -- GitHub workflow commands ------------------------------------------------------------------

_COMMAND = re.compile(r"^::(?P<command>error|warning|notice) (?P<properties>[^:]*)::(?P<data>.*)$")
_ESCAPES = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}


def _unescape(text: str) -> str:
    return re.sub(r"%(?:25|0D|0A|3A|2C)", lambda m: _ESCAPES[m.group()], text)


def _lines(text: str) -> list[str]:
    """Lines as the Actions runner reads them (.NET ReadLine: only CR and LF end a line, unlike
    str.splitlines, which also splits at form feeds and other separators)."""
    assert text.endswith("\n")
    return re.split(r"\r\n|\r|\n", text[:-1])


def _parse_commands(text: str) -> list[dict[str, str]]:
    parsed = []
    for line in _lines(text):
        match = _COMMAND.match(line)
        assert match, line
        fields = {"command": match["command"], "message": _unescape(match["data"])}
        for prop in match["properties"].split(","):
            key, _, value = prop.partition("=")
            fields[key] = _unescape(value)
        parsed.append(fields)
    return parsed


def test_github_commands(report: Report) -> None:
    text = github.render(report)
    assert text.count("\n") == len(report.findings)
    parsed = _parse_commands(text)
    assert [p["command"] for p in parsed] == ["error", "warning", "notice"]
    for fields, finding in zip(parsed, report.findings, strict=True):
        assert fields["file"] == "apps/api.yaml"
        assert (fields["line"], fields["col"]) == (str(finding.line), str(finding.column))
        assert fields["title"] == f"{finding.code} {finding.rule}"
        assert fields["message"] == finding.message


def test_github_escaping_round_trips(nasty_report: Report) -> None:
    text = github.render(nasty_report)
    assert "\r" not in text
    lines = _lines(text)
    assert len(lines) == len(nasty_report.findings)
    assert lines[0].startswith("::warning file=odd%2Cdir/a%3Ab 100%25.yaml,line=3,col=7,")
    fields = _parse_commands(text)[0]
    assert fields["file"] == NASTY_PATH[2:]
    assert fields["message"] == NASTY_MESSAGE + ' (via overlays/pr\u00f6d, over"lays/dev)'
    assert _parse_commands(text)[1]["message"] == "bad\x0c"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert github.escape_data("a:b,c%\r\n") == "a:b,c%25%0D%0A"


def test_github_clean_run_prints_nothing(clean_report: Report) -> None:
    assert github.render(clean_report) == ""


# -- GitLab Code Quality -----------------------------------------------------------------------

_GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def _gitlab(report: Report) -> list[dict[str, Any]]:
    issues = json.loads(gitlab.render(report))
    assert isinstance(issues, list)
    for issue in issues:
        for key in ("description", "check_name", "fingerprint", "severity", "location"):
            assert key in issue
        assert issue["severity"] in _GITLAB_SEVERITIES
        assert isinstance(issue["location"]["path"], str)
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert isinstance(issue["categories"], list) and issue["categories"]
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    return issues


def test_gitlab_issues(report: Report) -> None:
    issues = _gitlab(report)
    assert [i["severity"] for i in issues] == ["critical", "minor", "info"]
    for issue, finding in zip(issues, report.findings, strict=True):
        assert issue["check_name"] == finding.rule
        assert finding.message in issue["description"]
        assert issue["fingerprint"] == fingerprint(finding)
        assert issue["location"]["path"] == "apps/api.yaml"
        assert issue["location"]["lines"]["begin"] == finding.line
        assert issue["location"]["positions"]["begin"] == {
            "line": finding.line,
            "column": finding.column,
        }


def test_gitlab_fingerprints_survive_lines_moving(report: Report) -> None:
    shifted = Engine().check_text("apps/api.yaml", "\n\n" + MANIFEST)
    before, after = _gitlab(report), _gitlab(shifted)
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert [i["location"]["lines"]["begin"] + 2 for i in before] == [
        i["location"]["lines"]["begin"] for i in after
    ]


def test_gitlab_shared_fingerprints_are_made_unique_deterministically() -> None:
    twice = Engine().check_text("twice.yaml", TWICE)
    assert len(twice.findings) == 2
    assert fingerprint(twice.findings[0]) == fingerprint(twice.findings[1])
    issues = _gitlab(twice)
    assert issues[0]["fingerprint"] == fingerprint(twice.findings[0])
    assert issues[1]["fingerprint"] != issues[0]["fingerprint"]
    assert re.fullmatch(r"[0-9a-f]{32}", issues[1]["fingerprint"])
    again = _gitlab(Engine().check_text("twice.yaml", "\n" + TWICE))
    assert [i["fingerprint"] for i in again] == [i["fingerprint"] for i in issues]


def test_gitlab_escaping_and_paths(nasty_report: Report, clean_report: Report) -> None:
    issues = _gitlab(nasty_report)
    assert issues[0]["location"]["path"] == NASTY_PATH[2:]
    assert issues[0]["description"].startswith(NASTY_MESSAGE)
    assert issues[1]["location"]["path"] == "/abs/path/x.yaml"
    assert _gitlab(clean_report) == []


# -- JUnit XML -------------------------------------------------------------------------------


def _junit(report: Report) -> tuple[ET.Element, ET.Element]:
    text = junit.render(report)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "imagelint"
    cases = suite.findall("testcase")
    failed = [case for case in cases if case.find("failure") is not None]
    errored = [case for case in cases if case.find("error") is not None]
    for element in (root, suite):
        assert element.get("tests") == str(len(cases))
        assert element.get("failures") == str(len(failed))
        assert element.get("errors") == str(len(errored))
    return root, suite


def test_junit_one_case_per_finding(report: Report) -> None:
    # Jenkins and GitLab show only the first <failure> of a test case (issue 20).
    _, suite = _junit(report)
    cases = suite.findall("testcase")
    assert len(cases) == len(report.findings) > 1
    assert all(len(case.findall("failure")) == 1 for case in cases)
    assert {case.get("classname") for case in cases} == {"apps/api.yaml"}
    assert [case.get("name") for case in cases] == [
        f"Pod shop/web: {f.code} {f.rule} at {f.line}:{f.column}" for f in report.findings
    ]
    failures = [case.find("failure") for case in cases]
    assert [f.get("type") for f in failures] == [f.rule for f in report.findings]
    for failure, finding in zip(failures, report.findings, strict=True):
        assert failure.get("message") == finding.message
        assert failure.text == (
            f"apps/api.yaml:{finding.line}:{finding.column}: {finding.code} {finding.message} "
            f"[{finding.rule}]"
        )


def test_junit_file_level_findings(broken_report: Report) -> None:
    _, suite = _junit(broken_report)
    (case,) = suite.findall("testcase")
    assert case.get("classname") == "broken.yaml"
    assert case.get("name").startswith("broken.yaml: IL001 yaml-syntax at ")
    assert case.find("failure").get("type") == "yaml-syntax"


def test_junit_clean_run_is_one_passing_case(clean_report: Report) -> None:
    root, suite = _junit(clean_report)
    (case,) = suite.findall("testcase")
    assert (case.get("classname"), case.get("name")) == ("imagelint", "all objects")
    assert list(case) and case[0].tag == "system-out"
    assert root.get("failures") == "0" and root.get("tests") == "1"


def test_junit_escaping_and_internal_errors(nasty_report: Report) -> None:
    _, suite = _junit(nasty_report)
    cases = suite.findall("testcase")
    assert [case.get("name").split(": IL")[0] for case in cases] == [
        "Deployment team,a/api:v2",
        "/abs/path/x.yaml",
        "internal error while checking other.yaml: RuntimeError: boom\\x01",
    ]
    failure = cases[0].find("failure")
    expected = NASTY_MESSAGE.replace("\x07", "\\x07").replace("\x1b", "\\x1b")
    assert failure.get("message") == expected  # newlines survive in attributes
    assert "(from chart/templates/deploy.yaml)" in failure.text
    assert cases[1].find("failure").get("message") == "bad\\x0c"
    assert cases[2].find("error") is not None
    assert suite.get("errors") == "1" and suite.get("failures") == "2"
    assert suite.find("system-out").text == nasty_report.notes[0]


def test_junit_xml_text_keeps_what_xml_allows() -> None:
    allowed = "tab\tnl\ncr\r \u00e9 \ud7ff \ue000 \ufffd \U0001f600"
    assert junit.xml_text(allowed) == allowed
    assert junit.xml_text("\x00\x08\x0b\x1f\ufffe\uffff\ud800") == (
        "\\x00\\x08\\x0b\\x1f\\ufffe\\uffff\\ud800"
    )


@pytest.mark.parametrize("which", ["report", "clean_report", "broken_report", "nasty_report"])
def test_json_is_what_json_dumps_writes(which: str, request: pytest.FixtureRequest) -> None:
    """The JSON formatter writes the findings by hand, for speed: byte for byte what
    json.dumps(indent=2, ensure_ascii=False) writes of the documented structure."""
    from imagelint.reporting.formatters import jsonout

    report: Report = request.getfixturevalue(which)
    document = json.loads(jsonout.render(report))
    document["findings"] = [jsonout.finding_dict(f) for f in report.findings]
    expected = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    assert jsonout.render(report) == expected
