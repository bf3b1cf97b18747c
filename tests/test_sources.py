"""Which files a run reads."""

from __future__ import annotations

import os

import pytest

from imagelint.reading.sources import PathNotFound, discover


def names(refs):
    return [r.display for r in refs]


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for path in [
        "m/a.yaml",
        "m/b.yml",
        "m/c.json",
        "m/d.txt",
        "m/.hidden.yaml",
        "m/.git/x.yaml",
        "m/sub/e.YAML",
        "m/charts/templates/f.yaml",
        "m/sub/skip-me.yaml",
    ]:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write("a: 1\n")
    return tmp_path


def test_directory_walk(tree):
    assert names(discover(["m"])) == [
        "m/a.yaml",
        "m/b.yml",
        "m/c.json",
        "m/charts/templates/f.yaml",
        "m/sub/e.YAML",
        "m/sub/skip-me.yaml",
    ]


def test_exclude_globs(tree):
    refs = discover(["m"], exclude=["templates", "*/skip-*"])
    assert names(refs) == ["m/a.yaml", "m/b.yml", "m/c.json", "m/sub/e.YAML"]
    assert names(discover(["m/a.yaml", "m/b.yml"], exclude=["*.yml"])) == ["m/a.yaml"]


def test_explicit_files_are_read_whatever_their_suffix(tree):
    assert names(discover(["./m/d.txt", "m/.hidden.yaml"])) == ["m/d.txt", "m/.hidden.yaml"]


def test_dot_and_duplicates(tree):
    os.chdir("m")
    assert names(discover([".", "a.yaml"]))[:2] == ["a.yaml", "b.yml"]
    assert names(discover(["a.yaml", "./a.yaml"])) == ["a.yaml"]


def test_missing_path(tree):
    with pytest.raises(PathNotFound, match="no such file or directory: nope"):
        discover(["m", "nope"])


def test_stdin(tree):
    [ref] = discover(["-"], stdin_name="helm/out.yaml")
    assert (ref.display, ref.path) == ("helm/out.yaml", None)
    assert discover(["-"])[0].display == "<stdin>"


def test_symlink_loop_terminates(tree):
    os.symlink("..", "m/sub/loop")
    assert "m/a.yaml" in names(discover(["m"]))
