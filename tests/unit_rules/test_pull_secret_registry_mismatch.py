from __future__ import annotations

from tests.unit_rules.secrets_helpers import deployment, entry, found, secret

RULE = "pull-secret-registry-mismatch"


def test_full_message_names_what_is_covered():
    text = secret("regcred", {"cr.acme.example": entry(), "ghcr.io": entry()})
    text += deployment("api", "cr.partner.example/sync:1.2.0", ["regcred"])
    [finding] = found(text, RULE)
    assert finding.message == (
        "none of this pod's pull secrets covers cr.partner.example (regcred: cr.acme.example, "
        'ghcr.io), so "cr.partner.example/sync:1.2.0" is pulled without credentials'
    )
    assert (finding.line, finding.column, finding.field) == (
        18,
        18,
        "spec.template.spec.containers[0].image",
    )


def test_other_port_is_a_near_miss():
    text = secret("regcred", {"cr.acme.example:443": entry()}) + deployment(
        "api", "cr.acme.example/api:1", ["regcred"]
    )
    [finding] = found(text, RULE)
    assert (
        'the entry "cr.acme.example:443" is not matched to cr.acme.example by the kubelet (the ports differ)'
        in finding.message
    )


def test_public_images_need_no_coverage():
    text = secret("regcred", {"cr.acme.example": entry()}) + deployment(
        "api", "nginx:1.27", ["regcred"]
    )
    assert found(text, RULE) == []


def test_private_registries_option_makes_a_public_host_count():
    from imagelint.core.model import Settings
    from imagelint.running.engine import Engine

    text = secret("regcred", {"cr.acme.example": entry()}) + deployment(
        "api", "ghcr.io/acme/api:1", ["regcred"]
    )
    engine = Engine(Settings(options={"private-registries": ["ghcr.io/acme"]}))
    assert [f.rule for f in engine.check_text("x.yaml", text).findings if f.rule == RULE] == [RULE]
