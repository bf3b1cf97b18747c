from __future__ import annotations

import os

import pytest

from imagelint.reading.sources import SourceRef, discover
from imagelint.running.engine import Engine


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied_full_message(tmp_path):
    path = tmp_path / "secret.yaml"
    path.write_text("a: 1\n")
    path.chmod(0)
    report = Engine().check(discover([str(path)]))
    [finding] = report.findings
    assert (finding.rule, finding.message) == (
        "unreadable-file",
        "cannot read file: permission denied",
    )


def test_file_vanished_during_the_run(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: 'Bad:1'}]}\n"
    )
    refs = [SourceRef("gone.yaml", str(tmp_path / "gone.yaml")), SourceRef("good.yaml", str(good))]
    report = Engine().check(refs)
    assert [(f.path, f.rule, f.message) for f in report.findings] == [
        ("gone.yaml", "unreadable-file", "cannot read file: no such file or directory"),
        (
            "good.yaml",
            "uppercase-repository",
            'image "Bad:1": the repository path "Bad" has capital letters, which no registry accepts; use "bad:1"',
        ),
    ]


def test_directory_in_place_of_a_file(tmp_path):
    report = Engine().check([SourceRef("dir.yaml", str(tmp_path))])
    assert [f.message for f in report.findings] == ["cannot read file: it is a directory"]


def test_permission_denied_as_any_user(tmp_path, monkeypatch):
    path = tmp_path / "secret.yaml"
    path.write_text("a: 1\n")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("os.open", refuse)
    report = Engine().check([SourceRef("secret.yaml", str(path))])
    assert [(f.rule, f.message, f.line, f.column) for f in report.findings] == [
        ("unreadable-file", "cannot read file: permission denied", 1, 1)
    ]
