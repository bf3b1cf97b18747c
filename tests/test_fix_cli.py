"""``check --fix`` and friends as the command line runs them (ruff's conventions): --diff, exit
codes, --fix-only, --exit-non-zero-on-fix, standard input, atomic writes, files that changed,
symbolic links."""

from __future__ import annotations

import os

import pytest

from imagelint.fixing.apply import applicable, prepare, write_files
from imagelint.reading.sources import discover
from imagelint.running.pipeline import run
from tests.fixing import fix, invoke, pod

BAD, GOOD = "registry.acme.io/Shop/web:2.4", "registry.acme.io/shop/web:2.4"


def test_diff_prints_the_fixes_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pod.yaml").write_text(pod(BAD))
    result = invoke("--diff", "pod.yaml")
    assert result.exit_code == 1
    assert result.stdout == (
        "--- a/pod.yaml\n"
        "+++ b/pod.yaml\n"
        "@@ -4,4 +4,4 @@\n"
        " spec:\n"
        "   containers:\n"
        "     - name: c\n"
        f"-      image: {BAD}\n"
        f"+      image: {GOOD}\n"
    )
    assert "would fix 1 finding(s) in 1 file(s)" in result.stderr
    assert (tmp_path / "pod.yaml").read_text() == pod(BAD)
    (tmp_path / "pod.yaml").write_text(pod(GOOD))
    clean = invoke("--diff", "pod.yaml")
    assert (clean.exit_code, clean.stdout) == (0, "")


def test_exit_codes_after_fixing(tmp_path):
    # Fixed, nothing left: 0; fixed, something left: 1; --exit-non-zero-on-fix: 1 when fixed.
    _, result = fix(tmp_path / "a.yaml", pod(BAD))
    assert result.exit_code == 0 and "No problems found" in result.stdout
    _, result = fix(tmp_path / "a.yaml", pod(BAD), "--exit-non-zero-on-fix")
    assert result.exit_code == 1
    _, result = fix(tmp_path / "a.yaml", pod(GOOD), "--exit-non-zero-on-fix")
    assert result.exit_code == 0
    left = pod(BAD, "      imagePullPolicy: Sometimes\n")
    fixed, result = fix(tmp_path / "a.yaml", left)
    assert fixed.decode() == left.replace(BAD, GOOD)
    assert result.exit_code == 1 and "invalid-pull-policy" in result.stdout


def test_fix_only_reports_nothing_else(tmp_path):
    text = pod(BAD, "      imagePullPolicy: Sometimes\n")
    (tmp_path / "a.yaml").write_text(text)
    result = invoke("--fix-only", str(tmp_path / "a.yaml"))
    assert result.exit_code == 0 and result.stdout == ""
    assert (tmp_path / "a.yaml").read_text() == text.replace(BAD, GOOD)


def test_fix_from_the_configuration_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".imagelint.yaml").write_text("fix: true\n")
    (tmp_path / "a.yaml").write_text(pod(BAD))
    from click.testing import CliRunner

    from imagelint.cli.commands import cli

    result = CliRunner().invoke(cli, ["check", "a.yaml"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a.yaml").read_text() == pod(GOOD)


def test_standard_input_is_fixed_to_standard_output():
    result = invoke("--fix", "-", input=pod(f"'{BAD}'  # web"))
    assert result.stdout == pod(f"'{GOOD}'  # web")
    assert "fixed 1 finding(s)" in result.stderr
    assert result.exit_code == 0
    left = invoke("--fix", "--stdin-filename", "web.yaml", "-", input=pod("gcr.oi/acme/web:1"))
    assert left.stdout == pod("gcr.oi/acme/web:1")
    assert "web.yaml:7:14: IL112" in left.stderr and left.exit_code == 1
    diff = invoke("--diff", "-", input=pod(BAD))
    assert diff.stdout.startswith("--- a/<stdin>\n+++ b/<stdin>\n") and diff.exit_code == 1


def test_the_write_is_atomic_and_keeps_the_mode(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(pod(BAD))
    os.chmod(path, 0o640)
    before = os.stat(path).st_ino
    fixed, _ = fix(path, pod(BAD))
    assert fixed.decode() == pod(GOOD)
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o640)
    assert os.stat(path).st_ino != before  # a new file renamed over the old one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]  # no temporary left


def test_a_file_that_changed_since_it_was_read_is_not_written(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(pod(BAD))
    report = run(discover([str(path)]))
    fixes = prepare(applicable(report.findings, False), lambda display: display)
    path.write_text(pod(BAD) + "# edited meanwhile\n")
    assert write_files(fixes, [str(tmp_path)]) == []
    assert any("changed since it was read" in note for note in fixes.notes)
    assert path.read_text() == pod(BAD) + "# edited meanwhile\n"


def test_a_failed_write_leaves_the_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "a.yaml"
    path.write_text(pod(BAD))

    def refuse(source, target):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr("imagelint.fixing.files.os.replace", refuse)
    _, result = fix(path, pod(BAD))
    assert path.read_text() == pod(BAD)
    assert "not fixed: cannot write it: Permission denied" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_links_are_written_through_only_inside_the_checked_tree(tmp_path, monkeypatch):
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    (tree / "shared").mkdir()
    (tree / "shared" / "real.yaml").write_text(pod(BAD))
    (tree / "inside.yaml").symlink_to(tree / "shared" / "real.yaml")
    (outside / "real.yaml").write_text(pod(BAD))
    (tree / "elsewhere.yaml").symlink_to(outside / "real.yaml")
    monkeypatch.chdir(tmp_path)
    result = invoke("--fix", "tree/inside.yaml", "tree/elsewhere.yaml")
    assert (tree / "shared" / "real.yaml").read_text() == pod(GOOD)
    assert (tree / "inside.yaml").is_symlink()
    assert (outside / "real.yaml").read_text() == pod(BAD)
    assert "a symbolic link to outside the checked tree" in result.output
    assert result.exit_code == 1


def test_edits_cross_worker_processes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for index in range(120):
        (tmp_path / f"pod{index:03d}.yaml").write_text(pod(f"k8s.gcr.io/app{index}:1.{index}"))
    one = invoke("--diff", "--jobs", "1", ".")
    two = invoke("--diff", "--jobs", "2", ".")
    assert one.stdout == two.stdout and one.stdout.count("+++ b/pod") == 120


def test_a_finding_keeps_its_edit_through_pickling(tmp_path):
    import pickle

    path = tmp_path / "a.yaml"
    path.write_text(pod(BAD))
    [finding] = run(discover([str(path)])).findings
    copy = pickle.loads(pickle.dumps(finding))
    assert copy.edit == finding.edit and copy.edit is not None and copy.edit.new == "s"
