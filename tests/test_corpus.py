"""imagelint reads every file of the shared corpus of real manifests without a crash."""

from __future__ import annotations

from imagelint.reading.sources import discover
from imagelint.running.engine import Engine


def test_whole_corpus_without_internal_errors(shared):
    refs = discover([str(shared / "corpus")])
    assert len(refs) >= 1800
    report = Engine().check(refs)
    assert report.internal_errors == []
    assert report.objects > 4000 and report.images > 2500
    lines = {}
    for ref in refs:
        if ref.path:
            with open(ref.path, "rb") as handle:
                lines[ref.display] = handle.read().count(b"\n") + 1
    for finding in report.findings:  # every finding points inside its file
        assert 1 <= finding.line <= lines[finding.path], finding
        assert finding.column >= 1


def test_jobs_give_the_same_report_as_one_process(shared):
    """--jobs splits the files across worker processes and merges their summaries for the
    cross-object rules: the output must be byte for byte the one of --jobs 1."""
    import subprocess
    import sys

    outputs = []
    for jobs in ("1", "3"):
        result = subprocess.run(
            [sys.executable, "-m", "imagelint", "check", "--select", "ALL", "--jobs", jobs,
             "--format", "json", str(shared / "corpus")],
            capture_output=True,
            text=True,
        )  # fmt: skip
        assert result.returncode == 1, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].count('"rule"') > 1000


def test_worker_processes_are_used_and_a_dead_one_is_reported(shared, monkeypatch):
    from imagelint.running import parallel

    refs = discover([str(shared / "corpus" / "real")])
    tasks = [(ref, False, False) for ref in refs]
    assert parallel.processes_for(4, tasks) == 4
    assert parallel.processes_for(4, tasks[:40]) == 1  # too few files to gain from workers
    assert parallel.processes_for(1, tasks) == 1
    report = Engine().check(refs, jobs=2)
    assert report.files == len(refs) and report.internal_errors == []

    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 1)  # fork, so the patch is seen
    monkeypatch.setattr(parallel, "_check_chunk", _die)
    report = Engine().check(refs, jobs=2)
    assert report.internal_errors and report.internal_errors[0].endswith(
        "a worker process stopped before checking it"
    )


def _die(chunk):
    import os

    os._exit(3)


def test_workers_end_when_their_parent_is_killed(shared, tmp_path):
    """A CI time-out kills imagelint, not always its workers: they must not linger."""
    import signal
    import subprocess
    import sys
    import time

    script = (
        "import os, sys, time\n"
        "from imagelint.running.engine import Engine\n"
        "from imagelint.reading.sources import discover\n"
        "import imagelint.running.parallel as p\n"
        "real = p._check_chunk\n"
        "def slow(chunk):\n"
        # one write per line: print() writes the number and the line end apart, and the two
        # workers' lines then interleave
        "    os.write(1, f'{os.getpid()}\\n'.encode())\n"
        "    time.sleep(60)\n"
        "p._check_chunk = slow\n"
        f"Engine().check(discover([{str(shared / 'corpus' / 'real')!r}]), jobs=3)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers = {int(parent.stdout.readline()) for _ in range(2)}
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by init) counts as gone
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False
