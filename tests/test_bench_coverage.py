"""``python -m bench.coverage``: which values it counts as image fields, and that it leaves the
measured folders as they were. Run as a process (the tests do not import ``bench``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Counted: a plain value in a flow mapping (which libyaml refuses and go-yaml reads), an
# anchored one, quoted ones, an image volume's reference: 5 fields (the alias *img is the
# anchored value again, and a null is no string).
WORKLOADS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {image: not-a-field}}
spec:
  template:
    spec:
      initContainers: [{name: init, image: busybox:1.36.1}]
      containers:
      - name: web
        image: &img nginx:1.27.2
      - name: cache
        image: "redis:7.4.1"
      - name: again
        image: *img
      - name: empty
        image:
---
apiVersion: v1
kind: Pod
metadata: {name: tool}
spec:
  containers:
  - name: tool
    image: 'alpine:3.20'
  volumes:
  - name: model
    image:
      reference: "quay.io/example/model:v1"
status:
  image: not-a-field-either
"""

# Not counted: a CRD's schema, ConfigMap data, an RBD volume's image.
NOT_FIELDS = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  versions:
  - name: v1
    schema:
      openAPIV3Schema:
        properties:
          image: {type: string, default: "nginx"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  image: nginx
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: ceph}
spec:
  rbd:
    image: kube-volume-1
    pool: rbd
"""


def test_counts_image_fields_and_leaves_the_folder_unchanged(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "demo").mkdir(parents=True)
    (corpus / "demo" / "workloads.yaml").write_text(WORKLOADS, encoding="utf-8")
    (corpus / "demo" / "other.yml").write_text(NOT_FIELDS, encoding="utf-8")
    before = {p: p.read_bytes() for p in corpus.rglob("*") if p.is_file()}
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench.coverage", str(corpus), "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["projects"]["demo"] == {"fields": 5, "read": 5, "share": 1.0}
    assert figures["unread"] == [] and figures["misplaced"] == 0
    assert "demo" in result.stdout and "100.0%" in result.stdout
    assert {p: p.read_bytes() for p in corpus.rglob("*") if p.is_file()} == before


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.coverage", str(tmp_path / "nowhere")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2 and "no such path" in result.stderr
