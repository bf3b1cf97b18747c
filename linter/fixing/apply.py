"""The fixes of a run's findings, file by file: which edits apply (safe ones, and unsafe ones
when asked), the fixed bytes of each file, a unified diff of them, and writing them."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence

from imagelint.core.fixes import Edit
from imagelint.core.model import Finding
from imagelint.fixing.files import NotWritten, Original, read, write
from imagelint.fixing.texts import fix_text


class FileFix:
    """One file's fixes: ``display`` as findings name it, what was read, the fixed bytes (None:
    nothing to change), the edits made, and notes on edits that were not."""

    __slots__ = ("display", "original", "fixed", "made", "notes")

    def __init__(self, display: str, original: Original) -> None:
        self.display = display
        self.original = original
        self.fixed: bytes | None = None
        self.made: set[Edit] = set()
        self.notes: list[str] = []


class Fixes:
    """What fixing a run's findings gives: the files to change, and notes on what could not be
    fixed (a file changed since it was checked, a fix that would change more than its value)."""

    __slots__ = ("files", "notes")

    def __init__(self) -> None:
        self.files: list[FileFix] = []
        self.notes: list[str] = []

    def fixed(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings that the edits made fix."""
        made = {(f.display, edit) for f in self.files if f.fixed is not None for edit in f.made}
        return [f for f in findings if f.edit is not None and (f.edit.path, f.edit) in made]

    def changed(self) -> list[FileFix]:
        return [f for f in self.files if f.fixed is not None]


def applicable(findings: Iterable[Finding], unsafe: bool) -> list[Edit]:
    """The edits to make: safe ones, and unsafe ones with ``unsafe``."""
    return [f.edit for f in findings if f.edit is not None and (unsafe or f.edit.safe)]


def prepare(edits: Sequence[Edit], locate: Callable[[str], str | None]) -> Fixes:
    """Each file's fixed bytes; ``locate``: where the file a finding names is (None: nowhere to
    write it)."""
    fixes = Fixes()
    by_file: dict[str, list[Edit]] = {}
    for edit in edits:
        by_file.setdefault(edit.path, []).append(edit)
    for display, file_edits in by_file.items():
        path = locate(display)
        original = read(path) if path is not None else "it is not a file imagelint can write"
        if isinstance(original, str):
            fixes.notes.append(f"{display}: not fixed: {original}")
            continue
        outcome = fix_text(display, original.text, file_edits)
        result = FileFix(display, original)
        for edit, why in outcome.abandoned:
            result.notes.append(
                f"{display}:{edit.line}:{edit.column}: fix not made ({edit.title}): {why}"
            )
        if outcome.text is not None:
            result.fixed = original.encode(outcome.text)
            result.made = set(outcome.made)
        fixes.files.append(result)
        fixes.notes.extend(result.notes)
    return fixes


def write_files(fixes: Fixes, roots: Iterable[str]) -> list[FileFix]:
    """Write every changed file; the ones written. A file that cannot be written keeps its
    findings (its edits are dropped) and gets a note."""
    written = []
    roots = list(roots)
    for result in fixes.changed():
        assert result.fixed is not None
        try:
            write(result.original, result.fixed, roots)
        except NotWritten as error:
            fixes.notes.append(f"{result.display}: not fixed: {error}")
            result.fixed, result.made = None, set()
            continue
        written.append(result)
    return written


def unified_diff(fixes: Fixes) -> str:
    """The changes, as ``diff -u`` shows them (a/ and b/ before the paths, as git does)."""
    chunks = []
    for result in fixes.changed():
        assert result.fixed is not None
        before = result.original.text.splitlines(keepends=True)
        after = result.fixed[len(result.original.bom) :].decode(result.original.encoding)
        lines = difflib.unified_diff(
            before, after.splitlines(keepends=True), f"a/{result.display}", f"b/{result.display}"
        )
        for line in lines:
            chunks.append(
                line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
            )
    return "".join(chunks)
