"""RealPaths (the per-run memo of real paths the tree planner and builder use) gives what
os.path.realpath gives: through symbolic links, '..' after a link, loops, missing parts."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from imagelint.trees.realpaths import RealPaths, hand_over, take_over


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


def test_under_a_real_folder_is_the_real_path_of_the_join(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RealPaths.under (the entries of a kustomization, taken part by part from its real
    folder) gives what os.path.realpath gives for the joined path."""
    monkeypatch.chdir(tree)
    folders = [str(tree), str(tree / "a" / "b"), str(tree / "x"), "/"]
    real = RealPaths()
    for folder in folders:
        for length in (1, 2, 3):
            for parts in itertools.product(PARTS, repeat=length):
                for entry in ("/".join(parts), "/".join(parts) + "/", f"{tree}/{parts[0]}"):
                    expected = os.path.realpath(os.path.join(folder, entry))
                    assert real.under(folder, entry) == expected, (folder, entry)


def test_stat_is_asked_once_a_run(tree: Path) -> None:
    real = RealPaths()
    path = str(tree / "a" / "b" / "file.yaml")
    assert real.is_file(path) and not real.is_file(str(tree / "a"))
    assert real.mode(str(tree / "nope")) == 0 and real.stat(str(tree / "nope")) is None
    os.unlink(path)
    assert real.is_file(path)  # as the run first saw it
    assert not RealPaths().is_file(path)  # a new run sees it gone


def test_the_plan_hands_its_memo_to_the_builder_of_its_roots(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree)
    planned = RealPaths()
    root = str(tree / "a")
    hand_over(planned, frozenset({root}))
    assert take_over(str(tree / "x")) is None  # not a root of that plan
    assert take_over(root) is planned
    assert take_over(root) is None  # taken once
    hand_over(planned, frozenset({root}))
    monkeypatch.chdir(tree / "x")  # made in another folder: relative paths meant another place
    assert take_over(root) is None
