from __future__ import annotations

from tests.unit_rules.secrets_helpers import deployment, entry, found, secret

RULE = "pull-secret-not-found"


def test_full_message_with_suggestion_at_the_name():
    text = secret("regcred", {"cr.acme.example": entry()}) + deployment(
        "api", "cr.acme.example/api:1", ["regcreds"]
    )
    [finding] = found(text, RULE)
    assert finding.message == (
        'pull secret "regcreds" does not exist in namespace "shop" (nor anywhere else in this run), '
        'so the kubelet pulls without it; did you mean "regcred"?'
    )
    assert (finding.line, finding.column, finding.severity.label) == (15, 17, "error")
    assert finding.field == "spec.template.spec.imagePullSecrets[0].name"
    assert finding.object.name == "api"


def test_service_account_entry_is_the_position():
    text = secret("regcred", {"cr.acme.example": entry()})
    text += "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: builder, namespace: shop}\nimagePullSecrets:\n  - name: missing\n---\n"
    text += deployment("a", "cr.acme.example/a:1", account="builder") + deployment(
        "b", "cr.acme.example/b:1", account="builder"
    )
    [finding] = found(text, RULE)  # one entry, one finding, whichever pods use it
    assert (finding.line, finding.object.kind, finding.field) == (
        12,
        "ServiceAccount",
        "imagePullSecrets[0].name",
    )


def test_declared_external_secrets_count_as_present():
    from imagelint.core.model import Settings
    from imagelint.running.engine import Engine

    text = secret("regcred", {"cr.acme.example": entry()}) + deployment(
        "api", "cr.acme.example/api:1", ["vault-pull"]
    )
    report = Engine(Settings(options={"external-secrets": ["shop/vault-*"]})).check_text(
        "x.yaml", text
    )
    assert [f for f in report.findings if f.rule == RULE] == []
