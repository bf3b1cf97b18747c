from __future__ import annotations

import pytest

from tests.unit_rules.helpers import findings, pod

RULE = "invalid-pull-policy"


def test_full_message_and_position():
    [finding] = findings(pod("image: nginx:1.27\n      imagePullPolicy: always"), RULE)
    assert finding.message == (
        'imagePullPolicy "always" is not one of Always, IfNotPresent, Never (the API server '
        'refuses it; values are case-sensitive); did you mean "Always"?'
    )
    assert (finding.line, finding.column, finding.severity.label) == (9, 24, "error")


@pytest.mark.parametrize(
    "value, message",
    [
        (
            "IfNotPresnt",
            'imagePullPolicy "IfNotPresnt" is not one of Always, IfNotPresent, Never (the API server refuses it; values are case-sensitive); did you mean "IfNotPresent"?',
        ),
        (
            "Sometimes",
            'imagePullPolicy "Sometimes" is not one of Always, IfNotPresent, Never (the API server refuses it; values are case-sensitive)',
        ),
        ("3", "imagePullPolicy must be a string, not a number"),
        ("yes", "imagePullPolicy must be a string, not a boolean"),
        ("[Always]", "imagePullPolicy must be a string, not a list"),
    ],
)
def test_values(value, message):
    [finding] = findings(pod(f"image: nginx:1.27\n      imagePullPolicy: {value}"), RULE)
    assert finding.message == message


@pytest.mark.parametrize("value", ["Always", "IfNotPresent", "Never", "", "~"])
def test_quiet(value):
    assert findings(pod(f"image: nginx:1.27\n      imagePullPolicy: {value}"), RULE) == []
