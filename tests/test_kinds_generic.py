"""Custom resources of unknown kinds (the generic walk and what it never reads), kinds declared in
``image-fields``, and ``imagelint kinds``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from imagelint.cli import cli
from imagelint.kube import kinds
from imagelint.kube.kinds import generic
from tests.test_kinds import found, known


@pytest.fixture(autouse=True)
def no_declared_kinds():
    kinds.declare([])
    yield
    kinds.declare([])


def test_walk_finds_pod_specs_and_container_lists_anywhere_under_spec():
    text = """
apiVersion: acme.io/v1
kind: Pipeline
metadata: {name: p}
spec:
  stages:
    - name: build
      runner:
        pod:
          imagePullSecrets: [{name: acme}]
          containers: [{name: main, image: registry.acme.io/builder:1.2}]
    - name: test
      jobs:
        - {name: unit, image: registry.acme.io/tester:3}
        - {name: lint, run: make lint}
"""
    assert found(text) == [
        ("registry.acme.io/builder:1.2", "main", "spec.stages[0].runner.pod.containers[0].image"),
        ("registry.acme.io/tester:3", "unit", "spec.stages[1].jobs[0].image"),
    ]
    # a pod spec has its pull secrets and nodes; a bare list of containers does not
    assert known(text) == [True, False]


@pytest.mark.parametrize(
    "text",
    [
        # Kyverno: a policy's patch and pattern are not pods
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec:\n  rules:\n    - name: r\n      mutate:\n        patchStrategicMerge:\n          spec: {template: {spec: {containers: [{name: c, image: vault:1.6.0}]}}}\n",
        # Gatekeeper constraint parameters
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nmetadata: {name: c}\nspec:\n  parameters: {containers: [{name: c, image: x:1}]}\n",
        # a CustomResourceDefinition's schema
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: c}\nspec:\n  versions:\n    - name: v1\n      schema: {openAPIV3Schema: {properties: {steps: {items: [{name: s, image: x:1}]}}}}\n",
        # a ConfigMap's data
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {pod.yaml: 'containers: [{name: c, image: x:1}]'}\n",
        # status, patches and overlays of an unknown kind; an RBD volume; Helm values
        "apiVersion: acme.io/v1\nkind: Thing\nmetadata: {name: t}\nstatus: {containers: [{name: c, image: x:1}]}\nspec:\n  patches: [{target: {kind: Deployment}, patch: {containers: [{name: c, image: x:1}]}}]\n  k8s: {overlays: [{patches: [{value: [{name: c, image: x:1}]}]}]}\n  volumes: [{name: v, rbd: {image: foo, monitors: [a]}}]\n  values: {sidecars: [{name: c, image: x:1}]}\n",
        # a single image key, a container mapping outside a list, a list of image names
        "apiVersion: acme.io/v1\nkind: Thing\nmetadata: {name: t}\nspec: {image: x:1, vm: {image: ubuntu-22.04, name: vm}, images: [x:1, y:2]}\n",
        # a KRM function's ResourceList
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig: {spec: {image: foo:latest}}\nitems: []\n",
    ],
)
def test_walk_exclusions(text):
    assert found(text) == []


def test_walk_is_bounded():
    deep = "spec:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(generic.MAX_DEPTH + 2))
    deep += "  " * (generic.MAX_DEPTH + 3) + "steps: [{name: s, image: x:1}]\n"
    assert found("apiVersion: acme.io/v1\nkind: Deep\nmetadata: {name: d}\n" + deep) == []
    wide = "apiVersion: acme.io/v1\nkind: Wide\nmetadata: {name: w}\nspec:\n  items:\n"
    wide += "".join(f"    - {{a: {{b: {i}}}}}\n" for i in range(generic.MAX_NODES))
    wide += "  steps: [{name: s, image: x:1}]\n"
    assert found(wide) == []


def test_declared_kinds_by_api_version_and_group():
    kinds.declare(
        [
            {
                "apiVersion": "ci.acme.io/v2",
                "kind": "Build",
                "paths": ["spec.builder.image", "spec.stages[*].steps"],
            },
            {
                "group": "ci.acme.io",
                "kind": "Runner",
                "paths": ["spec.workers[*].template", "spec.agent"],
            },
        ]
    )
    build = "apiVersion: ci.acme.io/v2\nkind: Build\nmetadata: {name: b}\nspec:\n  builder: {image: registry.acme.io/builder:2}\n  stages: [{steps: [{name: s, image: registry.acme.io/step:1}]}]\n  other: [{name: o, image: not-read:1}]\n"
    assert found(build) == [
        ("registry.acme.io/builder:2", "builder", "spec.builder.image"),
        ("registry.acme.io/step:1", "s", "spec.stages[0].steps[0].image"),
    ]
    # another apiVersion of the kind is not declared: the generic walk reads its container lists
    assert [f for _, _, f in found(build.replace("ci.acme.io/v2", "ci.acme.io/v3"))] == [
        "spec.stages[0].steps[0].image",
        "spec.other[0].image",
    ]
    runner = "apiVersion: ci.acme.io/v1\nkind: Runner\nmetadata: {name: r}\nspec:\n  workers:\n    - template: {spec: {imagePullSecrets: [{name: acme}], containers: [{name: w, image: registry.acme.io/worker:1}]}}\n  agent: {name: agent, image: registry.acme.io/agent:1}\n"
    assert found(runner) == [
        ("registry.acme.io/worker:1", "w", "spec.workers[0].template.spec.containers[0].image"),
        ("registry.acme.io/agent:1", "agent", "spec.agent.image"),
    ]
    assert known(runner) == [True, False]


def _project(tmp_path, monkeypatch, config: str) -> None:
    (tmp_path / ".imagelint.yaml").write_text(config)
    monkeypatch.chdir(tmp_path)


def test_image_fields_option_in_a_run(tmp_path, monkeypatch):
    _project(
        tmp_path,
        monkeypatch,
        "image-fields:\n  - {apiVersion: ci.acme.io/v1, kind: Build, paths: ['spec.builder.image']}\n",
    )
    (tmp_path / "build.yaml").write_text(
        "apiVersion: ci.acme.io/v1\nkind: Build\nmetadata: {name: b}\nspec:\n  builder: {image: 'registry.acme.io/builder:latest'}\n"
    )
    result = CliRunner().invoke(cli, ["check", "--format", "json", "build.yaml"])
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["field"], f["line"]) for f in findings] == [
        ("latest-tag", "spec.builder.image", 5)
    ]


@pytest.mark.parametrize(
    "config",
    [
        "image-fields: [{apiVersion: ci.acme.io/v1, kind: Build, paths: ['spec..image']}]\n",
        "image-fields: [{kind: Build, paths: [spec.image]}]\n",
        "image-fields: [{apiVersion: a/v1, group: a, kind: Build, paths: [spec.image]}]\n",
        "image-fields: [{apiVersion: a/v1, kind: Build, paths: []}]\n",
        "image-fields: [{apiVersion: a/v1, kind: Build, paths: ['spec.steps[x]']}]\n",
    ],
)
def test_image_fields_are_validated(tmp_path, monkeypatch, config):
    _project(tmp_path, monkeypatch, config)
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
    result = CliRunner().invoke(cli, ["check", "a.yaml"])
    assert result.exit_code == 2, result.output
    assert "image-fields" in result.output


def test_kinds_command(tmp_path, monkeypatch):
    _project(
        tmp_path,
        monkeypatch,
        "image-fields:\n  - {group: ci.acme.io, kind: Runner, paths: ['spec.workers[*].template']}\n",
    )
    text = CliRunner().invoke(cli, ["kinds"])
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    assert lines[0] == "ci.acme.io/Runner (image-fields)"
    assert "tekton.dev/Task (images with $(...) are filled in at run time)" in lines
    at = lines.index("apps/Deployment")
    assert lines[at + 1] == (
        "  spec.template.spec  [pod spec]  pull secrets and platform from spec.template.spec"
    )
    at = lines.index("postgresql.cnpg.io/Cluster")
    assert "not in the manifest" in lines[at + 1]
    assert lines[-1].startswith("* any other custom resource")
    result = CliRunner().invoke(cli, ["kinds", "--format", "json"])
    document = json.loads(result.stdout)
    rows = {(row["group"], row["kind"]): row for row in document["kinds"]}
    task = rows[("tekton.dev", "Task")]
    assert task["fields"][0] == {
        "path": "spec.steps[*].image",
        "reads": "containers",
        "pullSecrets": False,
        "platform": False,
        "podLevel": None,
    }
    prometheus = rows[("monitoring.coreos.com", "Prometheus")]
    assert [f["podLevel"] for f in prometheus["fields"]] == ["spec", "spec", "spec"]
    assert rows[("ci.acme.io", "Runner")]["source"] == "image-fields"
