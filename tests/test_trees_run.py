"""Runs over repositories with kustomize trees and Helm charts: which trees are built, what is
reported where, through which roots, and with which cluster view."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from imagelint.cli import cli
from imagelint.reading.sources import discover
from imagelint.running.pipeline import run

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  template:
    spec:
      imagePullSecrets:
        - name: regcred
      containers:
        - name: app
          image: app
"""
SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: regcred
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: eyJhdXRocyI6IHsicmVnaXN0cnkuYWNtZS5pbyI6IHsiYXV0aCI6ICJkWE5sY2pwd1lYTnoifX19
"""


def _overlay(tag: str, extra: str = "") -> str:
    return (
        f"resources:\n  - ../../base\n{extra}images:\n  - name: app\n"
        f"    newName: registry.acme.io/shop/app\n    newTag: {tag}\n"
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """kz/base (used by two overlays), kz/overlays/{prod,dev}, a plain manifest, a chart."""
    (tmp_path / ".git").mkdir()
    files = {
        "kz/base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
        "kz/base/deployment.yaml": DEPLOYMENT,
        "kz/overlays/prod/kustomization.yaml": _overlay("1.4.2", "  - secret.yaml\n"),
        "kz/overlays/prod/secret.yaml": SECRET,
        "kz/overlays/dev/kustomization.yaml": _overlay("latest"),
        "plain/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        "spec: {containers: [{name: a, image: 'nginx:latest'}]}\n",
        "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\nappVersion: 2.0.0\n",
        "chart/values.yaml": "image:\n  repository: registry.acme.io/web\n  tag: latest\n",
        "chart/templates/deployment.yaml": "spec:\n  image: {{ .Values.image.repository }}\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    # The prod overlay's resources list the Secret too.
    (tmp_path / "kz/overlays/prod/kustomization.yaml").write_text(
        "resources:\n  - ../../base\n  - secret.yaml\nimages:\n  - name: app\n"
        "    newName: registry.acme.io/shop/app\n    newTag: 1.4.2\n"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(*paths: str, jobs: int = 1):
    return run(discover(paths), jobs=jobs, named=paths)


def _listing(report) -> list[tuple[str, int, str, tuple[str, ...]]]:
    return [(f.path, f.line, f.rule, f.via) for f in report.findings]


def test_a_repository_is_checked_as_it_deploys(repo: Path):
    report = _check(".")
    assert _listing(report) == [
        ("chart/values.yaml", 3, "latest-tag", ("chart",)),
        ("kz/overlays/dev/kustomization.yaml", 6, "latest-tag", ("kz/overlays/dev",)),
        ("plain/pod.yaml", 4, "latest-tag", ()),
    ]
    # The base is built through both overlays, never on its own: its 'image: app' is set by
    # the overlays' images entries. The chart's template is not a helm-template-file error.
    assert any("chart is a Helm chart" in note for note in report.notes)


def test_a_base_named_on_its_own_is_its_own_root(repo: Path):
    report = _check("kz/base")
    assert [(path, rule, via) for path, _, rule, via in _listing(report)] == [
        ("kz/base/deployment.yaml", "missing-tag", ("kz/base",)),
        ("kz/base/deployment.yaml", "missing-registry", ("kz/base",)),
    ]


def test_a_changed_file_is_checked_through_the_roots_that_use_it(repo: Path):
    """pre-commit passes changed files: the roots using them are found upwards and built, and
    only findings in the files given are reported (the dev overlay's latest tag is in another
    file). kustomize matches images entries case-sensitively, so 'App' is deployed as written."""
    (repo / "kz/base/deployment.yaml").write_text(DEPLOYMENT.replace("image: app", "image: App"))
    report = _check("kz/base/deployment.yaml")
    assert _listing(report) == [
        (
            "kz/base/deployment.yaml",
            12,
            "uppercase-repository",
            ("kz/overlays/dev", "kz/overlays/prod"),
        )
    ]
    assert _listing(_check("plain/pod.yaml")) == [("plain/pod.yaml", 4, "latest-tag", ())]


def test_each_root_is_a_cluster_of_its_own(repo: Path):
    """The prod overlay holds the pull secret: prod's pods find it, and dev's are not judged
    against another root's Secret (dev has none: the usual note)."""
    report = _check("kz")
    assert [f.rule for f in report.findings] == ["latest-tag"]
    (repo / "kz/overlays/dev/kustomization.yaml").write_text(
        _overlay("1.4.2") + "secretGenerator:\n  - name: other\n    literals: [a=b]\n"
    )
    report = _check("kz")
    [finding] = [f for f in report.findings if f.rule == "pull-secret-not-found"]
    assert (finding.path, finding.line, finding.via) == (
        "kz/base/deployment.yaml",
        9,
        ("kz/overlays/dev",),
    )


def test_workers_give_the_same_report(repo: Path):
    for index in range(70):  # enough roots for worker processes
        folder = repo / f"kz/overlays/o{index:02d}"
        folder.mkdir(parents=True)
        (folder / "kustomization.yaml").write_text(_overlay("latest" if index % 2 else "1.0"))
    one, two = _check("kz", jobs=1), _check("kz", jobs=2)
    assert len(one.findings) == 36  # dev's latest tag, and the odd overlays'
    assert _listing(one) == _listing(two)


def test_json_and_sarif_name_the_roots(repo: Path):
    result = CliRunner().invoke(cli, ["check", "--format", "json", "kz"])
    assert result.exit_code == 1, result.output
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["via"] == ["kz/overlays/dev"]
    result = CliRunner().invoke(cli, ["check", "--format", "sarif", "kz"])
    [sarif] = json.loads(result.stdout)["runs"][0]["results"]
    assert sarif["properties"]["via"] == ["kz/overlays/dev"]
    result = CliRunner().invoke(cli, ["check", "kz"])
    assert (
        result.stdout.startswith("kz/overlays/dev/kustomization.yaml:6:13: IL104 ")
        and "(via kz/overlays/dev)" in result.stdout
    )
