"""Fingerprints must not change between versions (baselines keep them): the pattern that takes
positions out of messages equals the one fingerprints were first made with."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from imagelint.core.model import Severity
from imagelint.core.rulebook import all_rules
from imagelint.reporting import fingerprint
from imagelint.reporting.formatters import render
from imagelint.running.results import Report
from tests.helpers import FIXTURES

# The pattern of the first fingerprints, kept here as the oracle.
FIRST = re.compile(r"\bline \d+|:\d+(?::\d+)?\b|\bcolumn \d+")
RUN_RULES = {rule.name for rule in all_rules() if rule.scope == "run"}
WORDS = ["line ", "column ", ":", "1", "23", " ", "a", "_", "é", "٣", "\n", "l", "c", "ine", "."]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=14).map("".join))
def test_positions_are_taken_out_as_at_first(message):
    assert fingerprint._POSITIONS.sub("#", message) == FIRST.sub("#", message)


def test_positions_in_real_messages():
    messages = [
        'image "registry.acme.io/shop/web:1.4.2" pulls from line 12 of base.yaml:12:5',
        "pull secret regcred is not in namespace shop: it exists only in ops (a.yaml:3)",
        "see column 7, inline 3, decline 4, (line 9), xcolumn 2, :80/x, host:5000/app",
    ]
    for message in messages:
        assert fingerprint._POSITIONS.sub("#", message) == FIRST.sub("#", message)


def _findings(**options):
    from imagelint.reading.sources import discover
    from imagelint.running.engine import Engine

    return Engine(**options).check(discover([str(FIXTURES)])).findings


def test_a_finding_keeps_its_fingerprint_through_copies_and_pickling():
    import pickle

    finding = _findings()[0]
    assert finding.fingerprint is None  # not worked out until asked
    first = fingerprint.fingerprint(finding)
    assert finding.fingerprint == first == fingerprint._work_out(finding)
    assert finding.with_severity(Severity.INFO).fingerprint == first
    assert finding.with_via(("overlays/prod",)).fingerprint == first
    assert pickle.loads(pickle.dumps(finding)).fingerprint == first


def test_the_engine_works_fingerprints_out_as_results_come_in_when_asked():
    """With --jobs, that is while the workers still check files, not after them all."""
    asked = _findings(fingerprints=True)
    assert len(asked) > 20
    per_file = [f for f in asked if f.rule not in RUN_RULES]
    assert per_file and all(f.fingerprint == fingerprint._work_out(f) for f in per_file)
    assert all(f.fingerprint is None for f in _findings())


def test_formats_that_show_fingerprints_ask_the_engine_for_them():
    from imagelint.reporting.formatters import FINGERPRINTED, FORMATS

    assert set(FINGERPRINTED) <= set(FORMATS)
    for name in FORMATS:
        report = Report()
        report.findings = _findings()[:3]
        render(name, report, False)
        shown = all(f.fingerprint is not None for f in report.findings)
        assert shown == (name in FINGERPRINTED), name
