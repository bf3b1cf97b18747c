"""Where each built value says it was written: the kustomize builder's provenance.

Every image and pull-secret name of a built object must lead to the line that set it (a
base's ``image:``, an overlay's ``newName``/``newTag``/``digest``, a patch, a generator), part
by part for a value spliced from several lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml.nodes import Node, ScalarNode

from imagelint.trees.kustomize import Builder
from imagelint.trees.kustomize.nodes import get, items
from imagelint.trees.origins import Build, SplicedScalar, file_of

ROOT = Path(__file__).resolve().parent.parent
KZ = "kz"  # how the tests name tests/data/trees/kustomize


@pytest.fixture(scope="module")
def builder() -> Builder:
    return Builder()


def build(builder: Builder, folder: str) -> Build:
    return builder.build(str(ROOT / "tests/data/trees/kustomize" / folder), f"{KZ}/{folder}")


def obj(built: Build, kind: str, name: str) -> Node:
    for node in built.documents:
        if get(node, "kind").value == kind and get(get(node, "metadata"), "name").value == name:
            return node
    raise AssertionError(f"no {kind} {name} in the build")


def containers(node: Node, *path: str, field: str = "containers") -> dict[str, ScalarNode]:
    spec = node
    for key in path:
        spec = get(spec, key)
    found = {}
    for container in items(get(spec, field)):
        image = get(container, "image")
        assert isinstance(image, ScalarNode)
        found[get(container, "name").value] = image
    return found


def where(node: Node, offset: int = 0) -> tuple[str | None, int, int, str]:
    """The file, 1-based line and column of the character at ``offset`` of a value, and the
    text of the node that wrote it."""
    inner = offset
    if isinstance(node, SplicedScalar):
        node, inner = node.part_at(offset)
    mark = node.start_mark
    return file_of(node), mark.line + 1, mark.column + 1, node.value


POD = ("spec", "template", "spec")


def test_overlay_image_parts_point_at_new_name_and_new_tag(builder: Builder) -> None:
    built = build(builder, "shop/overlays/prod")
    images = containers(obj(built, "Deployment", "prod-web"), *POD)
    web = images["web"]
    assert web.value == "registry.acme.io/shop/app:1.4.2"
    prod = f"{KZ}/shop/overlays/prod/kustomization.yaml"
    assert where(web, 0) == (prod, 10, 14, "registry.acme.io/shop/app")
    assert where(web, web.value.index(":") + 1) == (prod, 11, 13, "1.4.2")
    init = containers(obj(built, "Deployment", "prod-web"), *POD, field="initContainers")
    assert where(init["migrate"], 0)[:2] == (prod, 10)


def test_digest_part_points_at_digest_and_name_at_base(builder: Builder) -> None:
    built = build(builder, "shop/overlays/prod")
    proxy = containers(obj(built, "Deployment", "prod-web"), *POD)["proxy"]
    assert proxy.value == "docker.io/library/nginx@sha256:" + "0" * 64
    assert where(proxy, 0) == (
        f"{KZ}/shop/base/deployment.yaml",
        25,
        18,
        "docker.io/library/nginx:1.25",
    )
    at = proxy.value.index("@") + 1
    assert where(proxy, at)[:3] == (f"{KZ}/shop/overlays/prod/kustomization.yaml", 13, 13)


def test_overlay_of_overlay_keeps_each_line(builder: Builder) -> None:
    built = build(builder, "shop/overlays/staging")
    web = containers(obj(built, "Deployment", "stg-prod-web"), *POD)["web"]
    assert web.value == "registry.acme.io/shop/app:1.5.0-rc1"
    assert where(web, 0)[:2] == (f"{KZ}/shop/overlays/prod/kustomization.yaml", 10)
    tag = where(web, web.value.index(":") + 1)
    assert tag[:3] == (f"{KZ}/shop/overlays/staging/kustomization.yaml", 7, 13)


def test_new_tag_only_keeps_the_base_repository(builder: Builder) -> None:
    built = build(builder, "shop/overlays/dev")
    web = containers(obj(built, "Deployment", "web-dev"), *POD)["web"]
    assert web.value == "app:dev-2024"
    assert where(web, 0) == (f"{KZ}/shop/base/deployment.yaml", 23, 18, "app")
    assert where(web, 4) == (f"{KZ}/shop/overlays/dev/kustomization.yaml", 7, 13, "dev-2024")


def test_pull_secret_names_point_at_the_reference_and_the_generator(builder: Builder) -> None:
    built = build(builder, "shop/overlays/prod")
    account = obj(built, "ServiceAccount", "prod-shop")
    reference = get(items(get(account, "imagePullSecrets"))[0], "name")
    assert reference.value.startswith("prod-regcred-")
    assert where(reference)[:3] == (f"{KZ}/shop/base/serviceaccount.yaml", 6, 11)
    secret = obj(built, "Secret", reference.value)
    name = get(get(secret, "metadata"), "name")
    prod = f"{KZ}/shop/overlays/prod/kustomization.yaml"
    assert where(name, 0)[:3] == (prod, 4, 13)  # namePrefix
    assert where(name, len("prod-"))[:3] == (prod, 15, 11)  # the generator's name
    assert get(secret, "type").value == "kubernetes.io/dockerconfigjson"


def test_inline_patch_values_point_into_the_kustomization(builder: Builder) -> None:
    built = build(builder, "components/app")
    images = containers(obj(built, "Pod", "team-api"), "spec")
    envoy = images["envoy"]
    assert envoy.value == "envoyproxy/envoy:v1.29.0-debug"
    assert where(envoy, 0)[:3] == (f"{KZ}/components/sidecar/kustomization.yaml", 16, 20)
    tag = where(envoy, envoy.value.index(":") + 1)
    assert tag[:2] == (f"{KZ}/components/debug/kustomization.yaml", 5)
    pulls = [
        get(p, "name")
        for p in items(get(get(obj(built, "Pod", "team-api"), "spec"), "imagePullSecrets"))
    ]
    assert [p.value.rsplit("-", 1)[0] for p in pulls] == ["team-sidecar-pull"]
    assert where(pulls[0])[:2] == (f"{KZ}/components/sidecar/kustomization.yaml", 13)


def test_json_patch_file_values_point_at_the_patch(builder: Builder) -> None:
    built = build(builder, "patches/overlay")
    images = containers(obj(built, "Deployment", "api"), *POD)
    assert list(images) == ["tracer", "api", "metrics"]
    assert where(images["tracer"])[:2] == (f"{KZ}/patches/overlay/api-json.json", 2)
    assert where(images["api"])[:2] == (f"{KZ}/patches/overlay/api-patch.yaml", 12)
    assert where(images["metrics"])[:2] == (f"{KZ}/patches/base/workloads.yaml", 14)


def test_replacement_values_point_at_the_source_field(builder: Builder) -> None:
    built = build(builder, "replacements")
    api = containers(obj(built, "Deployment", "api"), *POD)["api"]
    assert where(api)[:2] == (f"{KZ}/replacements/resources.yaml", 6)
    worker = containers(obj(built, "Deployment", "worker"), *POD)["worker"]
    assert worker.value == "registry.acme.io/worker:3.0.1"
    assert where(worker, 0)[:2] == (f"{KZ}/replacements/resources.yaml", 32)
    assert where(worker, worker.value.index(":") + 1)[:2] == (
        f"{KZ}/replacements/resources.yaml",
        7,
    )


def test_every_built_node_names_a_file_of_the_build(builder: Builder) -> None:
    from imagelint.fixing.scalars import all_nodes

    for folder in (
        "shop/overlays/staging",
        "components/app",
        "patches/overlay",
        "generators/overlay",
    ):
        built = build(builder, folder)
        for document in built.documents:
            for node in all_nodes([document]):
                assert file_of(node) in built.files, (folder, node)


def test_bases_are_never_changed_by_overlays(builder: Builder) -> None:
    base = build(builder, "shop/base")
    before = containers(obj(base, "Deployment", "web"), *POD)["web"].value
    build(builder, "shop/overlays/prod")
    build(builder, "shop/overlays/staging")
    again = build(builder, "shop/base")
    assert before == "app"
    assert containers(obj(again, "Deployment", "web"), *POD)["web"].value == "app"
