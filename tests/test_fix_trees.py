"""Fixes in trees go where the value was written: an overlay's ``images:`` entry (its newName or
newTag line), a patch, a chart's values line; the base, shared by other overlays, is left
alone. ``kubectl kustomize`` (kustomize v5) builds the fixed overlay as the ground truth."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.fixing import invoke

BASE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: app  # set by the overlays
        - name: proxy
          image: registry.acme.io/platform/proxy:3.2.0
"""
OVERLAY = """resources:
  - ../../base
images:
  - name: app
    newName: k8s.gcr.io/shop/app  # moved
    newTag: "1.4.2."
patches:
  - path: proxy-patch.yaml
"""
PATCH = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  template:
    spec:
      containers:
        - name: proxy
          image: registry.acme.io/platform/Proxy:3.2.1  # capitals
"""


@pytest.fixture
def tree(tmp_path, monkeypatch):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "kustomization.yaml").write_text("resources:\n  - deployment.yaml\n")
    (tmp_path / "base" / "deployment.yaml").write_text(BASE)
    prod = tmp_path / "overlays" / "prod"
    prod.mkdir(parents=True)
    (prod / "kustomization.yaml").write_text(OVERLAY)
    (prod / "proxy-patch.yaml").write_text(PATCH)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_kustomize_images_entry_and_patch_get_the_edits(tree):
    result = invoke("--fix", "overlays")
    prod = tree / "overlays" / "prod"
    assert (prod / "kustomization.yaml").read_text() == OVERLAY.replace(
        "k8s.gcr.io", "registry.k8s.io"
    ).replace('"1.4.2."', '"1.4.2"'), result.output
    assert (prod / "proxy-patch.yaml").read_text() == PATCH.replace("Proxy", "proxy")
    assert (tree / "base" / "deployment.yaml").read_text() == BASE
    assert "fixed 3 finding(s) in 2 file(s)" in result.output


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is needed")
def test_the_fixed_overlay_builds_the_fixed_images(tree):
    invoke("--fix", "overlays")
    built = subprocess.run(
        ["kubectl", "kustomize", "overlays/prod"], capture_output=True, text=True, check=True
    ).stdout
    assert "image: registry.k8s.io/shop/app:1.4.2\n" in built
    assert "image: registry.acme.io/platform/proxy:3.2.1\n" in built
    assert invoke("overlays").exit_code == 0


def test_a_change_across_two_parts_is_not_fixed(tree):
    # Capitals in newName's repository and a trailing dot in the base's tag: each part is
    # fixed where it is written; a change spanning both places has no single edit.
    (tree / "overlays" / "prod" / "kustomization.yaml").write_text(
        "resources:\n  - ../../base\nimages:\n  - name: app\n    newName: acme.io/Shop/app\n"
    )
    (tree / "base" / "deployment.yaml").write_text(BASE.replace("image: app ", "image: app:1.0. "))
    result = invoke("--fix", "overlays")
    assert "newName: acme.io/shop/app" in (tree / "overlays/prod/kustomization.yaml").read_text()
    assert "image: app:1.0  # set" in (tree / "base" / "deployment.yaml").read_text()
    assert result.exit_code == 0, result.output


def test_a_chart_values_line_gets_the_edit(tmp_path, monkeypatch):
    chart = tmp_path / "web"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: web\nversion: 1.0.0\nappVersion: 2.1.0\n"
    )
    values = (
        "image:\n  registry: registry.acme.io.  # the host\n  repository: web/frontend\n  tag: ''\n"
    )
    (chart / "values.yaml").write_text(values)
    (chart / "templates" / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n"
        '    spec:\n      containers:\n        - name: web\n          image: "{{ .Values.image.registry }}/'
        '{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"\n'
    )
    monkeypatch.chdir(tmp_path)
    result = invoke("--fix", "web")
    assert (chart / "values.yaml").read_text() == values.replace("acme.io.", "acme.io"), (
        result.output
    )
    assert result.exit_code == 0
