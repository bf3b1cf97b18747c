"""Which files a run reads, and their text.

Directories are walked recursively for ``*.yaml``, ``*.yml`` and ``*.json``, skipping hidden
entries, ``--exclude`` globs (:mod:`imagelint.reading.globs`) and, inside a git work tree,
what git ignores (:mod:`imagelint.reading.gitignore`); files named on the command line are read whatever their
suffix; ``-`` is standard input. Reading and decoding never raise: a file that cannot be read
or is not UTF-8 text becomes a :class:`Problem` with a position.
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from imagelint.core.frozen import ValueRecord, set_field
from imagelint.reading.globs import Glob, Matcher
from imagelint.rules import invalid_encoding, unreadable_file

if TYPE_CHECKING:  # imported when a folder is walked with respect-gitignore: see discover
    from imagelint.reading.gitignore import Ignored

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"
DEFAULT_STDIN_NAME = "<stdin>"
_GIT_CRYPT_MAGIC = b"\x00GITCRYPT\x00"
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class Problem(ValueRecord):
    """Something wrong with an input itself, reported under one of the input rules."""

    __slots__ = ("rule", "line", "column", "message")
    rule: str
    line: int  # 1-based
    column: int  # 1-based
    message: str

    def __init__(self, rule: str, line: int, column: int, message: str) -> None:
        set_field(self, "rule", rule)
        set_field(self, "line", line)
        set_field(self, "column", column)
        set_field(self, "message", message)


class SourceRef(ValueRecord):
    """An input to check: a file, or standard input."""

    __slots__ = ("display", "path", "walked", "problem")
    display: str  # the path as findings show it
    path: str | None  # where to read it; None for standard input
    walked: bool  # found in a directory (not named): only regular files are read
    problem: str | None  # why it cannot be read, known before reading (a directory)

    def __init__(
        self, display: str, path: str | None, walked: bool = False, problem: str | None = None
    ) -> None:
        set_field(self, "display", display)
        set_field(self, "path", path)
        set_field(self, "walked", walked)
        set_field(self, "problem", problem)


class PathNotFound(Exception):
    def __init__(self, path: str) -> None:
        super().__init__(f"no such file or directory: {path}")
        self.path = path


def _normalize(path: str) -> str:
    path = path.replace(os.sep, "/")
    while path.startswith("./") and len(path) > 2:
        path = path[2:]
    return path


class Excluder:
    """``exclude`` globs (:mod:`imagelint.reading.globs`): a plain string is relative to the
    current directory, a :class:`~imagelint.reading.globs.Glob` to its own folder."""

    def __init__(self, patterns: Iterable[str | Glob]) -> None:
        self.matcher = Matcher(patterns)

    def __call__(self, display: str) -> bool:
        return self.which(display) is not None

    def which(self, display: str) -> str | None:
        """The pattern that excludes ``display``, as written, if any."""
        glob = self.matcher.which(display)
        return None if glob is None else glob.pattern


# Told why a path found in a folder is not read (--show-files): the path, the reason.
Skipped = Callable[[str, str], None]


def _no_note(path: str, reason: str) -> None:
    """Skipped paths are not noted."""


def discover(
    paths: Iterable[str],
    exclude: Iterable[str | Glob] = (),
    stdin_name: str | None = None,
    gitignore: bool = False,
    skipped: Skipped | None = None,
) -> list[SourceRef]:
    """Expand command-line paths into the files to check, in a stable order. With
    ``gitignore``, what git ignores is not read in walked folders (named files always are);
    ``skipped`` is told of every folder and manifest file left out, and why.

    Raises :class:`PathNotFound` before anything is read if a named path does not exist.
    """
    excluded = Excluder(exclude)
    note = skipped or _no_note
    paths = list(paths)
    for path in paths:
        if path != STDIN and not os.path.lexists(path):
            raise PathNotFound(path)
    found: list[SourceRef] = []
    seen: set[str] = set()
    for path in paths:
        if path == STDIN:
            refs: Iterable[SourceRef] = [SourceRef(stdin_name or DEFAULT_STDIN_NAME, None)]
        elif os.path.isdir(path):
            ignored = None
            if gitignore:
                # Here, not at the top: only a walked folder reads git's ignore files.
                from imagelint.reading import gitignore as gitignored

                ignored = gitignored.ignored_under(path)
            refs = _walk(path, excluded, ignored, note)
        else:
            display = _normalize(path)
            pattern = excluded.which(display)
            if pattern is not None:
                note(display, f"excluded by {pattern!r}")
            refs = [] if pattern is not None else [SourceRef(display, path)]
        for ref in refs:
            if ref.display not in seen:
                seen.add(ref.display)
                found.append(ref)
    return found


def _kept(
    path: str, shown: str, folder: bool, excluded: Excluder, ignored: Ignored | None, note: Skipped
) -> bool:
    """Whether a folder or file found in a walk is read; if not, ``note`` is told why."""
    name = shown.rsplit("/", 1)[-1]
    reason = None
    if name.startswith("."):
        reason = "hidden"
    elif (pattern := excluded.which(shown)) is not None:
        reason = f"excluded by {pattern!r}"
    elif ignored is not None and (ignored.folder(path) if folder else ignored.file(path)):
        reason = "ignored by git (.gitignore, .git/info/exclude)"
    if reason is not None:
        note(shown + ("/" if folder else ""), reason)
    return reason is None


def _walk(
    root: str, excluded: Excluder, ignored: Ignored | None = None, note: Skipped = _no_note
) -> Iterator[SourceRef]:
    visited: set[tuple[int, int]] = set()
    unreadable: list[OSError] = []  # directories os.walk could not list, reported as found

    for directory, dirnames, filenames in os.walk(
        root, followlinks=True, onerror=unreadable.append
    ):
        while unreadable:
            yield _unreadable_directory(unreadable.pop(0))
        try:
            stat = os.stat(directory)
            identity = (stat.st_dev, stat.st_ino)
        except OSError:
            dirnames[:] = []
            continue
        if identity in visited:  # a symlink loop or a second link to the same directory
            dirnames[:] = []
            continue
        visited.add(identity)
        base = _normalize(directory)
        if len(base) > 1:
            base = base.rstrip("/")
        dirnames[:] = sorted(
            d
            for d in dirnames
            if _kept(os.path.join(directory, d), _inside(base, d), True, excluded, ignored, note)
        )
        for name in sorted(filenames):
            if not name.lower().endswith(MANIFEST_SUFFIXES):
                continue
            display = _inside(base, name)
            path = os.path.join(directory, name)
            if _kept(path, display, False, excluded, ignored, note):
                yield SourceRef(display, path, walked=True)
    while unreadable:
        yield _unreadable_directory(unreadable.pop(0))


def _inside(base: str, name: str) -> str:
    """How an entry of a walked folder is shown: ``base/name``, or ``name`` in ``.``."""
    return f"{base}/{name}" if base not in ("", ".") else name


def _unreadable_directory(error: OSError) -> SourceRef:
    path = error.filename if isinstance(error.filename, str) else "?"
    reason = f"cannot read directory: {_os_reason(error)}; the manifests in it are not checked"
    return SourceRef(_normalize(path).rstrip("/") or path, path, walked=True, problem=reason)


# A file larger than this is not read: Kubernetes' API server takes objects of up to 1.5 MB,
# so such a file is a mistake (or /dev/zero), and reading it would only exhaust memory.
MAX_FILE_BYTES = 256 << 20


# Standard input as read this run, by the name findings show for it (it cannot be read again).
STDIN_READ: dict[str, bytes] = {}


def read_bytes(ref: SourceRef) -> bytes | Problem:
    if ref.problem is not None:
        return Problem(unreadable_file.NAME, 1, 1, ref.problem)
    if ref.path is None:
        if sys.stdin is None:
            return Problem(unreadable_file.NAME, 1, 1, "cannot read standard input: it is closed")
        try:
            data = _bounded(sys.stdin.buffer.read(MAX_FILE_BYTES + 1), "standard input")
            if isinstance(data, bytes):  # kept for the source lines of --output-format full
                STDIN_READ[ref.display] = data
            return data
        except (OSError, ValueError) as error:
            return Problem(
                unreadable_file.NAME, 1, 1, f"cannot read standard input: {_os_reason(error)}"
            )
    try:
        # Files found in a directory are opened without waiting: a FIFO there must not hang
        # the run (one named on the command line, such as <(helm template ...), is read).
        flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
        if ref.walked:
            flags |= getattr(os, "O_NONBLOCK", 0)
        descriptor = os.open(ref.path, flags)
    except IsADirectoryError:
        return Problem(unreadable_file.NAME, 1, 1, "cannot read file: it is a directory")
    except OSError as error:
        return Problem(unreadable_file.NAME, 1, 1, f"cannot read file: {_os_reason(error)}")
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            return Problem(unreadable_file.NAME, 1, 1, "cannot read file: it is a directory")
        if ref.walked and not stat.S_ISREG(mode):
            return Problem(
                unreadable_file.NAME,
                1,
                1,
                "not a regular file (a FIFO, socket or device): not read; name it on the "
                "command line to read it",
            )
        if ref.walked and hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return _bounded(handle.read(MAX_FILE_BYTES + 1), "file")
    except OSError as error:
        return Problem(unreadable_file.NAME, 1, 1, f"cannot read file: {_os_reason(error)}")
    finally:
        os.close(descriptor)


def _bounded(data: bytes, what: str) -> bytes | Problem:
    if len(data) <= MAX_FILE_BYTES:
        return data
    return Problem(
        unreadable_file.NAME,
        1,
        1,
        f"{what} larger than {MAX_FILE_BYTES >> 20} MB: not read (no Kubernetes manifest is "
        "that large; is it the right file?)",
    )


def _os_reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error) or type(error).__name__


def decode(data: bytes) -> str | Problem | None:
    """The text of a manifest file, a Problem if it is not text, None if it is to be skipped.

    Kubernetes reads UTF-8 (and UTF-16/32 with a byte-order mark). git-crypt-locked files are
    skipped: they cannot be checked and are not a mistake.
    """
    if data.startswith(_GIT_CRYPT_MAGIC):
        return None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as error:
                return _encoding_problem(data, len(bom) + error.start, encoding)
    nul = data.find(b"\x00")
    if nul != -1:
        line, column = _byte_position(data, nul)
        return Problem(
            invalid_encoding.NAME,
            line,
            column,
            f"binary file (NUL byte at line {line}, column {column}), not a YAML or JSON manifest",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        return _encoding_problem(data, error.start, "utf-8")


def _encoding_problem(data: bytes, offset: int, encoding: str) -> Problem:
    line, column = _byte_position(data, offset)
    name = "UTF-8" if encoding == "utf-8" else encoding.upper()
    return Problem(
        invalid_encoding.NAME,
        line,
        column,
        f"file is not valid {name} text: byte 0x{data[offset]:02X} at line {line}, column "
        f"{column}; Kubernetes manifests must be UTF-8 (re-save the file as UTF-8)",
    )


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of a byte offset in possibly broken UTF-8."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return line, column
