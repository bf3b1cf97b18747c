"""The findings on bench/corpus-extra against the audit of them (issue 17).

``bench/precision-audit-extra.tsv`` judges, finding by finding, every error and warning that
imagelint reported on the examples of 14 public projects (``bench/corpus-extra``), before the
issue's rule changes and after: true, false positive or unsure. This checks the run of this
checkout against it: no finding the audit does not call true is an error, at most
MAX_FALSE_WARNINGS of them are still reported, every true one is still reported on its line
(by its rule, or by a rule whose finding replaces it on the same image: a placeholder is now an
unrendered-template error, which SUPERSEDES invalid-reference and missing-tag), and every
finding of the run has been audited, so the figures in the README's Precision section stay
true. The audit is read as a file; the corpus is in the project, so nothing is skipped.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import defaultdict

import pytest

from imagelint.core.rulebook import all_rules
from tests.helpers import ROOT

CORPUS = ROOT / "bench" / "corpus-extra"
AUDIT = ROOT / "bench" / "precision-audit-extra.tsv"
MAX_FALSE_WARNINGS = 5  # issue 17's target; the audit counts none at the time of writing

Key = tuple[str, int, str]


def _audit() -> dict[Key, str]:
    """(path, line, rule) -> verdict of every audited finding."""
    with open(AUDIT, newline="", encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        rows = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {(r["path"], int(r["line"]), r["rule"]): r["verdict"] for r in rows}


@pytest.fixture(scope="module")
def audit() -> dict[Key, str]:
    return _audit()


@pytest.fixture(scope="module")
def report() -> dict[Key, str]:
    """(path, line, rule) -> severity of this checkout's errors and warnings on the corpus."""
    result = subprocess.run(
        [sys.executable, "-m", "imagelint", "check", "--format", "json", "--jobs", "2", "."],
        cwd=CORPUS,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return {
        (f["path"].removeprefix("./"), f["line"], f["rule"]): f["severity"]
        for f in json.loads(result.stdout)["findings"]
        if f["severity"] in ("error", "warning")
    }


def test_the_audit_judges_each_finding_once_with_a_known_verdict(audit):
    assert set(audit.values()) <= {"true", "false positive", "unsure"}
    assert len(audit) > 500  # the audit of both runs, not a stub


def test_every_finding_of_the_run_is_audited(report, audit):
    """A finding the audit has not judged makes the README's figures stale: audit it (add its
    row to bench/precision-audit-extra.tsv) before changing what a rule reports here."""
    assert sorted(set(report) - set(audit)) == []


def test_no_false_error_and_few_false_warnings(report, audit):
    still = sorted(key for key, verdict in audit.items() if verdict != "true" and key in report)
    assert [key for key in still if report[key] == "error"] == []
    assert len(still) <= MAX_FALSE_WARNINGS, still


def test_every_true_finding_is_still_reported_on_its_line(report, audit):
    replacing: dict[str, set[str]] = defaultdict(set)  # rule -> rules whose finding replaces it
    for rule in all_rules():
        for name in rule.supersedes:
            replacing[name].add(rule.name)
    by_line: dict[tuple[str, int], set[str]] = defaultdict(set)
    for path, line, rule in report:
        by_line[(path, line)].add(rule)
    lost = []
    for key, verdict in sorted(audit.items()):
        if verdict != "true":
            continue
        rules_here = by_line[key[:2]]
        if key[2] not in rules_here and not (replacing[key[2]] & rules_here):
            lost.append(key)
    assert lost == []
