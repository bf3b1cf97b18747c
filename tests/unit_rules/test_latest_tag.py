from __future__ import annotations

from tests.unit_rules.helpers import findings, image_pod, messages

RULE = "latest-tag"


def test_full_message():
    [finding] = findings(image_pod("nginx:latest"), RULE)
    assert finding.message == (
        "image \"nginx:latest\" uses the tag 'latest': it moves, so pods started at different "
        "times run different code and every start needs the registry; pin a version or a digest"
    )
    assert (finding.column, finding.severity.label) == (21, "warning")


def test_any_case():
    [message] = messages("registry.acme.io:5000/app:LATEST", RULE)
    assert "(and 'LATEST' is not 'latest': tags are case-sensitive)" in message


def test_quiet_when_pinned_by_digest_or_other_tags():
    digest = "sha256:" + "a" * 64
    assert messages(f"nginx:latest@{digest}", RULE) == []
    assert messages("nginx:1.27", RULE) == []
    assert messages("nginx:latest-alpine", RULE) == []
    assert messages("registry.acme.io:5000/app", RULE) == []
