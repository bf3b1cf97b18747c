"""Checking files in worker processes (``--jobs N``: this process and N - 1 workers).

Each worker runs the per-file stages (read, compose, find images, image rules) and sends back
the file's small result: its findings and the records the cross-object rules need, never YAML.
Results come back in file order and the parent merges them and runs the cross-object rules, so
a run gives the same report with any number of workers. While it waits for the next result, the
parent checks files no worker has been given yet (from the end), instead of idling.

The engine hands over what the workers run: a :class:`FileChecker` (itself), and a picklable
recipe that builds an equal one. Workers are forked where the platform can (no re-import, the
parent's checker as it is; :mod:`imagelint.running.forkpool`), else spawned by
``concurrent.futures`` (as children of this process, which they watch) and given the recipe. A
machine that cannot start processes checks the files here instead.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol

from imagelint.reading.sources import SourceRef
from imagelint.running.collect import collecting_rarely
from imagelint.running.results import WORKER_STOPPED, FileResult, Task

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from imagelint.trees.plan import TreeRef

# Below this many files per worker, starting workers costs more than it saves (forking and
# sending results back costs tens of milliseconds a worker; a typical file takes a millisecond
# or two to check).
FILES_PER_WORKER = 32
CHUNKS_PER_WORKER = 8  # smaller chunks balance uneven files; larger ones cost fewer messages
MAX_CHUNK = 64


class FileChecker(Protocol):
    """What the workers run on each file (the engine)."""

    def check_safely(
        self, ref: SourceRef | TreeRef, partial: bool, records_only: bool
    ) -> FileResult | str: ...


_checker: FileChecker | None = None  # the checker of this worker process


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def processes_for(jobs: int, tasks: list[Task]) -> int:
    """How many processes check the files, this one and its workers: no more than ``jobs``,
    one per ``FILES_PER_WORKER`` files, and this one alone for standard input (which only it
    can read)."""
    if jobs <= 1 or any(ref.path is None for ref, _, _ in tasks):
        return 1
    return max(1, min(jobs, len(tasks) // FILES_PER_WORKER))


def check_in_workers(
    checker: FileChecker,
    tasks: list[Task],
    processes: int,
    recipe: Callable[[], FileChecker],
) -> Iterator[FileResult | str]:
    """The result of each task, in order, from ``processes`` processes: this one and
    ``processes - 1`` workers (as many processes as CPUs asked for: a third process on two CPUs
    measured slower). ``recipe``: a picklable callable that builds a checker equal to
    ``checker``, for workers that are not forked."""
    global _checker
    workers = processes - 1
    if hasattr(os, "fork") and threading.active_count() == 1:  # forking with threads is unsafe
        # Here, not at the top: a run that starts no processes needs neither pickle nor pipes.
        from imagelint.running.forkpool import ForkPool

        parent = os.getpid()
        _checker = checker  # inherited by the forked workers
        try:
            pool = ForkPool(tasks, workers, _check_forked, lambda: _watch(parent))
            yield from pool.results(lambda task: checker.check_safely(*task))
        finally:
            _checker = None
        return
    size = max(1, min(MAX_CHUNK, len(tasks) // (workers * CHUNKS_PER_WORKER)))
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    yield from _spawned(checker, tasks, chunks, workers, recipe)


def _check_forked(chunk: list[Task]) -> list[FileResult | str]:
    return _check_chunk(chunk)  # looked up on each call, so that tests can replace it


def _spawned(
    checker: FileChecker,
    tasks: list[Task],
    chunks: list[list[Task]],
    workers: int,
    recipe: Callable[[], FileChecker],
) -> Iterator[FileResult | str]:
    """Where forking is unsafe or missing: spawned workers from ``concurrent.futures``, which
    are given the recipe and watch this process."""
    # Here, not at the top: they cost about 17 ms to import, and only spawning needs them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # Spawned, not started by a fork server: a fork server's workers are its children, so
    # they could not watch this process (and the server lives as long as they do).
    context = multiprocessing.get_context("spawn")
    try:
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(os.getpid(), recipe),
        )
    except (OSError, ImportError, NotImplementedError):  # no processes here: check in place
        for task in tasks:
            yield checker.check_safely(*task)
        return
    done = 0
    try:
        with pool:
            for result in _in_order(checker, pool, chunks):
                done += 1
                yield result
    except BrokenProcessPool:  # broken before every chunk was handed over
        for ref, _, _ in tasks[done:]:
            yield WORKER_STOPPED.format(ref.display)


def _in_order(
    checker: FileChecker, pool: Executor, chunks: list[list[Task]]
) -> Iterator[FileResult | str]:
    """The results of the chunks, in order. While the next chunk's result is not back, this
    process checks chunks itself, taking from the end those no worker has started, rather
    than wait: its share is never sent between processes, and it keeps checking while the
    workers start and while they finish."""
    from concurrent.futures.process import BrokenProcessPool

    futures = [pool.submit(_check_chunk, chunk) for chunk in chunks]
    here: dict[int, list[FileResult | str]] = {}  # chunks checked in this process
    untaken = len(chunks)  # the chunks from this one on are taken (here or by a worker)
    try:
        for index, future in enumerate(futures):
            while untaken > index and not future.done():
                untaken -= 1
                if futures[untaken].cancel():  # no worker has it yet: check it here
                    here[untaken] = [checker.check_safely(*task) for task in chunks[untaken]]
            results = here.pop(index, None)
            if results is None:
                try:
                    results = future.result()
                except BrokenProcessPool:  # a worker died (killed, out of memory): say so
                    results = [WORKER_STOPPED.format(ref.display) for ref, _, _ in chunks[index]]
            yield from results
    finally:  # stopped early: the chunks not started are not wanted
        for future in futures:
            future.cancel()


def _start_worker(parent: int, recipe: Callable[[], FileChecker]) -> None:
    """A spawned worker's start: the checker built from the recipe, and the watch."""
    global _checker
    _checker = recipe()
    _watch(parent)


def _watch(parent: int) -> None:
    """End this worker when the process that started it is gone (killed by a CI time-out, say):
    otherwise a worker blocked on writing a result nobody reads would wait for ever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(3)

    threading.Thread(target=watch, name="imagelint-parent-watch", daemon=True).start()


def _check_chunk(chunk: list[Task]) -> list[FileResult | str]:
    assert _checker is not None
    with collecting_rarely():  # as the engine does: composing makes no cycles
        return [_checker.check_safely(*task) for task in chunk]
