"""RealPaths (the per-run memo of real paths the tree planner and builder use) gives what
os.path.realpath gives: through symbolic links, '..' after a link, loops, missing parts."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from imagelint.trees.realpaths import RealPaths


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    (tmp_path / "x").mkdir()
    (tmp_path / "a" / "b" / "file.yaml").write_text("kind: A\n")
    os.symlink("../a/b", tmp_path / "x" / "lb")  # relative link to a folder
    os.symlink(tmp_path / "a", tmp_path / "la")  # absolute link
    os.symlink("loop2", tmp_path / "loop1")
    os.symlink("loop1", tmp_path / "loop2")
    os.symlink("../../nowhere", tmp_path / "a" / "dangling")
    return tmp_path


PARTS = ["a", "b", "c", "x", "lb", "la", "..", ".", "loop1", "dangling", "nope", "file.yaml"]


def test_the_same_as_os_path_realpath(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    paths = []
    for length in (1, 2, 3):
        for parts in itertools.product(PARTS, repeat=length):
            relative = "/".join(parts)
            paths += [relative, f"{tree}/{relative}", f"{tree}/{relative}/", f"{tree}//{relative}"]
    real = RealPaths()  # one memo for them all, as in a run
    for path in paths:
        assert real(path) == os.path.realpath(path), path
    for path in reversed(paths):  # from the memo, in another order
        assert real(path) == os.path.realpath(path), path


def test_one_memo_a_run(tree: Path) -> None:
    """A memo answers from what it saw: a new run (a new memo) sees a link made since."""
    folder = tree / "x" / "later"
    folder.mkdir()
    first = RealPaths()
    assert first(str(folder / "file.yaml")) == str(folder / "file.yaml")
    folder.rmdir()
    os.symlink(tree / "a" / "b", folder)
    assert RealPaths()(str(folder / "file.yaml")) == str(tree / "a" / "b" / "file.yaml")
