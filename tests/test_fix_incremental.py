"""``check --fix`` checks again only what the fixes changed: after a pass of fixes, a file (or a
tree) that read none of the files written keeps its result, so a pass costs what the files
changed cost, not the run. The report after fixing is exactly a new check's of the fixed files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from imagelint.core.model import Finding
from imagelint.reading import sources
from imagelint.reading.sources import discover
from imagelint.running import engine as engine_module
from imagelint.running.engine import Engine, Report
from imagelint.running.treecheck import TreeChecker
from imagelint.trees.origins import Build
from imagelint.trees.plan import TreeRef
from tests.fixing import invoke

BASE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  template:
    spec:
      imagePullSecrets:
        - name: acme-pull
      containers:
        - name: app
          image: app  # set by the overlays
"""
OVERLAY = """resources:
  - ../../base
images:
  - name: app
    newName: {name}  # moved
    newTag: "1.4.2"
"""
SECRET = """apiVersion: v1
kind: Secret
metadata: {name: acme-pull, namespace: shop}
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: eyJhdXRocyI6eyJyZWdpc3RyeS5hY21lLmlvIjp7ImF1dGgiOiJkWE5sY2pwd1lYTnoifX19
"""
POD = """apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: shop}}
spec:
{secrets}  containers:
    - name: c
      image: {image}
"""


def pod(name: str, image: str, secret: str | None = "acme-pull") -> str:
    secrets = f"  imagePullSecrets: [{{name: {secret}}}]\n" if secret else ""
    return POD.format(name=name, image=image, secrets=secrets)


def corpus(root: Path, plain: int = 70, fixable: int = 1) -> None:
    """Two overlays of one base (prod's ``images:`` entry has a fix), a Secret, plain Pods:
    ``fixable`` of them with a fix, one pulling without a secret (missing-pull-secret), two
    naming a secret nobody defines (pull-secret-not-found); and a suppressed finding."""
    (root / "base").mkdir(parents=True)
    (root / "base" / "kustomization.yaml").write_text("resources:\n  - deployment.yaml\n")
    (root / "base" / "deployment.yaml").write_text(BASE)
    for overlay, name in (("prod", "k8s.gcr.io/shop/app"), ("dev", "registry.acme.io/shop/app")):
        (root / "overlays" / overlay).mkdir(parents=True)
        (root / "overlays" / overlay / "kustomization.yaml").write_text(OVERLAY.format(name=name))
    folder = root / "plain"
    folder.mkdir()
    (folder / "secret.yaml").write_text(SECRET)
    (folder / "nosecret.yaml").write_text(pod("nos", "registry.acme.io/shop/web:2.9", None))
    (folder / "suppressed.yaml").write_text(
        pod("sup", "registry.acme.io/shop/web:latest  # imagelint: disable=latest-tag")
    )
    for index in range(plain):
        image = f"registry.acme.io/shop/web:2.{index}"
        if index < fixable:
            image = "https://" + image
        secret = "regcred" if index % 30 == 1 else "acme-pull"
        (folder / f"p{index:03}.yaml").write_text(pod(f"p{index}", image, secret))


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("fixable", [1, 70])  # 70: the second pass checks in workers too
@pytest.mark.parametrize("output", ["json", "concise"])
def test_the_report_after_fixing_is_a_new_checks(tmp_path, monkeypatch, jobs, fixable, output):
    corpus(tmp_path, fixable=fixable)
    monkeypatch.chdir(tmp_path)
    fixing = invoke("--format", output, "--jobs", jobs, "--fix", ".")
    assert f"fixed {fixable + 1} finding(s) in {fixable + 1} file(s)" in fixing.stderr
    fresh = invoke("--format", output, "--jobs", jobs, ".")
    assert fixing.exit_code == fresh.exit_code == 1
    assert fixing.stdout == fresh.stdout
    notes = [line for line in fixing.stderr.splitlines() if "fixed" not in line]
    assert notes == fresh.stderr.splitlines()
    if output == "json":
        rules = {f["rule"] for f in json.loads(fresh.stdout)["findings"]}
        # The cross-file findings stay; the fixed ones are gone.
        assert rules == {"missing-pull-secret", "pull-secret-not-found"}, fresh.stdout
    kustomization = (tmp_path / "overlays" / "prod" / "kustomization.yaml").read_text()
    assert "newName: registry.k8s.io/shop/app  # moved" in kustomization


def test_the_second_pass_reads_only_the_fixed_file(tmp_path, monkeypatch):
    folder = tmp_path / "plain"
    folder.mkdir()
    for index in range(40):
        (folder / f"p{index:02}.yaml").write_text(
            pod(f"p{index}", f"registry.acme.io/shop/web:2.{index}")
        )
    (folder / "p07.yaml").write_text(pod("p7", "https://registry.acme.io/shop/web:2.7"))
    read: list[str] = []
    original = sources.read_bytes

    def counting(ref: sources.SourceRef) -> bytes | sources.Problem:
        read.append(ref.display)
        return original(ref)

    monkeypatch.setattr(engine_module, "read_bytes", counting)
    monkeypatch.chdir(tmp_path)
    result = invoke("--jobs", "1", "--fix", "plain")
    assert "fixed 1 finding(s) in 1 file(s)" in result.stderr, result.output
    assert result.exit_code == 0, result.output
    # The first pass reads every file; the second only the one fixed.
    assert sorted(read[:40]) == sorted(f"plain/p{index:02}.yaml" for index in range(40))
    assert read[40:] == ["plain/p07.yaml"]


def test_a_value_fixed_over_several_passes_reads_it_once_a_pass(tmp_path, monkeypatch):
    # https://, uppercase, a trailing dot: one fix uncovers the next (fixflow's passes).
    folder = tmp_path / "plain"
    folder.mkdir()
    for index in range(10):
        (folder / f"p{index}.yaml").write_text(pod(f"p{index}", "registry.acme.io/shop/web:2"))
    (folder / "p3.yaml").write_text(pod("p3", "https://registry.acme.io/Shop/web:2."))
    read: list[str] = []
    original = sources.read_bytes
    monkeypatch.setattr(
        engine_module, "read_bytes", lambda ref: read.append(ref.display) or original(ref)
    )
    monkeypatch.chdir(tmp_path)
    result = invoke("--fix", "plain")
    assert result.exit_code == 0, result.output
    assert "registry.acme.io/shop/web:2\n" in (folder / "p3.yaml").read_text()
    assert len(read) > 11 and set(read[10:]) == {"plain/p3.yaml"}


def _summary(report: Report) -> tuple[object, ...]:
    def finding(f: Finding) -> tuple[object, ...]:
        return (f.path, f.line, f.column, f.rule, f.message, f.via, f.severity, f.edit)

    return (
        [finding(f) for f in report.findings],
        report.files,
        report.objects,
        report.images,
        report.notes,
        report.internal_errors,
        sorted(map(repr, report.suppressions)),
    )


def test_unchanged_files_keep_their_results_and_the_trees_that_read_a_change_rebuild(
    tmp_path, monkeypatch
):
    corpus(tmp_path, plain=10)
    monkeypatch.chdir(tmp_path)
    refs = discover((".",))
    built: list[str] = []
    original = TreeChecker.builds

    def counting(self: TreeChecker, tree: TreeRef) -> list[Build]:
        built.append(tree.display)
        return original(self, tree)

    monkeypatch.setattr(TreeChecker, "builds", counting)
    engine = Engine(reuse=True)
    first = _summary(engine.check(refs, named=(".",)))
    assert sorted(built) == ["overlays/dev", "overlays/prod"]
    # Nothing changed: the same report, again and again (a reused result is never changed
    # by merging it into a report).
    for _ in range(2):
        assert _summary(engine.check(refs, named=(".",), changed=frozenset())) == first
    assert len(built) == 2
    # The base changes: both overlays read it; a plain file changes: only it is read again.
    base = tmp_path / "base" / "deployment.yaml"
    base.write_text(BASE.replace("image: app ", "image: App "))
    p4 = tmp_path / "plain" / "p004.yaml"
    p4.write_text(pod("p4", "registry.acme.io/Shop/web:2"))
    changed = frozenset(os.path.realpath(p) for p in (base, p4))
    again = engine.check(refs, named=(".",), changed=changed)
    assert sorted(built[2:]) == ["overlays/dev", "overlays/prod"]
    fresh = Engine().check(refs, named=(".",))
    assert _summary(again) == _summary(fresh) != first
    # The overlay changes: only it is built again.
    prod = tmp_path / "overlays" / "prod" / "kustomization.yaml"
    prod.write_text(OVERLAY.format(name="registry.k8s.io/shop/app"))
    before = len(built)
    again = engine.check(refs, named=(".",), changed=frozenset({os.path.realpath(prod)}))
    assert built[before:] == ["overlays/prod"]
    assert _summary(again) == _summary(Engine().check(refs, named=(".",)))


def test_a_chart_is_checked_again_when_a_file_in_it_changed(tmp_path, monkeypatch):
    chart = tmp_path / "web"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 1.0.0\n")
    values = chart / "values.yaml"
    values.write_text("image:\n  repository: registry.acme.io/web\n  tag: '2.1.'\n")
    (tmp_path / "pod.yaml").write_text(pod("p", "registry.acme.io/shop/web:2"))
    monkeypatch.chdir(tmp_path)
    refs = discover((".",))
    engine = Engine(reuse=True)
    first = _summary(engine.check(refs, named=(".",)))
    values.write_text("image:\n  repository: registry.acme.io/web\n  tag: '2.1'\n")
    again = engine.check(refs, named=(".",), changed=frozenset({os.path.realpath(values)}))
    assert _summary(again) == _summary(Engine().check(refs, named=(".",))) != first


def test_without_reuse_changed_is_ignored_and_everything_is_checked(tmp_path, monkeypatch):
    (tmp_path / "a.yaml").write_text(pod("a", "registry.acme.io/shop/web:2"))
    monkeypatch.chdir(tmp_path)
    refs = discover((".",))
    engine = Engine()
    engine.check(refs, named=(".",))
    (tmp_path / "a.yaml").write_text(pod("a", "registry.acme.io/Shop/web:2"))
    report = engine.check(refs, named=(".",), changed=frozenset())
    assert [f.rule for f in report.findings] == ["uppercase-repository"]
