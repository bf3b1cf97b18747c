from __future__ import annotations

from tests.unit_rules.secrets_helpers import deployment, entry, found, secret

RULE = "missing-pull-secret"


def test_full_message_with_evidence_from_other_workloads():
    text = secret("regcred", {"cr.acme.example": entry()})
    text += deployment("a", "cr.acme.example/a:1", ["regcred"]) + deployment(
        "b", "cr.acme.example/b:1", ["regcred"]
    )
    text += deployment("c", "cr.acme.example/c:1")
    [finding] = found(text, RULE)
    assert finding.message == (
        '"cr.acme.example/c:1" comes from cr.acme.example, which needs credentials (2 other '
        'workloads pulling from cr.acme.example use "regcred"), but this pod has no '
        'imagePullSecrets (unless its ServiceAccount "default" has one in the cluster)'
    )
    assert (finding.object.name, finding.severity.label) == ("c", "warning")


def test_public_registries_are_never_assumed_private():
    text = secret("regcred", {"ghcr.io": entry()})
    text += deployment("a", "ghcr.io/acme/a:1", ["regcred"]) + deployment("b", "ghcr.io/acme/b:1")
    assert found(text, RULE) == []


def test_private_registries_option():
    from imagelint.core.model import Settings
    from imagelint.running.engine import Engine

    text = deployment("a", "ghcr.io/acme/a:1")
    report = Engine(Settings(options={"private-registries": ["ghcr.io"]})).check_text(
        "x.yaml", text
    )
    [finding] = [f for f in report.findings if f.rule == RULE]
    assert "(ghcr.io is listed in private-registries)" in finding.message
