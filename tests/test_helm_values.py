"""imagelint.trees.helm: a chart's values files as ChartValues objects, each value naming the
line that set it (tests/data/trees/helm/, and two real charts in tests/data/helm-real/)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from ruamel.yaml.nodes import Node

from imagelint.reading.yamlnodes import as_mapping, as_sequence, string_value
from imagelint.trees.helm import chart_builds, is_chart
from imagelint.trees.origins import Build, SplicedScalar, file_of
from tests.helpers import ROOT

HELM = ROOT / "tests" / "data" / "trees" / "helm"
REAL = ROOT / "tests" / "data" / "helm-real"


def builds(case: str) -> dict[str, Build]:
    """The builds of a fixture chart by their ``via``, the chart shown as ``<case>``."""
    return {build.via: build for build in chart_builds(str(HELM / case), case)}


def objects(build: Build) -> dict[str, Node]:
    """The build's ChartValues objects by metadata.name."""
    found = {}
    for document in build.documents:
        fields = as_mapping(document)
        assert fields is not None
        assert fields.text("apiVersion") == "imagelint.dev/v1"
        assert fields.text("kind") == "ChartValues"
        metadata = as_mapping(fields.get("metadata"))
        assert metadata is not None
        name = metadata.text("name")
        assert name is not None
        found[name] = document
    return found


def _spec(document: Node):
    fields = as_mapping(document)
    assert fields is not None
    spec = as_mapping(fields.get("spec"))
    assert spec is not None
    return spec


def containers(document: Node) -> dict[str, Node]:
    """container name (the values path) -> its mapping node."""
    result = {}
    for item in as_sequence(_spec(document).get("containers")):
        fields = as_mapping(item)
        assert fields is not None
        name = fields.text("name")
        assert name is not None
        result[name] = item
    return result


def images(document: Node) -> dict[str, str]:
    """container name -> composed image string."""
    result = {}
    for name, item in containers(document).items():
        fields = as_mapping(item)
        assert fields is not None
        result[name] = string_value(fields.get("image"))
    return result


def image_node(document: Node, name: str) -> Node:
    fields = as_mapping(containers(document)[name])
    assert fields is not None
    node = fields.get("image")
    assert node is not None
    return node


def at(node: Node) -> tuple[str | None, int]:
    """A node's file (relative to the fixture folder's parent) and 1-based line."""
    return file_of(node), node.start_mark.line + 1


def parts(node: Node) -> list[tuple[str, str | None, int]]:
    """Each part of a composed image: its text, the file and line that wrote it."""
    if not isinstance(node, SplicedScalar):
        return [(node.value, *at(node))]
    starts = [start for start, _, _ in node.parts] + [len(node.value)]
    result = []
    for (start, part, _), end in zip(node.parts, starts[1:], strict=True):
        result.append((node.value[start:end], *at(part)))
    return result


def secrets(document: Node) -> list[tuple[str, str | None, int]]:
    result = []
    for item in as_sequence(_spec(document).get("imagePullSecrets")):
        fields = as_mapping(item)
        assert fields is not None
        name = fields.get("name")
        assert name is not None
        result.append((name.value, *at(name)))
    return result


def policies(document: Node) -> dict[str, tuple[str, str | None, int]]:
    result = {}
    for name, item in containers(document).items():
        fields = as_mapping(item)
        assert fields is not None
        policy = fields.get("imagePullPolicy")
        if policy is not None:
            result[name] = (policy.value, *at(policy))
    return result


def problems(build: Build) -> list[tuple[str, str, int, int, str]]:
    return [(d, p.rule, p.line, p.column, p.message) for d, p in build.problems]


# -- finding charts -------------------------------------------------------------------------


def test_is_chart():
    assert is_chart(str(HELM / "variants"))
    assert is_chart(str(HELM / "subchart" / "charts" / "redis"))
    assert not is_chart(str(HELM))
    assert not is_chart(str(HELM / "variants" / "ci"))


# -- where charts put images ----------------------------------------------------------------


def test_whole_strings():
    (build,) = builds("whole-strings").values()
    (document,) = objects(build).values()
    assert images(document) == {
        "image": "registry.acme.io/web/frontend:2.0.0",
        "sidecars[0].image": "registry.acme.io/mirror/envoy:v1.29.1",
        "sidecars[1].image": "registry.acme.io/mirror/fluent-bit:3.0.4",
        "worker.initImage": "registry.acme.io/mirror/busybox:1.36.1",
    }  # a templated ("{{ ... }}"), empty or null image makes none
    values = "whole-strings/values.yaml"
    # A whole string is the values node itself, at its own line.
    assert parts(image_node(document, "sidecars[0].image")) == [
        ("registry.acme.io/mirror/envoy:v1.29.1", values, 6)
    ]
    assert policies(document) == {
        "image": ("IfNotPresent", values, 3),
        "sidecars[0].image": ("Always", values, 7),
    }
    fields = as_mapping(document)
    assert fields is not None
    metadata = as_mapping(fields.get("metadata"))
    assert metadata is not None
    name = metadata.get("name")
    assert name is not None and at(name) == ("whole-strings/Chart.yaml", 2)


def test_maps_at_any_depth_and_not_images():
    (build,) = builds("maps-at-depth").values()
    (document,) = objects(build).values()
    assert images(document) == {
        "controller.image": "registry.acme.io/platform/controller:3.1.0",
        "sidecars.proxy.image": "registry.acme.io/mirror/envoy:v1.29.1",
        "jobs[0].image": "registry.acme.io/platform/migrate:3.1.0",
        "jobs[1].image": "registry.acme.io/platform/seed:3.1.0",  # name instead of repository
        # Under a key that says nothing of images: with a pullPolicy, registry or digest.
        "kubectl": "registry.acme.io/mirror/kubectl:v1.30.2",
    }  # not: pullPolicy alone, tag alone, empty repository, a chart repository URL, a bare
    # repository or repository + tag (a git source's) under a key that is no image, anything
    # under enabled: false
    values = "maps-at-depth/values.yaml"
    assert parts(image_node(document, "controller.image")) == [
        ("registry.acme.io/", values, 3),
        ("platform/controller:", values, 4),
        ("3.1.0", values, 5),
    ]
    assert parts(image_node(document, "jobs[1].image")) == [
        ("registry.acme.io/platform/seed:", values, 19),
        ("3.1.0", values, 20),
    ]
    assert policies(document) == {
        "controller.image": ("IfNotPresent", values, 6),
        "kubectl": ("IfNotPresent", values, 24),
    }


def test_global_registry_app_version_and_pull_secrets():
    (build,) = builds("global-registry").values()
    (document,) = objects(build).values()
    assert images(document) == {
        "image": "registry.acme.io/bitnami/nginx:1.25.3-debian-12-r0",
        "metrics.image": "registry.acme.io/bitnami/nginx-exporter:1.25.3",
    }
    values, chart = "global-registry/values.yaml", "global-registry/Chart.yaml"
    # global.imageRegistry wins over the image's own registry (Bitnami's common.images.image).
    assert parts(image_node(document, "image")) == [
        ("registry.acme.io/", values, 2),
        ("bitnami/nginx:", values, 7),
        ("1.25.3-debian-12-r0", values, 8),
    ]
    # An empty tag is Chart.yaml's appVersion, at its line.
    node = image_node(document, "metrics.image")
    assert parts(node) == [
        ("registry.acme.io/", values, 2),
        ("bitnami/nginx-exporter:", values, 17),
        ("1.25.3", chart, 4),
    ]
    assert isinstance(node, SplicedScalar)
    tag_node, inner = node.part_at(node.value.index("1.25.3"))
    assert (at(tag_node), inner) == ((chart, 4), 0)
    # Both forms (strings and {name:}), global and per image, each name once, in order.
    assert secrets(document) == [
        ("regcred", values, 4),
        ("mirror-cred", values, 12),
        ("shop-pull", values, 21),
    ]


def test_digest_conventions():
    (build,) = builds("digests").values()
    (document,) = objects(build).values()
    digest = "sha256:4b2a06c3b3b24b0a1e2d29b5b1f7a5d0b2e2e0d6f3c1a9b8c7d6e5f4a3b2c1d0"
    nginx = "sha256:42b3f0e5d0846876b1791cd3afeb5f1cbbe4259d6f35651dcc1b5c980925379c"
    sha = "0a9d5c7e2b8f1a3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4"
    assert images(document) == {
        "webhook.image": f"quay.io/jetstack/cert-manager-webhook@{digest}",
        "controller.image": f"registry.k8s.io/ingress-nginx/controller:v1.10.0@{nginx}",
        "grafana.image": f"docker.io/grafana/grafana:v1.14.4@sha256:{sha}",
        "agent.image": "quay.io/cilium/cilium:v1.15.3",  # useDigest: false
    }
    values = "digests/values.yaml"
    assert parts(image_node(document, "webhook.image")) == [
        ("quay.io/jetstack/cert-manager-webhook@", values, 4),
        (digest, values, 6),
    ]
    assert parts(image_node(document, "controller.image")) == [
        ("registry.k8s.io/", values, 10),
        ("ingress-nginx/controller:", values, 11),
        ("v1.10.0@", values, 12),
        (nginx, values, 13),
    ]
    assert parts(image_node(document, "grafana.image"))[-2:] == [
        ("v1.14.4@sha256:", "digests/Chart.yaml", 4),
        (sha, values, 20),
    ]


# -- variants -------------------------------------------------------------------------------


def test_variants_layer_over_values_yaml():
    found = builds("variants")
    assert list(found) == [
        "variants",
        "variants (values-prod.yaml)",
        "variants (values.staging.yaml)",
        "variants (ci/test-values.yaml)",
    ]
    assert [build.display for build in found.values()] == [
        "variants/values.yaml",
        "variants/values-prod.yaml",
        "variants/values.staging.yaml",
        "variants/ci/test-values.yaml",
    ]
    base = objects(found["variants"])["api"]
    assert images(base) == {
        "image": "registry.acme.io/shop/api:1.4.2",
        "cache.image": "registry.acme.io/mirror/redis:7.2.4",
        "extraContainers[0].image": "registry.acme.io/shop/audit:1.0.0",
    }
    # prod: tag set over the empty one, `cache: null` deletes it, a list replaces the list.
    prod = objects(found["variants (values-prod.yaml)"])["api"]
    assert images(prod) == {
        "image": "registry.acme.io/shop/api:1.4.3",
        "extraContainers[0].image": "registry.acme.io/shop/shipper:2.1.0",
    }
    assert parts(image_node(prod, "image")) == [
        ("registry.acme.io/shop/api:", "variants/values.yaml", 2),
        ("1.4.3", "variants/values-prod.yaml", 2),
    ]
    assert secrets(prod) == [("prod-cred", "variants/values-prod.yaml", 8)]
    staging = objects(found["variants (values.staging.yaml)"])["api"]
    assert parts(image_node(staging, "image")) == [
        ("registry.acme.io/shop/api-staging:", "variants/values.staging.yaml", 2),
        ("1.4.2", "variants/Chart.yaml", 4),
    ]
    test = objects(found["variants (ci/test-values.yaml)"])["api"]
    assert images(test)["cache.image"] == "registry.acme.io/mirror/redis:7.2.5"
    assert policies(test)["image"] == ("Always", "variants/ci/test-values.yaml", 2)
    assert secrets(test) == [("regcred", "variants/values.yaml", 13)]
    folder = HELM / "variants"
    assert found["variants (ci/test-values.yaml)"].read == {
        os.path.realpath(folder / name)
        for name in ("Chart.yaml", "values.yaml", "ci/test-values.yaml")
    }
    assert sorted(found["variants (values-prod.yaml)"].files) == [
        "variants/Chart.yaml",
        "variants/values-prod.yaml",
        "variants/values.yaml",
    ]
    for build in found.values():
        assert build.problems == [] and build.notes == []


def test_layering_never_changes_a_loaded_node():
    found = builds("variants")
    base = found["variants"].files["variants/values.yaml"].documents[0].node
    assert [key.value for key, _ in base.value] == [
        "image",
        "cache",
        "extraContainers",
        "imagePullSecrets",
    ]
    image = as_mapping(base.value[0][1])
    assert image is not None and image.text("tag") == ""


# -- subcharts ------------------------------------------------------------------------------


def test_subcharts_take_the_parents_overrides_and_globals():
    (build,) = builds("subchart").values()
    found = objects(build)
    # metrics: its condition is false; packed-1.0.0.tgz: skipped, no error.
    assert list(found) == ["store", "redis", "jobs"]
    # The parent's sections for its subcharts are not the parent's images.
    assert images(found["store"]) == {"image": "registry.acme.io/store/web:5.0.0"}
    assert images(found["redis"]) == {"image": "registry.acme.io/bitnami/redis:7.2.5"}
    assert parts(image_node(found["redis"], "image")) == [
        ("registry.acme.io/", "subchart/values.yaml", 2),  # the parent's global
        ("bitnami/redis:", "subchart/charts/redis/values.yaml", 5),
        ("7.2.5", "subchart/values.yaml", 9),  # the parent's override
    ]
    # An alias: the values under `jobs`, the subchart's own appVersion.
    assert parts(image_node(found["jobs"], "image")) == [
        ("registry.acme.io/", "subchart/values.yaml", 2),
        ("store/jobs:", "subchart/values.yaml", 12),
        ("0.9.0", "subchart/charts/worker/Chart.yaml", 4),
    ]
    metadata = as_mapping(as_mapping(found["jobs"]).get("metadata"))  # type: ignore[union-attr]
    assert metadata is not None
    name = metadata.get("name")
    assert name is not None and at(name) == ("subchart/Chart.yaml", 11)
    folder = HELM / "subchart"
    assert os.path.realpath(folder / "charts/worker/values.yaml") in build.read
    assert not any("metrics" in path or "packed" in path for path in build.read)
    assert build.problems == []


# -- broken charts --------------------------------------------------------------------------


def test_broken_values_files():
    found = builds("broken")
    assert list(found) == ["broken", "broken (values-list.yaml)"]
    syntax = (
        "broken/values.yaml",
        "yaml-syntax",
        5,
        70,
        "YAML syntax error: expected ',' or ']', but got '<stream end>' (while parsing a "
        "flow sequence at line 5)",
    )
    assert problems(found["broken"]) == [syntax]
    assert problems(found["broken (values-list.yaml)"]) == [
        syntax,
        (
            "broken/values-list.yaml",
            "broken-chart",
            1,
            1,
            "values-list.yaml is a list, not a mapping of values: Helm refuses it ('cannot "
            "unmarshal ... into Go value of type map[string]interface {}')",
        ),
    ]
    for build in found.values():
        assert [images(document) for document in build.documents] == [{}]


def test_broken_chart_yaml_keeps_the_values_checked():
    (build,) = builds("broken-chart-file").values()
    assert problems(build) == [
        (
            "broken-chart-file/Chart.yaml",
            "broken-chart",
            2,
            39,
            "Chart.yaml is not valid YAML (YAML syntax error: did not find expected ',' or "
            "']' (while parsing a flow sequence at line 2)): Helm refuses to load the chart",
        )
    ]
    found = objects(build)
    assert list(found) == ["broken-chart-file"]  # the folder's name stands for its name
    assert images(found["broken-chart-file"]) == {"image": "registry.acme.io/misc/app:1.0.0"}


def _chart(folder: Path, chart: str, values: str | None = None) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Chart.yaml").write_text(chart)
    if values is not None:
        (folder / "values.yaml").write_text(values)
    return str(folder)


def test_chart_yaml_not_a_mapping_and_no_values_file(tmp_path):
    folder = _chart(tmp_path / "odd", "- name: odd\n")
    (build,) = chart_builds(folder, "odd")
    assert build.display == "odd/Chart.yaml" and build.via == "odd"
    assert problems(build) == [
        (
            "odd/Chart.yaml",
            "broken-chart",
            1,
            1,
            "Chart.yaml is a list, not a mapping: Helm refuses to load the chart",
        )
    ]
    assert list(objects(build)) == ["odd"]


def test_a_values_file_linked_from_outside_is_not_read(tmp_path):
    outside = tmp_path / "secret.yaml"
    outside.write_text("image: registry.acme.io/x:1\n")
    folder = _chart(tmp_path / "c", "name: c\n", "image: registry.acme.io/c:1\n")
    os.symlink(outside, tmp_path / "c" / "values-evil.yaml")
    base, evil = chart_builds(folder, "c")
    assert evil.via == "c (values-evil.yaml)"
    assert problems(evil) == [
        (
            "c/values-evil.yaml",
            "broken-chart",
            1,
            1,
            "values-evil.yaml is a symbolic link to a file outside the chart: not read "
            "(imagelint reads nothing outside the folder it checks)",
        )
    ]
    assert str(outside) not in evil.read
    assert images(evil.documents[0]) == {"image": "registry.acme.io/c:1"}


def test_display_dot_and_numbers_as_tags(tmp_path):
    folder = _chart(
        tmp_path / "n",
        "name: n\nappVersion: 1.10\n",
        "image:\n  repository: registry.acme.io/n\n  tag:\nother:\n  image:\n"
        "    repository: registry.acme.io/o\n    tag: 2\n",
    )
    (build,) = chart_builds(folder, ".")
    assert build.display == "values.yaml" and build.via == "."
    (document,) = build.documents
    # Tags as written (Helm prints the number 1.10 as 1.1: not modelled).
    assert images(document) == {
        "image": "registry.acme.io/n:1.10",
        "other.image": "registry.acme.io/o:2",
    }
    assert file_of(image_node(document, "other.image")) == "values.yaml"


def test_dependency_conditions_read_yaml_booleans(tmp_path):
    folder = _chart(
        tmp_path / "p",
        "name: p\ndependencies:\n  - name: s\n    condition: s.on,global.s\n",
        "s:\n  on: 'false'\nglobal:\n  s: no\n",
    )
    _chart(tmp_path / "p" / "charts" / "s", "name: s\n", "image: registry.acme.io/s:1\n")
    (build,) = chart_builds(folder, "p")
    # 'false' quoted is a string, not a boolean: the next path (YAML 1.1 `no`) decides.
    assert list(objects(build)) == ["p"]


# -- real charts: what `helm template` renders with their default values ---------------------


def test_ingress_nginx_chart():
    (build,) = chart_builds(str(REAL / "ingress-nginx"), "ingress-nginx")
    assert build.problems == []
    (document,) = build.documents
    # Written by reading the chart's templates (tests/data/helm-real/ingress-nginx/SOURCE.md):
    # controller-deployment.yaml renders `{{ .registry }}/{{ .image }}:{{ .tag }}@{{ .digest }}`
    # of controller.image merged with global.image; the two admission-webhook jobs render the
    # same for controller.admissionWebhooks.patch.image; defaultBackend is disabled.
    assert sorted(images(document).values()) == [
        "registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:"
        "594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1",
        "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.9@sha256:"
        "01038e7de14b78d702d2849c3aad72fd25903c4765af63cf16aa3398f5d5f2dd",
    ]
    assert secrets(document) == []
    assert parts(image_node(document, "controller.image"))[0] == (
        "registry.k8s.io/",
        "ingress-nginx/values.yaml",
        8,
    )


def test_kube_state_metrics_chart():
    (build,) = chart_builds(str(REAL / "kube-state-metrics"), "ksm")
    assert build.problems == []
    (document,) = build.documents
    # templates/_helpers.tpl: registry/repository:(tag, default "v" + appVersion); the
    # kube-rbac-proxy sidecar is disabled by default.
    assert images(document) == {
        "image": "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0"
    }
    node = image_node(document, "image")
    assert isinstance(node, SplicedScalar)
    tag, _ = node.part_at(node.value.index(":v") + 1)
    assert at(tag) == ("ksm/Chart.yaml", 12)


@pytest.mark.parametrize("case", sorted(p.name for p in HELM.iterdir() if p.is_dir()))
def test_every_build_is_well_formed(case):
    for build in chart_builds(str(HELM / case), case):
        assert build.notes == []
        for document in build.documents:
            for name, item in containers(document).items():
                fields = as_mapping(item)
                assert fields is not None
                node = fields.get("image")
                assert node is not None and name
                for _, part, _ in getattr(node, "parts", ((0, node, 0),)):
                    assert file_of(part) in build.files


def test_templated_or_disabled_settings_make_no_image(tmp_path):
    folder = _chart(
        tmp_path / "t",
        "name: t\nappVersion: '1.0'\n",
        "a:\n  image:\n    repository: registry.acme.io/a\n    tag: '{{ .Values.version }}'\n"
        "b:\n  image:\n    registry: '{{ .Values.mirror }}'\n    repository: b\n    tag: '1'\n"
        "c:\n  image:\n    enabled: false\n    repository: registry.acme.io/c\n    tag: '1'\n"
        "d:\n  image:\n    repository: registry.acme.io/d\n    tag: '1'\n",
    )
    (build,) = chart_builds(folder, "t")
    assert images(build.documents[0]) == {"d.image": "registry.acme.io/d:1"}
