from __future__ import annotations

from imagelint.online.answers import TAG_MISSING, UNREACHABLE
from tests.unit_rules.helpers import image_pod
from tests.unit_rules.online_helpers import answer, online_findings

RULE = "registry-unreachable"
IMAGE = "registry.acme.internal:5000/shop/api:2.4.1"


def test_full_message_names_the_cause():
    said = answer(UNREACHABLE, IMAGE, detail="DNS lookup of registry.acme.internal failed")
    [finding] = online_findings(image_pod(IMAGE), RULE, {IMAGE: said})
    assert finding.message == (
        "could not check registry.acme.internal:5000/shop/api:2.4.1: DNS lookup of "
        "registry.acme.internal failed"
    )
    assert (finding.severity.label, finding.line, finding.column) == ("warning", 8, 15)


def test_never_reported_with_a_missing_tag():
    said = answer(UNREACHABLE, IMAGE, detail="timed out")
    rules = {f.rule for f in online_findings(image_pod(IMAGE), "tag-not-found", {IMAGE: said})}
    assert rules == set()
    assert online_findings(image_pod(IMAGE), RULE, {IMAGE: answer(TAG_MISSING, IMAGE)}) == []
