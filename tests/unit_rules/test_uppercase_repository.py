from __future__ import annotations

import pytest

from tests.unit_rules.helpers import findings, image_pod, messages, rules_fired

RULE = "uppercase-repository"


def test_full_message_replaces_invalid_reference():
    [finding] = findings(image_pod("registry.acme.io/Shop/worker:3.2"), RULE)
    assert finding.message == (
        'image "registry.acme.io/Shop/worker:3.2": the repository path "Shop/worker" has '
        'capital letters, which no registry accepts; use "registry.acme.io/shop/worker:3.2"'
    )
    assert (finding.line, finding.column, finding.severity.label) == (8, 32, "error")
    assert rules_fired("registry.acme.io/Shop/worker:3.2") == [RULE]


def test_docker_reads_a_capital_first_component_as_a_host_people_do_not():
    assert messages("MyCompany/API:1.0", RULE) == [
        'image "MyCompany/API:1.0": the repository path "MyCompany/API" has capital letters, '
        'which no registry accepts; use "mycompany/api:1.0"'
    ]


@pytest.mark.parametrize(
    "image", ["ghcr.io/acme/app:Release-2", "Registry.Acme.IO/app:1", "nginx:LATEST"]
)
def test_capitals_in_tags_and_hosts_are_legal(image):
    assert messages(image, RULE) == []


def test_another_defect_keeps_the_generic_finding():
    assert rules_fired("Acme/app:1.0 ") == ["invalid-reference", RULE]
    [message] = messages("Acme/app:1.0 ", RULE)
    assert "use" not in message  # no suggestion that is still broken
