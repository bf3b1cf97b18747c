from __future__ import annotations

from tests.unit_rules.secrets_helpers import b64, found, secret

RULE = "pull-secret-malformed"


def test_full_message_at_the_data():
    [finding] = found(secret("regcred", raw='{"cr.acme.example": {}}'), RULE)
    assert finding.message == (
        "pull secret \"regcred\": .dockerconfigjson has no 'auths' object (the kubelet finds no "
        "registry in it)"
    )
    assert (finding.line, finding.column, finding.severity.label) == (6, 23, "error")
    assert finding.object.kind == "Secret" and finding.object.name == "regcred"


def test_bad_base64_in_data():
    text = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: regcred, namespace: shop}\n"
        "type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: 'eyJ!'\n"
    )
    [finding] = found(text, RULE)
    assert finding.message == (
        'pull secret "regcred": data .dockerconfigjson is not valid base64, so the API server '
        "refuses the Secret"
    )


def test_auth_that_is_not_user_colon_password():
    [finding] = found(secret("regcred", {"cr.acme.example": {"auth": b64("no-colon")}}), RULE)
    assert finding.message == (
        "pull secret \"regcred\": .dockerconfigjson entry 'cr.acme.example' has an 'auth' that "
        "does not decode to user:password"
    )


def test_carvel_placeholders_are_filled_by_a_controller():
    text = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\n  namespace: shop\n"
        "  annotations: {secretgen.carvel.dev/image-pull-secret: ''}\n"
        "type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: e30K\n"
    )
    assert found(text, RULE) == []
