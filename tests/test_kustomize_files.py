"""The kustomize tree files composed once per process (trees.kustomize.files): the plan's parse
is the build's, a changed file is read again, and a builder lets a root's own files go."""

from __future__ import annotations

import os
from pathlib import Path

from imagelint.trees.kustomize import Builder, files, uses
from imagelint.trees.origins import file_of


def _tree(root: Path) -> None:
    (root / "base").mkdir()
    (root / "base" / "kustomization.yaml").write_text("resources:\n  - pod.yaml\n")
    (root / "base" / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
        "    - name: a\n      image: app:1\n"
    )
    for name in ("dev", "prod"):
        (root / name).mkdir()
        (root / name / "kustomization.yaml").write_text(
            "resources:\n  - ../base\nimages:\n  - name: app\n    newTag: '2'\n"
        )


def test_the_plan_parse_is_the_build_parse(tmp_path: Path) -> None:
    _tree(tmp_path)
    path = str(tmp_path / "dev" / "kustomization.yaml")
    planned = files.parsed(path)
    assert not isinstance(planned, str)
    assert uses(str(tmp_path / "dev")).folders == (str(tmp_path / "base"),)
    taken = files.take(path, "dev/kustomization.yaml")
    assert taken is planned  # composed once
    assert taken.display == "dev/kustomization.yaml"
    assert file_of(taken.documents[0].node) == "dev/kustomization.yaml"
    assert path not in files._PARSED  # the builder keeps what it needs


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    _tree(tmp_path)
    path = tmp_path / "dev" / "kustomization.yaml"
    first = files.parsed(str(path))
    path.write_text("resources:\n  - ../base\n  - extra.yaml\n")
    os.utime(path, ns=(1, 1))  # another size and modification time
    second = files.parsed(str(path))
    assert second is not first and not isinstance(second, str)
    assert "extra.yaml" in second.text
    files.take(str(path), "x")


def test_unreadable_files_say_why(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_bytes(b"\xff\xfe kind: A\n")
    assert files.parsed(str(tmp_path / "bad.yaml")) == "it is not UTF-8 text"
    assert files.parsed(str(tmp_path / "missing.yaml")).startswith("it cannot be read")


def test_a_builder_keeps_only_what_roots_share(tmp_path: Path) -> None:
    _tree(tmp_path)
    builder = Builder()
    for name in ("dev", "prod"):
        build = builder.build(str(tmp_path / name), name)
        [pod] = build.documents
        assert "app:2" in [n.value for _k, n in pod.value[3][1].value[0][1].value[0].value]
    kept = {os.path.basename(real) for real, _display in builder._kustomizations}
    assert kept == {"base"}  # the roots' own kustomizations are let go
    loaded = {os.path.basename(real) for real, _display in builder._cache.loaded}
    assert loaded == {"kustomization.yaml", "pod.yaml"}
    assert all("base" in real for real, _display in builder._cache.loaded)
