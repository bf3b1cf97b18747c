"""imagelint.images.equivalence: names registries treat as one image, and host-typo evidence."""

from __future__ import annotations

import pytest

from imagelint.images.equivalence import (
    canonical_name,
    dockerhub_copy_of,
    host_typo_evidence,
    registry_family,
    same_registry,
    same_repository,
)


@pytest.mark.parametrize(
    "a, b",
    [
        # ../shared/corpus/real/kubernetes__examples/web__guestbook__legacy__frontend-controller.yaml
        ("gcr.io/google_samples/gb-frontend", "gcr.io/google-samples/gb-frontend"),
        ("gcr.io/google_containers/pause", "gcr.io/google-containers/pause"),
        ("us.gcr.io/my_project/app", "us.gcr.io/my-project/app"),
        ("registry.acme.io/shop/api", "registry.acme.io/shop/api"),
    ],
)
def test_same_repository(a, b):
    assert same_repository(a, b)


@pytest.mark.parametrize(
    "a, b",
    [
        # Only the project ID: image names below it keep their underscores.
        ("gcr.io/google-samples/gb_frontend", "gcr.io/google-samples/gb-frontend"),
        # Only Container Registry hosts.
        ("ghcr.io/acme_corp/app", "ghcr.io/acme-corp/app"),
        ("docker.io/acme_corp/app", "docker.io/acme-corp/app"),
        # Another project is another repository.
        ("gcr.io/google-samples/gb-frontend", "gcr.io/google-containers/gb-frontend"),
    ],
)
def test_different_repositories(a, b):
    assert not same_repository(a, b)


def test_canonical_name_leaves_other_names_alone():
    assert canonical_name("gcr.io/google_samples/gb_redis") == "gcr.io/google-samples/gb_redis"
    assert canonical_name("quay.io/a_b/c") == "quay.io/a_b/c"
    assert canonical_name("gcr.io") == "gcr.io"


@pytest.mark.parametrize(
    "a, b",
    [
        # ../shared/corpus/peer-fixtures/bridgecrewio__checkov/...PeerClientCertAuthTrue-FAILED.yaml
        ("b.gcr.io", "gcr.io"),
        ("us.gcr.io", "eu.gcr.io"),
        ("asia.gcr.io", "k8s.gcr.io"),
        ("us-central1-docker.pkg.dev", "europe-west1-docker.pkg.dev"),
        ("us-docker.pkg.dev", "asia-docker.pkg.dev"),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        ),
        ("docker.io", "index.docker.io"),
        ("registry-1.docker.io", "docker.io"),
        ("GCR.io", "gcr.io"),
    ],
)
def test_same_registry(a, b):
    assert same_registry(a, b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("gcr.io", "ghcr.io"),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "210987654321.dkr.ecr.us-east-1.amazonaws.com",
        ),
        ("registry.corp.com", "myregistry.corp.com"),
        ("quay.io", "docker.io"),
    ],
)
def test_different_registries(a, b):
    assert not same_registry(a, b)


def test_registry_family_keys():
    assert registry_family("b.gcr.io") == "gcr"
    assert registry_family("us-central1-docker.pkg.dev:443") == "artifact-registry"
    assert registry_family("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn") == "ecr:123456789012"
    assert registry_family("registry.acme.io") is None


@pytest.mark.parametrize(
    "host, path, hub",
    [
        # ../shared/corpus/peer-fixtures/FairwindsOps__polaris (beside nginx:latest)
        ("public.ecr.aws", "docker/library/nginx", "library/nginx"),
        ("mirror.gcr.io", "library/nginx", "library/nginx"),
        ("mirror.gcr.io", "grafana/grafana", "grafana/grafana"),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "docker-hub/library/redis",
            "library/redis",
        ),
        ("harbor.acme.io", "dockerhub/bitnami/redis", "bitnami/redis"),
        ("harbor.acme.io", "dockerhub/redis", "library/redis"),
        ("gitlab.acme.io", "group/dependency_proxy/containers/alpine", "library/alpine"),
        ("cache.acme.io", "proxy/library/nginx", "library/nginx"),
        ("index.docker.io", "library/nginx", "library/nginx"),
    ],
)
def test_docker_hub_copies(host, path, hub):
    assert dockerhub_copy_of(host, path) == hub


@pytest.mark.parametrize(
    "host, path",
    [
        ("public.ecr.aws", "eks-distro/kubernetes/pause"),  # ECR Public's own images
        ("public.ecr.aws", "docker/library/nginx/extra"),
        ("registry.acme.io", "shop/frontend"),
        ("registry.acme.io", "library/nginx"),  # two components: an ordinary repository
        ("ghcr.io", "acme/app"),
    ],
)
def test_not_docker_hub_copies(host, path):
    assert dockerhub_copy_of(host, path) is None


@pytest.mark.parametrize(
    "wrong, right",
    [
        ("registry.acme.oi", "registry.acme.io"),  # swapped letters
        ("regsitry.acme.io", "registry.acme.io"),
        ("registry.acme.io:5000", "registy.acme.io:5000"),
        ("harbr.acme.io", "harbor.acme.io"),
    ],
)
def test_host_typos(wrong, right):
    assert host_typo_evidence(wrong, right)


@pytest.mark.parametrize(
    "wrong, right",
    [
        # ../shared/corpus/peer-fixtures/kyverno__policies/other__replace-image-registry__.chainsaw-test__pods.yaml
        ("registry.corp.com", "myregistry.corp.com"),
        ("harbor-dev.acme.io", "harbor.acme.io"),
        ("b.gcr.io", "gcr.io"),  # a legacy Container Registry host
        ("us.gcr.io", "eu.gcr.io"),
        ("registry1.acme.io", "registry2.acme.io"),  # numbered siblings
        ("registry.acme.io", "registry.acme.io"),
        ("acr.io", "ecr.io"),  # too short to tell a slip from another name
        ("quay.example.com", "registry.example.com"),  # too far apart
    ],
)
def test_not_host_typos(wrong, right):
    assert not host_typo_evidence(wrong, right)


def test_host_typo_needs_a_yardstick_and_a_rare_wrong_host():
    assert host_typo_evidence("regsitry.acme.io", "registry.acme.io", 1, 3)
    assert host_typo_evidence("regsitry.acme.io", "registry.acme.io", 2, 10)
    # The right host is used for only one or two repositories: no yardstick.
    assert not host_typo_evidence("regsitry.acme.io", "registry.acme.io", 1, 2)
    # The wrong host is used for three repositories: typed on purpose.
    assert not host_typo_evidence("regsitry.acme.io", "registry.acme.io", 3, 30)
