from __future__ import annotations

from tests.unit_rules.secrets_helpers import deployment, entry, found, secret

RULE = "pull-secret-wrong-type"


def test_opaque_full_message():
    text = secret("regcred", {"cr.acme.example": entry()}, type_="Opaque") + deployment(
        "api", "cr.acme.example/api:1", ["regcred"]
    )
    [finding] = found(text, RULE)
    assert finding.message == (
        'pull secret "regcred" (test.yaml:3) has type Opaque; the kubelet reads credentials only '
        "from kubernetes.io/dockerconfigjson (key .dockerconfigjson), kubernetes.io/dockercfg "
        "(key .dockercfg)"
    )


def test_type_and_key_disagree():
    text = secret("regcred", {"cr.acme.example": entry()}, type_="kubernetes.io/dockercfg")
    text += deployment("api", "cr.acme.example/api:1", ["regcred"])
    [finding] = found(text, RULE)
    assert finding.message.endswith(
        "has type kubernetes.io/dockercfg but no .dockercfg key (it has .dockerconfigjson), so "
        "the API server refuses it"
    )


def test_sealed_secret_without_template_type():
    text = (
        "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: regcred, namespace: shop}\n"
        "spec:\n  encryptedData: {.dockerconfigjson: AgB}\n---\n"
    ) + deployment("api", "cr.acme.example/api:1", ["regcred"])
    [finding] = found(text, RULE)
    assert "(made by SealedSecret at test.yaml:3) has type Opaque" in finding.message
