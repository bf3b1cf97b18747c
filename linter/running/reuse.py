"""Checking a run again after a few of its files changed (the later passes of ``check --fix``),
at a cost that grows with the files changed rather than with the run.

A check of a run is its plan (which files are plain manifests, which are trees) and one result
per task. What checking a task gives depends only on the files it reads: a plain file reads
itself, a tree the files its builds read (:attr:`FileResult.read`, every one a real path; a
chart reads nothing outside its folder). So after a check, told the real paths of the files
changed since, the next check takes the previous result of every task that read none of them,
and checks only the others. The plan depends on the files' contents only through the
kustomization files (which folders a kustomization uses, which files it patches): it is kept
unless one of those changed. The run rules see every record again, as in a first check.

A reused result is shared between checks, never changed: the engine's merge copies what it
holds into the report and the run index, and everything it holds (findings, records,
suppressions) is immutable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Hashable, Iterator

from imagelint.kube.kustomize import KUSTOMIZATION_NAMES
from imagelint.running.results import FileResult, Task
from imagelint.trees.plan import CHART, TreeRef
from imagelint.trees.realpaths import RealPaths

# What names a plan: the files, the paths the user named, whether only records are wanted.
PlanKey = Hashable
# Checks some tasks: the result of each, in order.
CheckTasks = Callable[[list[Task]], Iterator["FileResult | str"]]


class Reuse:
    """What one check of a run leaves to the next: its plans and its results, by task."""

    __slots__ = ("_plans", "_results", "_reads", "_next", "_changed", "_realpath", "_open")

    def __init__(self) -> None:
        self._plans: dict[PlanKey, list[Task]] = {}
        self._results: dict[Task, FileResult] = {}  # the previous check's
        self._reads: dict[Task, frozenset[str]] = {}  # real paths each result depends on
        self._next: dict[Task, FileResult] = {}  # the check under way's
        self._changed: frozenset[str] | None = None
        self._realpath = RealPaths()
        self._open = False  # a check began and has not ended

    def begin(self, changed: Collection[str] | None) -> None:
        """A check starts. ``changed``: the real paths of the files changed since the previous
        check (None: any file may have, so nothing is reused)."""
        self._next = {}
        self._realpath = RealPaths()  # a run's memo: symbolic links may have changed too
        if changed is None or self._open:  # (open: the previous check stopped half-way)
            self._changed = None
            self._plans.clear()
            self._results.clear()
            self._reads.clear()
        else:
            self._changed = frozenset(changed)
            if any(os.path.basename(path) in KUSTOMIZATION_NAMES for path in self._changed):
                self._plans.clear()
        self._open = True

    def end(self) -> None:
        """The check is done: its results are the ones the next check may reuse."""
        for task in self._results.keys() - self._next.keys():
            self._reads.pop(task, None)
        self._results, self._next = self._next, {}
        self._open = False

    def tasks(self, key: PlanKey, make: Callable[[], list[Task]]) -> list[Task]:
        """The tasks of a run's files (``key`` names the files and how they are checked): the
        previous check's, or new ones made by ``make``."""
        tasks = self._plans.get(key)
        if tasks is None:
            tasks = self._plans[key] = make()
        return tasks

    def results(self, tasks: list[Task], check: CheckTasks) -> Iterator[FileResult | str]:
        """The result of each task, in order: the previous check's when the task read none of
        the changed files, else from ``check`` (given only the tasks to check, in order)."""
        kept: dict[Task, FileResult] = {}
        if self._changed is not None:
            for task in tasks:
                previous = self._results.get(task)
                if previous is not None and not self._touched(task, previous):
                    kept[task] = previous
        checked = check([task for task in tasks if task not in kept])
        for task in tasks:
            result: FileResult | str | None = kept.get(task)
            if result is None:
                result = next(checked)
                self._reads.pop(task, None)  # a new result: what it read is asked anew
            if isinstance(result, FileResult):  # a bug met checking it: checked again
                self._next[task] = result
            yield result
        leftover = next(checked, None)  # lets ``check`` finish (and stop its workers)
        assert leftover is None, "more results than tasks"

    def _touched(self, task: Task, result: FileResult) -> bool:
        """Whether checking ``task`` read a file that changed."""
        assert self._changed is not None
        if not self._changed:
            return False
        ref = task[0]
        if ref.path is None:  # standard input: read once, never the same again
            return True
        if isinstance(ref, TreeRef) and ref.kind == CHART:
            inside = ref.path.rstrip(os.sep) + os.sep
            if any(path.startswith(inside) for path in self._changed):
                return True
        return not self._changed.isdisjoint(self._read_by(task, result))

    def _read_by(self, task: Task, result: FileResult) -> frozenset[str]:
        """The real paths of the files ``result`` depends on: the file itself, the files a
        tree's builds read, and any file a finding of it is in (where fixes are written)."""
        reads = self._reads.get(task)
        if reads is None:
            ref = task[0]
            paths = set(result.read)
            if not isinstance(ref, TreeRef) and ref.path is not None:
                paths.add(self._realpath(ref.path))
            if isinstance(ref, TreeRef):
                paths.update(self._realpath(f.path) for f in result.findings if f.path != "-")
            reads = self._reads[task] = frozenset(paths)
        return reads
