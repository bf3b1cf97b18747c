"""The kinds' families are imported when an object of one of their API groups appears: the map
of groups to families matches what each family declares, a run of Kubernetes' own kinds imports
none of them, and what is read is the same either way. Path expressions parse the same with or
without their regular expressions."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from imagelint.core.patterns import pattern
from imagelint.kube import kinds
from imagelint.kube.kinds import builtin, paths
from imagelint.kube.objects import iter_objects
from imagelint.kube.workloads import images
from imagelint.reading.loader import load

FAMILY_MODULES = [f"imagelint.kube.kinds.{name}" for name in kinds.FAMILIES]


def _declared_by(name: str) -> set[tuple[str, str]]:
    module = importlib.import_module(f"imagelint.kube.kinds.{name}")
    return {(kind.group, kind.kind) for kind in module.KINDS}


@pytest.mark.parametrize("name", kinds.FAMILIES)
def test_every_kind_of_a_family_leads_to_its_family(name):
    for group, kind in _declared_by(name):
        if group:
            assert kinds._FAMILY_OF_GROUP.get(group) == name, (group, kind)
        else:
            assert kinds._FAMILY_OF_CORE_KIND.get(kind) == name, (group, kind)


def test_the_map_names_only_groups_and_kinds_the_families_declare():
    declared = {name: _declared_by(name) for name in kinds.FAMILIES}
    for group, name in kinds._FAMILY_OF_GROUP.items():
        assert any(g == group for g, _ in declared[name]), group
    for kind, name in kinds._FAMILY_OF_CORE_KIND.items():
        assert ("", kind) in declared[name], kind


def test_no_two_families_declare_one_kind():
    seen: dict[tuple[str, str], str] = {(k.group, k.kind): "builtin" for k in builtin.KINDS}
    for name in kinds.FAMILIES:
        for key in _declared_by(name):
            assert key not in seen, (key, seen.get(key), name)
            seen[key] = name


def test_the_table_holds_every_family():
    table = kinds.table()
    every = {(k.group, k.kind) for k in builtin.KINDS}
    for name in kinds.FAMILIES:
        every |= _declared_by(name)
    assert set(table) == every


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


_LOADED = (
    "import sys; from imagelint.kube.objects import iter_objects; "
    "from imagelint.kube.workloads import images; from imagelint.reading.loader import load; "
    "text = {text!r}; "
    "found = [u.image for o in iter_objects(load('x', text), 'default', []) for u in images(o, [])]; "
    "print(found, sorted(m for m in sys.modules if m in {families!r}))"
)


def test_kubernetes_own_kinds_import_no_family():
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n"
        "spec: {template: {spec: {containers: [{name: a, image: nginx:1.27}]}}}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n"
        "---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\n"
        "spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: b:1}]}}}}}\n"
    )
    out = _run(_LOADED.format(text=text, families=FAMILY_MODULES))
    assert out == "['nginx:1.27', 'b:1'] []"


@pytest.mark.parametrize(
    ("api_version", "kind", "family"),
    [
        ("tekton.dev/v1", "Task", "tekton"),
        ("argoproj.io/v1alpha1", "Workflow", "argo"),
        ("ray.io/v1", "RayJob", "batch"),
        ("postgresql.cnpg.io/v1", "Cluster", "data"),
        ("v1", "ImageStream", "platform"),
        ("monitoring.coreos.com/v1", "Prometheus", "platform"),
    ],
)
def test_an_object_of_a_family_imports_that_family_alone(api_version, kind, family):
    text = f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: a}}\n"
    out = _run(_LOADED.format(text=text, families=FAMILY_MODULES))
    assert out == f"[] ['imagelint.kube.kinds.{family}']"


def test_a_family_kind_is_read_after_lazy_import():
    # In this process the family may or may not be imported yet: the answer is the same.
    text = (
        "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\n"
        "spec: {steps: [{name: s, image: busybox:1.36}]}\n"
    )
    uses = [u for o in iter_objects(load("x", text), "default", []) for u in images(o, [])]
    assert [(u.image, u.field) for u in uses] == [("busybox:1.36", "spec.steps[0].image")]
    assert kinds.lookup("tekton.dev/v1", "tekton.dev", "Task") is not None


@pytest.mark.parametrize(
    "expression",
    [
        "spec.template.spec",
        "spec.*.template.spec",
        "spec.steps[*].image",
        "spec.a[0][*].b",
        "spec.tfReplicaSpecs.*.template.spec",
        "a b.c",
        "*",
    ],
)
def test_path_expressions_parse_as_the_pattern_says(expression):
    expected = []
    for segment in expression.split("."):
        match = pattern(paths._SEGMENT).fullmatch(segment)
        assert match is not None
        key, subscripts = match.groups()
        expected.append(("values", "") if key == "*" else ("key", key))
        for item in pattern(paths._SUBSCRIPT).findall(subscripts):
            expected.append(("each", "") if item == "*" else ("index", item))
    assert paths.parse(expression) == tuple(expected)


@pytest.mark.parametrize("expression", ["", "spec..a", "spec.a[x]", "spec.a]", "spec.[*]", "a[0"])
def test_bad_path_expressions_are_refused(expression):
    with pytest.raises(paths.PathError):
        paths.parse(expression)
