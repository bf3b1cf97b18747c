from __future__ import annotations

import pytest

from tests.unit_rules.helpers import findings, image_pod, messages, rules_fired

RULE = "trailing-dot"


def test_full_message_for_a_tag():
    [finding] = findings(image_pod("myapp:1.0."), RULE)
    assert finding.message == (
        "image \"myapp:1.0.\": the tag ends in '.', which is almost never pushed; did you mean "
        '"myapp:1.0"?'
    )
    assert (finding.column, finding.severity.label) == (24, "error")


@pytest.mark.parametrize(
    "image, message",
    [
        (
            "api:2.1-",
            'image "api:2.1-": the tag ends in \'-\', which is almost never pushed; did you mean "api:2.1"?',
        ),
        (
            "api:2.1_",
            'image "api:2.1_": the tag ends in \'_\', which is almost never pushed; did you mean "api:2.1"?',
        ),
        (
            "acme/app.:1",
            'image "acme/app.:1": the repository path ends in \'.\', which is not allowed there; did you mean "acme/app:1"?',
        ),
        (
            "registry.acme.io./app:1",
            'image "registry.acme.io./app:1": the registry host ends in \'.\', which is not allowed there; did you mean "registry.acme.io/app:1"?',
        ),
    ],
)
def test_other_places(image, message):
    assert messages(image, RULE) == [message]


def test_replaces_invalid_reference_only_when_trimming_fixes_it():
    assert rules_fired("acme/app.:1") == [RULE]
    assert "invalid-reference" in rules_fired("acme/app.:1 ")


@pytest.mark.parametrize("image", ["app:1.0", "app:1.0-rc.1", "app:v1_2", "app"])
def test_quiet(image):
    assert messages(image, RULE) == []
