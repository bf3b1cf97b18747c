from __future__ import annotations

from tests.unit_rules.secrets_helpers import deployment, entry, found, secret

RULE = "pull-secret-wrong-namespace"


def test_full_message_names_the_namespaces():
    text = secret("regcred", {"cr.acme.example": entry()}, ns="default")
    text += secret("regcred", {"cr.acme.example": entry()}, ns="staging")
    text += deployment("api", "cr.acme.example/api:1", ["regcred"], ns="production")
    [finding] = found(text, RULE)
    assert finding.message == (
        'pull secret "regcred" is not in namespace "production": it exists only in "default", '
        '"staging" (test.yaml:3), and pods can use only Secrets of their own namespace'
    )
    assert finding.severity.label == "error"


def test_same_namespace_is_quiet():
    text = secret("regcred", {"cr.acme.example": entry()}) + deployment(
        "api", "cr.acme.example/api:1", ["regcred"]
    )
    assert found(text, RULE) == []
