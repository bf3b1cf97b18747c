"""missing-registry warns only on evidence that the image is not on Docker Hub (issue 17)."""

from __future__ import annotations

import pytest

from imagelint.core.model import Settings
from imagelint.running.engine import Engine
from tests.unit_rules.helpers import findings, image_pod, messages
from tests.unit_rules.secrets_helpers import deployment, entry, found, secret

RULE = "missing-registry"


def _run(*documents: str, **options) -> list[str]:
    text = "---\n".join(documents)
    report = Engine(Settings(options=options)).check_text("test.yaml", text)
    return [f.message for f in report.findings if f.rule == RULE]


def test_full_message_for_a_single_name_that_is_no_official_image():
    [finding] = findings(image_pod("checkout:3.1.0"), RULE)
    assert finding.message == (
        'image "checkout:3.1.0" names no registry, so it is pulled from Docker Hub as '
        'docker.io/library/checkout, but "checkout" is not a Docker Official Image, the only '
        "images Docker Hub serves under a single name; write the registry host, or "
        '"docker.io/checkout:3.1.0" if Docker Hub is meant'
    )
    assert (finding.line, finding.column, finding.severity.label) == (8, 15, "warning")


def test_the_same_path_on_a_private_host_is_named():
    messages = _run(
        deployment("a", "shop/frontend:2.1"), deployment("b", "registry.acme.io/shop/frontend:2.1")
    )
    assert messages == [
        'image "shop/frontend:2.1" names no registry, so it resolves to Docker Hub '
        "(docker.io/shop/frontend), but registry.acme.io/shop/frontend is pulled at test.yaml:20; "
        'did you mean "registry.acme.io/shop/frontend:2.1"?'
    ]


def test_a_single_name_points_at_the_same_name_on_any_host():
    # ../shared/corpus/real/GoogleCloudPlatform__microservices-demo: 'frontend' beside the
    # Artifact Registry image the project publishes.
    messages = _run(
        deployment("a", "frontend"),
        deployment(
            "b", "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/frontend:v1"
        ),
    )
    assert messages == [
        'image "frontend" names no registry, so it resolves to Docker Hub (docker.io/library/'
        "frontend), but us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/frontend "
        'is pulled at test.yaml:20; did you mean "us-central1-docker.pkg.dev/online-boutique-ci/'
        'microservices-demo/frontend"?'
    ]


@pytest.mark.parametrize(
    "image",
    [
        # ../shared/corpus/real/kubernetes-sigs__kustomize/examples__ldap__base__deployment.yaml
        "osixia/openldap:1.1.11",
        # ../shared/corpus/real/argoproj__argo-rollouts/test__e2e__istio__load-test-job.yaml
        "argoproj/load-tester:latest",
        # ../shared/corpus/real/kubernetes__examples/_archived__storage__vitess__guestbook-controller.yaml
        "vitess/guestbook:v2.0.0-alpha5",
        "nginx:1.27.2",  # a Docker Official Image
        "bitnami/redis:7.4.1",  # a well-known Docker Hub repository
        "docker.io/acme/app:1.0",  # Docker Hub written out
    ],
)
def test_docker_hub_images_without_evidence_are_quiet(image):
    assert messages(image, RULE) == []


def test_a_namespaced_copy_on_a_public_registry_is_no_evidence():
    # Projects publish to Docker Hub and quay.io or ghcr.io under the same path.
    assert _run(deployment("a", "acme/app:1.0"), deployment("b", "quay.io/acme/app:1.0")) == []


@pytest.mark.parametrize(
    "mirror",
    [
        # ../shared/corpus/peer-fixtures/FairwindsOps__polaris: nginx:latest beside ECR Public's copy
        "public.ecr.aws/docker/library/nginx:latest",
        "mirror.gcr.io/library/nginx:latest",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/docker-hub/library/nginx:latest",
        # ../shared/corpus/peer-fixtures/kyverno__policies/other__prepend-image-registry: a rewrite target
        "registry.io/nginx:latest",
    ],
)
def test_mirrors_and_copies_of_docker_hub_images_are_no_evidence(mirror):
    assert _run(deployment("a", "nginx:latest"), deployment("b", mirror)) == []


def test_a_docker_hub_cache_is_never_suggested():
    messages = _run(
        deployment("a", "shopcart:1.0"), deployment("b", "harbor.acme.io/dockerhub/shopcart:1.0")
    )
    assert messages == [
        'image "shopcart:1.0" names no registry, so it is pulled from Docker Hub as '
        'docker.io/library/shopcart, but "shopcart" is not a Docker Official Image, the only images '
        'Docker Hub serves under a single name; write the registry host, or "docker.io/shopcart:1.0" '
        "if Docker Hub is meant"
    ]


def test_three_components_cannot_be_on_docker_hub():
    assert messages("shop/team/api:1.0", RULE) == [
        'image "shop/team/api:1.0" names no registry, so it is pulled from Docker Hub as '
        "docker.io/shop/team/api, but Docker Hub repositories have two path components "
        '(namespace/name); write the registry host, or "docker.io/shop/team/api:1.0" if Docker '
        "Hub is meant"
    ]


def test_a_stand_in_namespace():
    # ../shared/corpus/real/kubernetes-sigs__kustomize/kyaml__fn__framework__testdata__patch-selector__kindselector__expected.yaml
    assert messages("example/sidecar:b", RULE) == [
        'image "example/sidecar:b" names no registry, so it is pulled from Docker Hub as '
        'docker.io/example/sidecar, but "example" is a stand-in namespace, not a Docker Hub '
        'account; write the registry host, or "docker.io/example/sidecar:b" if Docker Hub is meant'
    ]


def test_pull_secrets_for_other_registries_only():
    text = secret("regcred", {"registry.acme.io": entry()}) + deployment(
        "api", "shop/api:2.4.1", secrets=["regcred"]
    )
    assert [f.message for f in found(text, RULE)] == [
        'image "shop/api:2.4.1" names no registry, so it is pulled from Docker Hub as '
        "docker.io/shop/api, but this pod's pull secrets cover other registries, not Docker Hub "
        '(regcred: registry.acme.io); write the registry host, or "docker.io/shop/api:2.4.1" if '
        "Docker Hub is meant"
    ]


def test_pull_secrets_covering_docker_hub_are_no_evidence():
    text = secret("regcred", {"registry.acme.io": entry(), "docker.io": entry()}) + deployment(
        "api", "shop/api:2.4.1", secrets=["regcred"]
    )
    assert found(text, RULE) == []


def test_private_registries_naming_the_path():
    assert _run(
        deployment("api", "shop/api:2.4.1"), **{"private-registries": ["registry.acme.io/shop"]}
    ) == [
        'image "shop/api:2.4.1" names no registry, so it is pulled from Docker Hub as '
        'docker.io/shop/api, but private-registries lists "registry.acme.io/shop", the same path '
        'on a private registry; write the registry host, or "docker.io/shop/api:2.4.1" if Docker '
        "Hub is meant"
    ]


def test_a_listed_private_registry_holding_the_namespace():
    messages = _run(
        deployment("api", "shop/api:2.4.1"),
        deployment("web", "registry.acme.io/shop/web:1.0"),
        **{"private-registries": ["registry.acme.io"]},
    )
    assert messages == [
        'image "shop/api:2.4.1" names no registry, so it is pulled from Docker Hub as '
        "docker.io/shop/api, but registry.acme.io (listed in private-registries) holds shop/web, "
        "of the same namespace, pulled at test.yaml:20; write the registry host, or "
        '"docker.io/shop/api:2.4.1" if Docker Hub is meant'
    ]


def test_a_private_docker_hub_namespace_is_docker_hub():
    assert (
        _run(deployment("api", "shop/api:2.4.1"), **{"private-registries": ["docker.io/shop"]})
        == []
    )
