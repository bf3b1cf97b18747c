"""Checking files in worker processes (``--jobs``).

Each worker runs the per-file stages (read, compose, find images, image rules) and sends back
the file's small result: its findings and the records the cross-object rules need, never YAML.
Results come back in file order and the parent merges them and runs the cross-object rules, so
a run gives the same report with any number of workers.

Workers are forked where the platform can (no re-import, the parent's engine as it is), else
spawned with the engine's settings and rule names. A machine that cannot start processes
checks the files here instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from imagelint.running.engine import Engine, FileResult, Task

# Below this many files per worker, starting workers costs more than it saves (forking and
# sending results back is ~30 ms a worker; a typical file takes 1-2 ms to check).
FILES_PER_WORKER = 32
CHUNKS_PER_WORKER = 8  # smaller chunks balance uneven files; larger ones cost fewer messages
MAX_CHUNK = 64

_engine: Engine | None = None  # the engine of this worker process


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def workers_for(jobs: int, tasks: list[Task]) -> int:
    """How many processes to use: no more than ``jobs``, one per ``FILES_PER_WORKER`` files,
    and none for standard input (which only this process can read)."""
    if jobs <= 1 or any(ref.path is None for ref, _, _ in tasks):
        return 1
    return max(1, min(jobs, len(tasks) // FILES_PER_WORKER))


def check_in_workers(engine: Engine, tasks: list[Task], workers: int) -> Iterator[FileResult | str]:
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _engine
    size = max(1, min(MAX_CHUNK, len(tasks) // (workers * CHUNKS_PER_WORKER)))
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    options: dict[str, Any] = {}
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:  # forking with threads is unsafe
        _engine = engine  # inherited by the forked workers
        options["mp_context"] = multiprocessing.get_context("fork")
        options["initializer"] = _start_worker
        options["initargs"] = (os.getpid(), None, None)
    else:
        method = "forkserver" if "forkserver" in methods else "spawn"
        options["mp_context"] = multiprocessing.get_context(method)
        options["initializer"] = _start_worker
        options["initargs"] = (os.getpid(), engine.settings, sorted(engine.enabled))
    try:
        pool = ProcessPoolExecutor(max_workers=workers, **options)
    except (OSError, ImportError, NotImplementedError):  # no processes here: check in place
        for task in tasks:
            yield engine.check_safely(*task)
        return
    done = 0
    try:
        with pool:
            for results in pool.map(_check_chunk, chunks):
                done += len(results)
                yield from results
    except BrokenProcessPool:  # a worker died (killed, out of memory): say so for each file
        for ref, _, _ in tasks[done:]:
            yield f"{ref.display}: a worker process stopped before checking it"
    finally:
        _engine = None


def _start_worker(parent: int, settings: Any, rule_names: list[str] | None) -> None:
    global _engine
    if rule_names is not None:  # spawned: build the engine (a forked worker has its parent's)
        from imagelint.core.rulebook import by_name
        from imagelint.running.engine import Engine

        _engine = Engine(settings, [by_name()[name] for name in rule_names])
    _watch(parent)


def _watch(parent: int) -> None:
    """End this worker when the process that started it is gone (killed by a CI time-out, say):
    otherwise a worker blocked on writing a result nobody reads would wait for ever."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(3)

    threading.Thread(target=watch, name="imagelint-parent-watch", daemon=True).start()


def _check_chunk(chunk: list[Task]) -> list[FileResult | str]:
    assert _engine is not None
    from imagelint.running.engine import collecting_rarely

    with collecting_rarely():  # as the engine does: composing makes no cycles
        return [_engine.check_safely(*task) for task in chunk]
