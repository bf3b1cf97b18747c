"""deprecated-registry reports dated facts only, quoting what happened, when and the source."""

from __future__ import annotations

import re

import pytest

from imagelint.images import catalog
from tests.unit_rules.helpers import findings, image_pod, messages

RULE = "deprecated-registry"
K8S_SOURCE = "https://kubernetes.io/blog/2023/02/06/k8s-gcr-io-freeze-announcement/"


def test_full_message_quotes_what_happened_when_and_the_source():
    [finding] = findings(image_pod("k8s.gcr.io/ingress-nginx/controller:v1.9.4"), RULE)
    assert finding.message == (
        'image "k8s.gcr.io/ingress-nginx/controller:v1.9.4": k8s.gcr.io was frozen on 2023-04-03 '
        "(nothing has been pushed to it since, so Kubernetes 1.27 and every later release exist "
        "only on registry.k8s.io, to which its pulls are redirected); use "
        f'"registry.k8s.io/ingress-nginx/controller:v1.9.4" (source: {K8S_SOURCE})'
    )
    assert (finding.line, finding.column, finding.severity.label) == (8, 15, "warning")


def test_a_moved_docker_hub_namespace_gets_its_new_path():
    assert messages("bitnami/postgresql:16.4.0", RULE) == [
        'image "bitnami/postgresql:16.4.0": docker.io/bitnami was moved on 2025-09-29 (Bitnami '
        "removed the versioned tags from docker.io/bitnami, keeping only a few hardened 'latest' "
        "images; the old tags live on, without updates, under docker.io/bitnamilegacy); use "
        '"bitnamilegacy/postgresql:16.4.0" (source: https://github.com/bitnami/containers/issues/83267)'
    ]


def test_a_registry_without_a_path_for_path_replacement():
    assert messages("docker.bintray.io/jfrog/artifactory-oss:6.0.0", RULE) == [
        'image "docker.bintray.io/jfrog/artifactory-oss:6.0.0": docker.bintray.io was shut down '
        "on 2021-05-01 (JFrog retired Bintray, its Docker repositories included, so nothing "
        "pulls from it any more); move to releases-docker.jfrog.io for JFrog's own images; other "
        "publishers moved to registries of their choice (source: "
        "https://jfrog.com/blog/into-the-sunset-bintray-jcenter-gocenter-and-chartcenter/)"
    ]


def test_a_project_whose_public_access_was_removed():
    # bench/corpus-extra/tektoncd__pipeline/examples/v1/taskruns/no-ci/git-*-multiple-repos.yaml
    assert messages(
        "gcr.io/tekton-releases/github.com/tektoncd/pipeline/cmd/git-init:latest", RULE
    ) == [
        'image "gcr.io/tekton-releases/github.com/tektoncd/pipeline/cmd/git-init:latest": '
        "gcr.io/tekton-releases was removed on 2025-07-10 (Tekton removed public access to its "
        "gcr.io project after moving its releases to the GitHub Container registry, so pulls from "
        "it fail with 403 Forbidden); move to ghcr.io/tektoncd (the same images; each release's "
        "release.yaml names their paths there) (source: "
        "https://github.com/tektoncd/pipeline/issues/8870)"
    ]


@pytest.mark.parametrize(
    "image",
    [
        # ../shared/corpus/real/knative__operator/cmd__operator__kodata__knative-serving__1.23.0__2-serving-core.yaml
        "gcr.io/knative-releases/knative.dev/serving/cmd/activator:v1.23.0",
        # ../shared/corpus/real/knative__serving/third_party__kourier-latest__kourier.yaml
        "gcr.io/knative-nightly/knative.dev/net-kourier/cmd/kourier:latest",
        # ../shared/corpus/real/DataDog__helm-charts/test__datadog-csi-driver__baseline__CSI_Driver_default.yaml
        "gcr.io/datadoghq/csi-driver:1.4.0",
        "us.gcr.io/acme/app:1.0",
        "eu.gcr.io/acme/app:1.0",
        "asia.gcr.io/acme/app:1.0",
        "registry.k8s.io/ingress-nginx/controller:v1.9.4",
        "bitnamilegacy/postgresql:16.4.0",
    ],
)
def test_gcr_io_as_such_is_not_deprecated(image):
    assert messages(image, RULE) == []


def test_the_underscore_spelling_of_google_containers_is_listed_too():
    [message] = messages("gcr.io/google_containers/pause:3.1", RULE)
    assert message.startswith(
        'image "gcr.io/google_containers/pause:3.1": gcr.io/google_containers was frozen on 2020-07-13 ('
    )
    assert 'use "registry.k8s.io/pause:3.1"' in message


def test_every_entry_is_a_dated_fact_with_a_source_and_a_replacement():
    entries = catalog.deprecations()
    assert entries
    for entry in entries:
        assert re.fullmatch(r"20[0-9]{2}-[01][0-9]-[0-3][0-9]", entry.date), entry.prefix
        assert entry.source.startswith("https://"), entry.prefix
        assert entry.status in ("frozen", "shut down", "moved", "removed", "replaced"), entry.prefix
        assert entry.event and entry.replacement and entry.note, entry.prefix
    assert {e.prefix for e in entries}.isdisjoint(
        {"gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io"}
    )
