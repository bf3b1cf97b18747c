"""Forked worker processes that talk to the parent over pipes (``--jobs`` where ``fork`` is safe).

Why not ``concurrent.futures``: importing it and ``multiprocessing`` pulls in logging, sockets,
temporary files and more, about 17 ms before the first worker starts, and its queues add a
feeder and a manager thread. A forked worker already holds the parent's checker and the task
list, so all a worker needs is where its next chunk starts and ends, and all it sends back is
that chunk's pickled results.

Each worker has two pipes of its own: chunks in (the first task's and the end's index), results
out (the first task's index, the length, the pickle). The parent keeps two chunks handed to
each worker, from the front of the task list, and while the result it needs next is not back
it checks tasks itself, one at a time from the back. Chunks shrink as the tasks no one holds
run out (guided self-scheduling), so that at the end no process waits long for another's last
chunk. When a worker dies, the chunks it held are reported as not checked; the rest go to the
others or to the parent.

A worker ends when its chunk pipe closes, when writing a result finds the parent gone, or when
its watch sees that the parent is gone (see ``parallel._watch``).
"""

from __future__ import annotations

import os
import pickle
import select
import signal
from collections.abc import Callable, Iterator

from imagelint.running.results import WORKER_STOPPED, FileResult, Task

Outcome = list[FileResult | str]
HANDED = 2  # chunks handed to a worker at a time: it starts the next while the parent reads
MAX_CHUNK = 64  # tasks in a chunk at most: a result waits for its whole chunk
SHARES = 2  # a chunk is at most this fraction of an even share of the tasks no one holds yet
_HEAD = 12  # a result's head: the chunk's first task (4 bytes), the pickle's length (8)
_PIPE_SIZE = 1 << 20  # room for a few chunks' results while the parent checks a file
_F_SETPIPE_SZ = 1031  # Linux fcntl command; elsewhere the default size does


class _Worker:
    """The parent's end of one worker: its pid, pipes, the chunks it holds (first task to end),
    the bytes read but not yet a whole result."""

    __slots__ = ("pid", "send", "receive", "held", "buffer")

    def __init__(self, pid: int, send: int, receive: int) -> None:
        self.pid = pid
        self.send = send
        self.receive = receive
        self.held: dict[int, int] = {}
        self.buffer = bytearray()


class ForkPool:
    """``workers`` forked processes running ``check`` on chunks of ``tasks``, and this process
    checking tasks one at a time with ``check_here``; :meth:`results` puts them in order."""

    def __init__(
        self,
        tasks: list[Task],
        workers: int,
        check: Callable[[list[Task]], Outcome],
        start: Callable[[], None],
    ) -> None:
        self.tasks = tasks
        self.front = 0  # the first task not handed to a worker
        self.back = len(tasks)  # the tasks from here on are checked in this process
        self.live: dict[int, _Worker] = {}  # by the fd of its results pipe
        self.done: dict[int, tuple[int, Outcome]] = {}  # by first task: (end, results)
        self._poll = select.poll()
        for _ in range(workers):
            worker = _fork(tasks, check, start, list(self.live.values()))
            if worker is None:
                break
            self.live[worker.receive] = worker
            self._poll.register(worker.receive, select.POLLIN)

    def results(self, check_here: Callable[[Task], FileResult | str]) -> Iterator[FileResult | str]:
        """Every task's result, in order."""
        try:
            index = 0
            while index < len(self.tasks):
                while index not in self.done:
                    self._hand_out()
                    self._receive(wait=False)
                    if index in self.done:
                        break
                    if self.back > self.front:  # one no worker holds (the needed one, at worst)
                        self.back -= 1
                        self.done[self.back] = (self.back + 1, [check_here(self.tasks[self.back])])
                    else:  # every task up to the needed one is with a live worker
                        assert self.live, "a task held by no worker and not checked here"
                        self._receive(wait=True)
                index, results = self.done.pop(index)
                yield from results
        finally:
            self.close()

    def _hand_out(self) -> None:
        """Give each worker up to ``HANDED`` chunks, sized to what no one holds yet."""
        for worker in list(self.live.values()):
            while len(worker.held) < HANDED and self.front < self.back:
                share = (self.back - self.front) // ((len(self.live) + 1) * SHARES)
                end = self.front + max(1, min(MAX_CHUNK, share))
                try:
                    os.write(
                        worker.send, self.front.to_bytes(4, "little") + end.to_bytes(4, "little")
                    )
                except OSError:  # it died: reading its pipe will say so
                    break
                worker.held[self.front] = end
                self.front = end

    def _receive(self, wait: bool) -> None:
        """Read what the workers sent, waiting for something if ``wait``."""
        # poll, not select: no limit on descriptor numbers (select's is 1024), whatever --jobs.
        for fd, _ in self._poll.poll(None if wait else 0):
            worker = self.live[fd]
            data = os.read(fd, _PIPE_SIZE)
            if not data:  # it ended: what it held was not checked
                self._lost(worker)
                continue
            worker.buffer += data
            self._unpack(worker)

    def _unpack(self, worker: _Worker) -> None:
        buffer = worker.buffer
        view = memoryview(buffer)
        used = 0
        while len(buffer) - used >= _HEAD:
            size = int.from_bytes(view[used + 4 : used + _HEAD], "little")
            if len(buffer) - used < _HEAD + size:
                break
            first = int.from_bytes(view[used : used + 4], "little")
            results = pickle.loads(view[used + _HEAD : used + _HEAD + size])
            self.done[first] = (worker.held.pop(first), results)
            used += _HEAD + size
        view.release()
        del buffer[:used]

    def _lost(self, worker: _Worker) -> None:
        del self.live[worker.receive]
        self._poll.unregister(worker.receive)
        for first, end in worker.held.items():
            lost: Outcome = [
                WORKER_STOPPED.format(ref.display) for ref, _, _ in self.tasks[first:end]
            ]
            self.done[first] = (end, lost)
        _close(worker)
        _reap(worker.pid)  # its pipe closed when it ended

    def close(self) -> None:
        """End the workers: those still checking are not waited for."""
        for worker in self.live.values():
            _close(worker)
            if worker.held:
                _kill(worker.pid)
        for worker in self.live.values():
            _reap(worker.pid)
        self.live.clear()


def _fork(
    tasks: list[Task],
    check: Callable[[list[Task]], Outcome],
    start: Callable[[], None],
    others: list[_Worker],
) -> _Worker | None:
    """Start one worker, or None where the system refuses."""
    try:
        chunk_read, chunk_write = os.pipe()
        result_read, result_write = os.pipe()
    except OSError:
        return None
    _widen(result_write)
    try:
        pid = os.fork()
    except OSError:
        for fd in (chunk_read, chunk_write, result_read, result_write):
            os.close(fd)
        return None
    if pid == 0:  # the worker: keep only its own ends, so that a pipe closes with its process
        code = 70
        try:
            for other in others:
                _close(other)
            os.close(chunk_write)
            os.close(result_read)
            start()
            _work(tasks, check, chunk_read, result_write)
            code = 0
        finally:
            os._exit(code)  # never the parent's exit handlers or buffered output
    os.close(chunk_read)
    os.close(result_write)
    return _Worker(pid, chunk_write, result_read)


def _work(
    tasks: list[Task], check: Callable[[list[Task]], Outcome], source: int, sink: int
) -> None:
    """Check the chunks named on ``source`` and write their results to ``sink``, until the
    parent closes ``source``."""
    while True:
        head = _read_exactly(source, 8)
        if head is None:
            return
        first, end = int.from_bytes(head[:4], "little"), int.from_bytes(head[4:], "little")
        data = pickle.dumps(check(tasks[first:end]), pickle.HIGHEST_PROTOCOL)
        message = memoryview(head[:4] + len(data).to_bytes(8, "little") + data)
        while message:
            message = message[os.write(sink, message) :]


def _read_exactly(fd: int, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        more = os.read(fd, size - len(data))
        if not more:
            return None
        data += more
    return data


def _widen(fd: int) -> None:
    try:
        import fcntl  # a builtin module; absent on Windows, which never forks

        fcntl.fcntl(fd, _F_SETPIPE_SZ, _PIPE_SIZE)
    except (ImportError, OSError):  # not Linux, or over the system's limit: the default does
        pass


def _close(worker: _Worker) -> None:
    for fd in (worker.send, worker.receive):
        try:
            os.close(fd)
        except OSError:
            pass


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except OSError:
        pass
