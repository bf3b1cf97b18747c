"""Every bundled fixture produces exactly the findings its markers expect, at those columns."""

from __future__ import annotations

from collections import Counter

import pytest

from imagelint.reading.sources import discover
from imagelint.running.pipeline import run
from tests.expectations import expected
from tests.helpers import FIXTURES

# fixtures/config has a configuration of its own; tests/test_config.py checks it from there.
FIXTURE_FILES = sorted(
    p
    for p in FIXTURES.rglob("*")
    if p.is_file()
    and p.suffix in (".yaml", ".yml", ".json")
    and "config" not in p.relative_to(FIXTURES).parts
    and not p.name.startswith(".")
)


@pytest.fixture(scope="module")
def findings_by_path() -> dict[str, list]:
    # One run over the whole directory, as a user would start it (kustomize patches need it).
    report = run(discover([FIXTURES.as_posix()], exclude=[(FIXTURES / "config").as_posix()]))
    assert report.internal_errors == []
    grouped: dict[str, list] = {}
    for finding in report.findings:
        grouped.setdefault(finding.path, []).append(finding)
    return grouped


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_fixture_findings_match_markers(path, findings_by_path):
    found = findings_by_path.get(path.as_posix(), [])
    want_counts, want_columns = expected(path)
    got_counts = Counter((f.line, f.rule) for f in found)
    listing = "\n".join(f"{f.line}:{f.column} {f.rule}: {f.message}" for f in found)
    assert got_counts == want_counts, listing
    for (line, rule), columns in want_columns.items():
        got = sorted(f.column for f in found if f.line == line and f.rule == rule)
        assert got == sorted(columns), f"line {line} {rule}: columns {got}, expected {columns}"


def test_fixtures_show_every_rule(findings_by_path):
    """`imagelint check fixtures/` demonstrates every rule that is on by default (an unreadable
    file cannot be committed; tests/unit_rules/test_unreadable_file.py makes one)."""
    from imagelint.core.rulebook import all_rules

    shown = {f.rule for found in findings_by_path.values() for f in found}
    # registry-not-allowed needs allowed-registries: fixtures/config shows it (test_config.py).
    # The online rules (IL3xx) need a registry: tests/test_online_registry.py runs them on one.
    expected = {
        r.name for r in all_rules() if r.default_enabled and not r.code.startswith("IL3")
    } - {"unreadable-file", "registry-not-allowed"}
    assert sorted(expected - shown) == []


def test_helm_source_is_carried(findings_by_path):
    found = findings_by_path[(FIXTURES / "helm-rendered.yaml").as_posix()]
    assert [f.source for f in found] == ["shop/templates/api.yaml"]
