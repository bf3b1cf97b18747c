"""Files that are not what they seem, and standard input that misbehaves.

Files that vanish or change between discovery and reading, unreadable files and directories,
symlink loops, FIFOs and endless devices among the manifests; standard input closed, empty,
cut short or not UTF-8. Expected of each: a clear message or finding about the bad one, the
other files still checked, exit code 1 (findings) or 2 (usage) - never a hang, a crash, a
traceback or an "internal error".

Runs that could hang or eat memory are child processes (tests/bounds.py's ``run``: a timeout
and an address-space limit); the others run in-process through ``imagelint.cli.main``.

Permissions: root reads files whatever their mode, so as root the children that must meet
"permission denied" run without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (dropped from the
capability bounding set before exec), which makes the kernel check modes for them as for any
user; each such test first makes sure a child really cannot read the file, else it skips.
"""

from __future__ import annotations

import ctypes
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import imagelint.reading.sources
from imagelint.cli import main
from tests import bounds

GOOD = bounds.pod("good", "Bad:1")  # one IL102 finding: proof that this file was checked


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """tmp_path/d/good.yaml (one finding), the current directory being tmp_path."""
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "good.yaml").write_text(GOOD)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint(capsys, *args: str) -> tuple[int, dict, str]:
    """imagelint check in this process: exit code, JSON report, standard error."""
    code = main(["check", "--isolated", "--format", "json", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    return code, json.loads(out) if out else {}, err


def by_path(report: dict) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for finding in report["findings"]:
        found.setdefault(finding["path"], []).append((finding["code"], finding["message"]))
    return found


def finished(result, codes=(1,)):
    """A child run that ended by itself, without a crash or an internal error."""
    assert not result.timed_out, f"still running after {result.seconds:.1f} s"
    assert result.exit_code is not None and result.exit_code >= 0, result.exit_code
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "internal error" not in result.stderr, result.stderr[-2000:]
    assert result.exit_code in codes, (result.exit_code, result.stderr[-2000:])
    return result


def child_paths(result) -> set[str]:
    return {finding["path"] for finding in result.findings}


def mentioned(result, name: str) -> bool:
    return name in result.stdout or name in result.stderr


# --------------------------------------------------------------------------------------------
# Files that vanish or change during the run
# --------------------------------------------------------------------------------------------


def _after_discovery(monkeypatch, change):
    """Run ``change()`` after the files are discovered and before any is read."""
    discover = imagelint.reading.sources.discover

    def discover_then_change(*args, **kwargs):
        refs = discover(*args, **kwargs)
        change()
        return refs

    monkeypatch.setattr(imagelint.reading.sources, "discover", discover_then_change)


def test_file_deleted_between_discovery_and_reading(tree, capsys, monkeypatch):
    (tree / "d" / "gone.yaml").write_text(GOOD)
    _after_discovery(monkeypatch, lambda: os.remove("d/gone.yaml"))
    code, report, _ = lint(capsys, "d")
    assert code == 1
    found = by_path(report)
    assert found["d/gone.yaml"] == [("IL004", "cannot read file: no such file or directory")]
    assert [c for c, _ in found["d/good.yaml"]] == ["IL102"]  # the other file is still checked


def _replace_with_directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _replace_with_dangling_symlink(path: Path) -> None:
    path.unlink()
    path.symlink_to("nowhere.yaml")


CHANGES = {
    "truncated": (lambda p: p.write_text(""), []),
    "grown": (
        lambda p: p.write_text(GOOD + "---\n" + bounds.pod("second", "nginx")),
        [("IL102", 'image "Bad:1": the repository path "Bad" has capital letters'), ("IL105", "")],
    ),
    "binary": (lambda p: p.write_bytes(b"\x00\x01\x02"), [("IL003", "binary file")]),
    "directory": (_replace_with_directory, [("IL004", "cannot read file: it is a directory")]),
    "dangling-symlink": (
        _replace_with_dangling_symlink,
        [("IL004", "cannot read file: no such file or directory")],
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_file_changed_between_discovery_and_reading(tree, capsys, monkeypatch, change):
    path = tree / "d" / "changed.yaml"
    path.write_text(GOOD)
    apply, expected = CHANGES[change]
    _after_discovery(monkeypatch, lambda: apply(Path("d/changed.yaml")))
    code, report, _ = lint(capsys, "d")
    assert code == 1
    found = by_path(report)
    assert [c for c, _ in found["d/good.yaml"]] == ["IL102"]  # the other file is still checked
    got = found.get("d/changed.yaml", [])
    assert [c for c, _ in got] == [c for c, _ in expected]  # what the file holds when read
    for (_, message), (_, start) in zip(got, expected, strict=True):
        assert message.startswith(start)


def test_file_replaced_by_a_fifo_after_discovery(tree):
    script = (
        "import os, sys, imagelint.reading.sources as sources\n"
        "from imagelint.cli import main\n"
        "discover = sources.discover\n"
        "def swap(*args, **kwargs):\n"
        "    refs = discover(*args, **kwargs)\n"
        "    os.remove('d/changed.yaml')\n"
        "    os.mkfifo('d/changed.yaml')\n"
        "    return refs\n"
        "sources.discover = swap\n"
        "sys.exit(main(['check', '--isolated', '--format', 'json', 'd']))\n"
    )
    (tree / "d" / "changed.yaml").write_text(GOOD)
    result = finished(bounds.run(["-c", script], cwd=tree, timeout=2.5, module=None))
    assert "d/good.yaml" in child_paths(result) and mentioned(result, "d/changed.yaml")


# --------------------------------------------------------------------------------------------
# FIFOs and endless files
# --------------------------------------------------------------------------------------------


def test_fifo_in_a_directory_does_not_block(tree):
    os.mkfifo(tree / "d" / "fifo.yaml")
    result = finished(
        bounds.run(["check", "--isolated", "--format", "json", "d"], cwd=tree, timeout=2.5)
    )
    assert "d/good.yaml" in child_paths(result)
    assert mentioned(result, "d/fifo.yaml")  # not checked, and the user is told


def test_fifo_named_on_the_command_line_is_read(tree):
    # What `imagelint check <(helm template ...)` gives: a pipe to read to its end.
    fifo = tree / "rendered.yaml"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "w") as handle:
            handle.write(bounds.pod("rendered", "Bad:2"))

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    result = bounds.run(
        ["check", "--isolated", "--format", "json", "rendered.yaml", "d"], cwd=tree, timeout=30
    )
    writer.join(5)
    finished(result)
    assert child_paths(result) == {"rendered.yaml", "d/good.yaml"}


@pytest.mark.parametrize("named", [False, True], ids=["in-a-directory", "named"])
def test_endless_file_is_a_message(tree, named):
    os.symlink("/dev/zero", tree / "d" / "zero.yaml")
    paths = ["d/zero.yaml", "d/good.yaml"] if named else ["d"]
    result = bounds.run(
        ["check", "--isolated", "--format", "json", *paths],
        cwd=tree,
        timeout=20,
        memory_limit=1024 * bounds.MB,
    )
    finished(result)
    assert "d/good.yaml" in child_paths(result) and mentioned(result, "d/zero.yaml")
    assert result.peak_rss_mb < 500


# --------------------------------------------------------------------------------------------
# Links and directories
# --------------------------------------------------------------------------------------------


def test_symlink_loops(tree, capsys):
    d = tree / "d"
    (d / "sub").mkdir()
    (d / "sub" / "loop").symlink_to("..")  # a directory loop
    (d / "sub" / "up").symlink_to("../..")  # and a wider one
    (d / "ping").symlink_to("pong")  # two links that point at each other
    (d / "pong").symlink_to("ping")
    (d / "self.yaml").symlink_to("self.yaml")  # a file that is a link to itself
    (d / "a.yaml").symlink_to("b.yaml")
    (d / "b.yaml").symlink_to("a.yaml")
    code, report, _ = lint(capsys, "d")
    assert code == 1
    loop = [("IL004", "cannot read file: too many levels of symbolic links")]
    found = by_path(report)
    assert found.pop("d/good.yaml")[0][0] == "IL102"  # checked once, not once per loop
    assert found == {"d/a.yaml": loop, "d/b.yaml": loop, "d/self.yaml": loop}


def test_dangling_symlink(tree, capsys):
    (tree / "d" / "dangling.yaml").symlink_to("nowhere.yaml")
    code, report, _ = lint(capsys, "d", "d/dangling.yaml")
    assert code == 1
    assert by_path(report)["d/dangling.yaml"] == [
        ("IL004", "cannot read file: no such file or directory")
    ]
    assert "d/good.yaml" in by_path(report)


def test_directory_with_a_manifest_suffix_is_walked(tree, capsys):
    (tree / "d" / "x.yaml").mkdir()
    (tree / "d" / "x.yaml" / "inner.yml").write_text(bounds.pod("inner", "Bad:3"))
    for args in (["d"], ["d/x.yaml", "d/good.yaml"]):
        code, report, _ = lint(capsys, *args)
        assert code == 1
        assert sorted(by_path(report)) == ["d/good.yaml", "d/x.yaml/inner.yml"]


# --------------------------------------------------------------------------------------------
# Permissions
# --------------------------------------------------------------------------------------------

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _unprivileged() -> None:
    """In a child before exec: as root, lose the capabilities that bypass file modes."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def locked(tree):
    """d/secret.yaml (mode 000) and d/locked/ (mode 000, holding inner.yaml), as a child run
    through bounds.run(preexec=_unprivileged) cannot read them; skips where that is not so."""
    secret = tree / "d" / "secret.yaml"
    secret.write_text(GOOD)
    folder = tree / "d" / "locked"
    folder.mkdir()
    (folder / "inner.yaml").write_text(GOOD)
    secret.chmod(0)
    folder.chmod(0)
    probe = (
        "import os\n"
        "for path in ('d/secret.yaml', 'd/locked/inner.yaml'):\n"
        "    try:\n"
        "        open(path).close()\n"
        "    except PermissionError:\n"
        "        continue\n"
        "    raise SystemExit(f'{path} is readable')\n"
    )
    try:
        outcome = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=tree,
            preexec_fn=_unprivileged,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"cannot start an unprivileged child here: {error}")
    if outcome.returncode != 0:
        pytest.skip(f"a child can read mode-000 files here: {outcome.stderr.strip()}")
    yield tree
    folder.chmod(stat.S_IRWXU)
    secret.chmod(stat.S_IRUSR | stat.S_IWUSR)


def _unprivileged_run(folder: Path, *paths: str):
    return bounds.run(
        ["check", "--isolated", "--format", "json", *paths],
        cwd=folder,
        timeout=60,
        preexec=_unprivileged,
    )


def test_unreadable_file_in_a_directory(locked):
    result = finished(_unprivileged_run(locked, "d"))
    found = {(f["path"], f["code"], f["message"]) for f in result.findings}
    assert ("d/secret.yaml", "IL004", "cannot read file: permission denied") in found
    assert "d/good.yaml" in child_paths(result)


def test_unreadable_directory_in_a_directory(locked):
    result = finished(_unprivileged_run(locked, "d"))
    assert "d/good.yaml" in child_paths(result)
    assert mentioned(result, "d/locked")


def test_unreadable_file_named_on_the_command_line(locked):
    result = finished(_unprivileged_run(locked, "d/secret.yaml", "d/good.yaml"))
    assert child_paths(result) == {"d/secret.yaml", "d/good.yaml"}


# --------------------------------------------------------------------------------------------
# Standard input
# --------------------------------------------------------------------------------------------


def test_stdin_closed(tree):
    result = bounds.run(
        ["check", "--isolated", "--format", "json", "-", "d"], cwd=tree, close_stdin=True
    )
    finished(result)
    assert "d/good.yaml" in child_paths(result)
    assert any(f["path"] == "<stdin>" and f["code"] == "IL004" for f in result.findings)


def test_stdin_cut_short(tree):
    # The writer dies in the middle of a document: what came is checked, then the files.
    read_end, write_end = os.pipe()
    os.write(write_end, GOOD.encode()[:-10])  # the last line "    image: Bad:1" becomes "    ima"
    os.close(write_end)
    try:
        result = bounds.run(
            ["check", "--isolated", "--format", "json", "--stdin-filename", "helm.yaml", "-", "d"],
            cwd=tree,
            stdin=read_end,
            timeout=30,
        )
    finally:
        os.close(read_end)
    finished(result)
    assert child_paths(result) == {"helm.yaml", "d/good.yaml"}
    [cut] = [f for f in result.findings if f["path"] == "helm.yaml"]
    assert (cut["code"], cut["line"]) == ("IL001", 8)  # where the text stops


def test_stdin_empty(tree):
    result = finished(
        bounds.run(["check", "--isolated", "--format", "json", "-"], cwd=tree), codes=(0,)
    )
    assert result.findings == []
    assert "imagelint: no Kubernetes objects found in 1 file(s)" in result.stderr


def test_stdin_not_utf8(tree):
    (tree / "latin1.yaml").write_bytes(bounds.pod("caf\xe9").encode("latin-1"))
    result = bounds.run(
        ["check", "--isolated", "--format", "json", "--stdin-filename", "in.yaml", "-", "d"],
        cwd=tree,
        stdin=tree / "latin1.yaml",
    )
    finished(result)
    [finding] = [f for f in result.findings if f["path"] == "in.yaml"]
    assert finding["code"] == "IL003"
    assert finding["message"].startswith("file is not valid UTF-8 text: byte 0xE9 at line 4")
    assert "d/good.yaml" in child_paths(result)


def test_stdin_read_error(tree, capsys, monkeypatch):
    class Broken:
        def read(self, size=-1):
            raise OSError(5, "Input/output error")

    class Stdin:
        buffer = Broken()

    monkeypatch.setattr(sys, "stdin", Stdin())
    code, report, _ = lint(capsys, "-", "d")
    assert code == 1
    assert by_path(report)["<stdin>"] == [
        ("IL004", "cannot read standard input: input/output error")
    ]
    assert "d/good.yaml" in by_path(report)


def test_stdout_closed_early(tree):
    # `imagelint check big/ | head -1`: the reader goes away; no traceback.
    big = tree / "big.yaml"
    big.write_text("---\n".join(bounds.pod(f"p{i}", "Bad:1") for i in range(3000)))
    process = subprocess.Popen(
        [sys.executable, "-m", "imagelint", "check", "--isolated", "big.yaml"],
        cwd=tree,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.read(10)
    process.stdout.close()
    _, err = process.communicate(timeout=60)
    assert process.returncode in (1, 2)
    assert b"Traceback" not in err and b"Exception ignored" not in err, err
