from __future__ import annotations

from tests.unit_rules.secrets_helpers import deployment, entry, found, secret

RULE = "unused-pull-secret"


def test_full_message():
    text = secret("old", {"cr.acme.example": entry()}) + secret(
        "regcred", {"cr.acme.example": entry()}
    )
    text += deployment("api", "cr.acme.example/api:1", ["regcred"])
    [finding] = found(text, RULE)
    assert finding.message == (
        'pull secret "old" (kubernetes.io/dockerconfigjson) is not named in the imagePullSecrets '
        'of any pod or ServiceAccount of namespace "shop" in this run'
    )
    assert (finding.line, finding.column, finding.severity.label) == (3, 18, "info")


def test_opaque_secrets_are_not_pull_secrets():
    assert found(secret("token", {"a.io": entry()}, type_="Opaque"), RULE) == []
