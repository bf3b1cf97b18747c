"""``imagelint check --fix`` and ``--diff`` (ruff's conventions): check, apply the fixes of the
findings, check again while fixes keep applying, and say what was fixed.

A fix can uncover another finding on the same value (``https://Foo/app:1.`` has three, one after
the other), so fixing runs in passes: each pass checks, makes the edits that do not overlap, and
writes the files; the next pass checks the fixed files again (and only what reads them: the
rest of the run keeps its results), until nothing more is fixed. A run with nothing to fix is
one check, as without ``--fix``.

Standard input is fixed in a temporary file that stands in for it, whose fixed text is then
written to standard output (the report goes to standard error).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from imagelint.reading.sources import STDIN, SourceRef
from imagelint.running.results import Report

if TYPE_CHECKING:  # imported when fixing: a run without --fix does without them
    from imagelint.fixing.apply import Fixes

# Passes of fixing at most: a value takes a pass per fix that uncovers the next one.
MAX_PASSES = 8


class FixMode:
    """What the fixing flags ask for."""

    __slots__ = ("write", "diff", "unsafe", "report", "exit_on_fix")

    def __init__(self, opts: Mapping[str, Any], fix: bool, unsafe: bool) -> None:
        self.diff = bool(opts.get("diff"))
        self.write = (fix or bool(opts.get("fix_only"))) and not self.diff
        self.unsafe = unsafe
        self.report = not (self.diff or opts.get("fix_only"))  # --diff implies --fix-only
        self.exit_on_fix = bool(opts.get("exit_non_zero_on_fix"))

    @property
    def active(self) -> bool:
        return self.write or self.diff


class FixOutcome:
    """What fixing did: findings fixed (or that would be), the files changed, notes, the diff."""

    __slots__ = ("fixed", "files", "notes", "diff")

    def __init__(self) -> None:
        self.fixed = 0
        self.files: set[str] = set()
        self.notes: list[str] = []
        self.diff = ""


def locator(refs: Iterable[SourceRef]) -> Callable[[str], str | None]:
    """Where the file a finding names is: a checked file by its reference; a file of a tree
    (a base, a values file) by its display path, which is relative to the current folder or
    absolute."""
    known = {ref.display: ref.path for ref in refs}

    def locate(display: str) -> str | None:
        if display in known:
            return known[display]
        return display if os.path.isfile(display) else None

    return locate


def roots_of(paths: Iterable[str], stdin_file: str | None) -> list[str]:
    """The checked tree's real folders: a named folder, the folder of a named file (where links
    may be written through), and the one standard input is held in."""
    roots = set()
    for path in paths:
        if path == STDIN:
            continue
        roots.add(os.path.realpath(path if os.path.isdir(path) else os.path.dirname(path) or "."))
    if stdin_file is not None:
        roots.add(os.path.dirname(os.path.realpath(stdin_file)))
    return sorted(roots)


def fix_run(
    check: Callable[[frozenset[str] | None], Report],
    mode: FixMode,
    locate: Callable[[str], str | None],
    roots: list[str],
) -> tuple[Report, FixOutcome]:
    """Check and fix as ``mode`` says; the last check's report and what was fixed.

    ``check(changed)`` checks the run: ``changed`` is None the first time, then the real paths
    of the files changed since the previous check (it may check only what read them)."""
    outcome = FixOutcome()
    report = check(None)
    for _ in range(MAX_PASSES if mode.write else 1):
        edits = [f.edit for f in report.findings if f.edit and (mode.unsafe or f.edit.safe)]
        if not edits:
            break  # a run with nothing to fix imports nothing of the fixing stage
        from imagelint.fixing.apply import prepare, unified_diff, write_files

        fixes = prepare(edits, locate)
        if mode.diff:
            outcome.notes.extend(fixes.notes)
            outcome.diff = unified_diff(fixes)
            _count(outcome, fixes, report, [f.display for f in fixes.changed()])
            break
        written = write_files(fixes, roots)
        outcome.notes.extend(note for note in fixes.notes if note not in outcome.notes)
        if not written:
            break
        _count(outcome, fixes, report, [f.display for f in written])
        # Every file read for fixing, written or not: one not written may have been changed
        # by someone else since it was checked.
        report = check(frozenset(os.path.realpath(f.original.path) for f in fixes.files))
    return report, outcome


def _count(outcome: FixOutcome, fixes: Fixes, report: Report, files: list[str]) -> None:
    outcome.fixed += len(fixes.fixed(report.findings))
    outcome.files.update(files)


def summary(report: Report, outcome: FixOutcome, mode: FixMode) -> list[str]:
    """What standard error says about the fixes."""
    lines = [f"note: {note}" for note in outcome.notes]
    files = len(outcome.files)
    if mode.diff:
        lines.append(f"would fix {outcome.fixed} finding(s) in {files} file(s)")
    else:
        lines.append(f"fixed {outcome.fixed} finding(s) in {files} file(s)")
    if not mode.unsafe:
        more = sum(1 for f in report.findings if f.edit is not None and not f.edit.safe)
        if more:
            lines.append(f"{more} more fix(es) available with --unsafe-fixes")
    return [f"imagelint: {line}" for line in lines]


def exit_status(mode: FixMode, outcome: FixOutcome, code: int) -> int:
    """The exit code: ``code`` (what the findings left say) unless the flags say otherwise."""
    if code == 2:
        return code
    if mode.diff:
        return 1 if outcome.diff else 0
    if mode.exit_on_fix and outcome.fixed:
        return 1
    return code if mode.report else 0


@contextmanager
def stdin_as_file(refs: list[SourceRef]) -> Iterator[tuple[list[SourceRef], str | None]]:
    """The references with standard input read into a temporary file that stands in for it
    (and that file's path, to write to standard output when done)."""
    if not any(ref.path is None and ref.problem is None for ref in refs):
        yield refs, None
        return
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="imagelint-stdin-")
    path = os.path.join(folder, "stdin.yaml")
    try:
        with open(path, "wb") as handle:
            handle.write(sys.stdin.buffer.read())
        yield [SourceRef(r.display, path) if r.path is None else r for r in refs], path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def echo_file(path: str) -> None:
    with open(path, "rb") as handle:
        data = handle.read()
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
