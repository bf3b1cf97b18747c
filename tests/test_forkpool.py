"""The forked worker pool behind --jobs (imagelint.running.forkpool): results in task order
whoever checked them, chunks that shrink toward the end, a dead worker costing only the files
it held, no process left behind, and none of multiprocessing's imports."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from imagelint.reading.sources import SourceRef
from imagelint.running.forkpool import MAX_CHUNK, ForkPool
from imagelint.running.results import WORKER_STOPPED, Task

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forking platforms only")

PARENT = os.getpid()


def _tasks(count: int) -> list[Task]:
    return [(SourceRef(f"f-{index:04d}", None), False, False) for index in range(count)]


def _checked(task: Task) -> str:
    """A result that says which task it is for and which process checked it."""
    return f"{task[0].display} in {os.getpid()}"


def _in_workers(chunk: list[Task]) -> list[str]:
    return [_checked(task) for task in chunk]


def _no_start() -> None:
    pass


def _results(pool: ForkPool) -> list[str]:
    return [str(result) for result in pool.results(_checked)]


def _workers(pool: ForkPool) -> list[int]:
    return [worker.pid for worker in pool.live.values()]


def _reaped(pids: list[int]) -> bool:
    """Whether these children have all ended and been waited for (no zombie left)."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return True


def test_results_come_in_task_order_from_workers_and_from_here():
    tasks = _tasks(500)
    pool = ForkPool(tasks, 2, _in_workers, _no_start)
    pids = _workers(pool)
    results = _results(pool)
    assert [result.split(" in ")[0] for result in results] == [t[0].display for t in tasks]
    checkers = {result.split(" in ")[1] for result in results}
    assert str(PARENT) in checkers and len(checkers) == 3  # this process and both workers
    assert results[-1].endswith(f" in {PARENT}")  # this process checks from the back
    assert not results[0].endswith(f" in {PARENT}")
    assert len(pids) == 2 and _reaped(pids)


def test_chunks_shrink_as_the_tasks_run_out(tmp_path):
    log = tmp_path / "chunks"

    def slowly(task: Task) -> str:  # every process at about the same pace
        time.sleep(0.0005)
        return _checked(task)

    def logging_sizes(chunk: list[Task]) -> list[str]:
        with open(log, "a") as handle:  # one short line per write: appends do not interleave
            handle.write(f"{os.getpid()} {len(chunk)}\n")
        return [slowly(task) for task in chunk]

    list(ForkPool(_tasks(1500), 2, logging_sizes, _no_start).results(slowly))
    sizes: dict[str, list[int]] = {}
    for line in log.read_text().splitlines():
        pid, size = line.split()
        sizes.setdefault(pid, []).append(int(size))
    assert len(sizes) == 2
    for seen in sizes.values():
        assert seen == sorted(seen, reverse=True)  # each worker's chunks, in the order handed
        assert seen[0] == MAX_CHUNK and seen[-1] <= MAX_CHUNK // 8


def test_a_dead_worker_costs_only_the_files_it_held():
    tasks = _tasks(400)

    def dies_on_f0100(chunk: list[Task]) -> list[str]:
        if any(task[0].display == "f-0100" for task in chunk):
            os._exit(3)
        return _in_workers(chunk)

    pool = ForkPool(tasks, 2, dies_on_f0100, _no_start)
    pids = _workers(pool)
    results = _results(pool)
    assert len(results) == len(tasks)
    lost = [r for r in results if r == WORKER_STOPPED.format(r.split(":")[0])]
    assert WORKER_STOPPED.format("f-0100") in lost
    assert 1 <= len(lost) <= 2 * MAX_CHUNK  # the chunks it held, no more
    for task, result in zip(tasks, results, strict=True):
        assert result.startswith(task[0].display)
    assert len(pids) == 2 and _reaped(pids)


def test_every_worker_dead_leaves_the_rest_to_this_process():
    def dies(chunk: list[Task]) -> list[str]:
        os._exit(3)

    pool = ForkPool(_tasks(300), 2, dies, _no_start)
    pids = _workers(pool)
    results = _results(pool)
    assert len(results) == 300
    assert any(r.endswith("a worker process stopped before checking it") for r in results)
    assert results[-1].endswith(f" in {PARENT}")
    assert len(pids) == 2 and _reaped(pids)


def test_stopping_early_ends_the_workers():
    pool = ForkPool(_tasks(2000), 2, _in_workers, _no_start)
    pids = _workers(pool)
    results = pool.results(_checked)
    assert next(results).startswith("f-0000")
    results.close()
    assert len(pids) == 2 and _reaped(pids)


def test_a_worker_runs_start_first(tmp_path):
    marker = tmp_path / "started"

    def start() -> None:
        with open(marker, "a") as handle:
            handle.write(f"{os.getpid()}\n")

    _results(ForkPool(_tasks(200), 2, _in_workers, start))
    started = marker.read_text().split()
    assert len(started) == 2 and str(PARENT) not in started


def test_jobs_import_neither_multiprocessing_nor_concurrent_futures(shared):
    """Those imports cost a --jobs run about 17 ms before the first worker started."""
    script = (
        "import sys\n"
        "from imagelint.running.engine import Engine\n"
        "from imagelint.reading.sources import discover\n"
        f"report = Engine().check(discover([{str(shared / 'corpus' / 'real')!r}]), jobs=2)\n"
        "assert report.files > 64 and not report.internal_errors\n"
        "print(sorted(m for m in sys.modules if m.startswith(('multiprocessing', 'concurrent'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
