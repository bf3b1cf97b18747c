from __future__ import annotations

from imagelint.online.answers import (
    AUTH_REFUSED,
    AUTH_REQUIRED,
    DENIED,
    FOUND,
    HUB_UNKNOWN,
    Attempt,
)
from tests.unit_rules.helpers import image_pod
from tests.unit_rules.online_helpers import answer, online_findings

RULE = "registry-auth-failed"
IMAGE = "registry.acme.io/shop/api:2.4.1"


def found(said):
    return online_findings(image_pod(IMAGE), RULE, {IMAGE: said})


def test_refused_pull_secret_full_message():
    said = answer(AUTH_REFUSED, IMAGE, credential="pull secret shop/regcred")
    [finding] = found(said)
    assert finding.message == (
        "registry.acme.io refused the credentials of pull secret shop/regcred (wrong user name "
        "or password, or expired), so registry.acme.io/shop/api:2.4.1 cannot be pulled"
    )
    assert (finding.severity.label, finding.line, finding.column) == ("error", 8, 15)


def test_refused_pull_secret_while_the_users_login_works():
    said = answer(
        FOUND,
        IMAGE,
        credential="~/.docker/config.json",
        credential_from_pod=False,
        attempts=(Attempt("pull secret shop/regcred", AUTH_REFUSED, True),),
    )
    [finding] = found(said)
    assert finding.message == (
        "registry.acme.io refused the credentials of pull secret shop/regcred (wrong user name "
        "or password, or expired); the image exists (asked with ~/.docker/config.json), so the "
        "pull fails on every node that has no credentials of its own for it"
    )


def test_demanded_and_the_pod_has_none():
    [finding] = found(answer(AUTH_REQUIRED, IMAGE))
    assert finding.message == (
        "registry.acme.io demands credentials, and the pod has no pull secret that the kubelet "
        "sends there, so registry.acme.io/shop/api:2.4.1 cannot be pulled"
    )


def test_denied_scope():
    [finding] = found(answer(DENIED, IMAGE, credential="pull secret shop/robot"))
    assert "gave pull secret shop/robot no pull access to registry.acme.io/shop/api" in (
        finding.message
    )


def test_private_docker_hub_image_the_user_can_read():
    said = answer(
        FOUND,
        "docker.io/acme/api:2",
        registry="registry-1.docker.io",
        credential="~/.docker/config.json",
        credential_from_pod=False,
        attempts=(Attempt("", HUB_UNKNOWN, True),),
    )
    [finding] = online_findings(image_pod("acme/api:2"), RULE, {"acme/api:2": said})
    assert finding.message.startswith(
        "registry-1.docker.io answers 401 to anonymous pulls (a private repository, or none at "
        "all), and the pod has no pull secret for docker.io; the image exists"
    )


def test_secrets_outside_the_manifests_make_it_a_warning():
    said = answer(AUTH_REQUIRED, IMAGE, unknown_secrets=("regcred",))
    [finding] = found(said)
    assert finding.severity.label == "warning"
    assert finding.message == (
        "could not check registry.acme.io/shop/api:2.4.1: registry.acme.io demands credentials, "
        'and the pod\'s pull secrets ("regcred") are not in the manifests; give imagelint a '
        "login for it (docker login) or add the Secrets with --context"
    )


def test_unknown_secrets_and_a_refused_login_is_a_warning():
    said = answer(
        AUTH_REFUSED,
        IMAGE,
        credential="~/.docker/config.json",
        credential_from_pod=False,
        unknown_secrets=("regcred",),
        attempts=(Attempt("", AUTH_REQUIRED, True),),
    )
    [finding] = found(said)
    assert finding.severity.label == "warning"
    assert finding.message == (
        "could not check registry.acme.io/shop/api:2.4.1: registry.acme.io demands credentials, "
        'and the pod\'s pull secrets ("regcred") are not in the manifests; it refused the '
        "credentials of ~/.docker/config.json (wrong user name or password, or expired); give "
        "imagelint a login for it (docker login) or add the Secrets with --context"
    )


def test_docker_hubs_anonymous_401_alone_is_left_to_repository_not_found():
    said = answer(HUB_UNKNOWN, "docker.io/acme/api:2", registry="registry-1.docker.io")
    assert online_findings(image_pod("acme/api:2"), RULE, {"acme/api:2": said}) == []


def test_found_with_the_pods_credentials_is_clean():
    assert found(answer(FOUND, IMAGE, credential="pull secret shop/regcred")) == []
