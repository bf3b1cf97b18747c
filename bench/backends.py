"""What reading YAML with rapidyaml instead of ruamel.yaml's C composer would gain.

For every path given on the command line (a file, or a directory, walked by imagelint's own
``sources.discover``), taken as one corpus, it prints the minimum time, over --repeat interleaved rounds in this process, of:

1. floor: read each file, decode UTF-8 and compose every document with ruamel.yaml's C
   composer (``CSafeLoader``: ``while check_node(): get_node()``), as ``bench/core.py``'s
   floor does; files it refuses are skipped and counted;
2. ruamel walk: the floor, then a walk of every node reading what a linter needs: each
   scalar's value (keys included) and its line and column (``start_mark``);
3. rapidyaml parse: read, check UTF-8, ``ryml.parse_in_place`` into rapidyaml's tree;
4. rapidyaml walk: the same parse, then the same walk, once without line and column (keys
   and values only) and once with them. The Python binding of rapidyaml has
   no location API (its C++ ``Parser`` with locations is not wrapped), so a scalar's line and
   column are worked out from where its bytes lie in the parsed buffer (the address behind the
   memoryview, read with ``PyObject_GetBuffer``) and a table of line starts; a null value has
   no bytes, so no position, and neither side's containers are located.

Then the ratios to the floor, and a check done once, untimed: files each side refuses,
documents (every document of a ``---`` stream, an empty one included) and scalars per file,
scalar values, and the scalars whose line and column differ (ruamel gives a quoted scalar's
opening quote and a block scalar's ``|``/``>``; rapidyaml its first content byte, so quoted
scalars are moved back one column and block scalars are left to show up), with up to 5
examples of each difference. An alias counts as one scalar on both sides (rapidyaml keeps
``*name`` as a value), without a position.

Standard library, imagelint (for its file walk) and ruamel.yaml, plus rapidyaml (``pip install rapidyaml``, module ``ryml``)
if importable; without it, one line says so and the exit status is 0. Run:
python -m bench.backends [--repeat R] PATH [PATH ...]
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import sys
import time
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from ruamel.yaml.cyaml import CSafeLoader
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from imagelint.reading.sources import discover

try:
    import ryml
except ImportError:
    ryml = None

EXAMPLES = 5

# One scalar as a linter reads it: 0-based line and column (None when unknown) and value.
Scalar = tuple[int | None, int | None, str | None]


@dataclass
class FileResult:
    """What one side read from one file; ``ok`` is false when it refused the file."""

    ok: bool
    documents: int = 0
    scalars: list[Scalar] = field(default_factory=list)


def find_files(root: str) -> list[str]:
    """The files imagelint would read under ``root``, in its order."""
    return [ref.path for ref in discover([root]) if ref.path is not None and ref.problem is None]


def read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


# --------------------------------------------------------------------------------------------
# ruamel.yaml's C composer
# --------------------------------------------------------------------------------------------


def ruamel_compose(data: bytes) -> FileResult:
    """The floor for one file: decode, compose every document, keep nothing."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return FileResult(False)
    loader = CSafeLoader(text)
    documents = 0
    try:
        while loader.check_node():
            loader.get_node()
            documents += 1
    except Exception:
        return FileResult(False, documents)
    finally:
        loader.dispose()
    return FileResult(True, documents)


def ruamel_walk(data: bytes) -> FileResult:
    """Compose every document and read each scalar's value, line and column, in order."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return FileResult(False)
    anchors = "&" in text  # without an anchor there is no alias: no need to track nodes
    scalars: list[Scalar] = []
    loader = CSafeLoader(text)
    documents = 0
    try:
        while loader.check_node():
            # An alias is the same node object again; one set per document, as a document's
            # nodes may be freed (and their ids reused) once it is left.
            seen: set[int] | None = set() if anchors else None
            stack: list[Any] = [loader.get_node()]
            documents += 1
            while stack:
                node = stack.pop()
                if seen is not None:
                    if id(node) in seen:
                        scalars.append((None, None, None))
                        continue
                    seen.add(id(node))
                if isinstance(node, ScalarNode):
                    mark = node.start_mark
                    scalars.append((mark.line, mark.column, node.value))
                elif isinstance(node, MappingNode):
                    for key, value in reversed(node.value):
                        stack.append(value)
                        stack.append(key)
                elif isinstance(node, SequenceNode):
                    stack.extend(reversed(node.value))
    except Exception:
        return FileResult(False, documents)
    finally:
        loader.dispose()
    return FileResult(True, documents, scalars)


# --------------------------------------------------------------------------------------------
# rapidyaml
# --------------------------------------------------------------------------------------------


class _PyBuffer(ctypes.Structure):
    """CPython's ``Py_buffer``, to read the address behind a read-only memoryview."""

    _fields_ = [
        ("buf", ctypes.c_void_p),
        ("obj", ctypes.py_object),
        ("len", ctypes.c_ssize_t),
        ("itemsize", ctypes.c_ssize_t),
        ("readonly", ctypes.c_int),
        ("ndim", ctypes.c_int),
        ("format", ctypes.c_char_p),
        ("shape", ctypes.c_void_p),
        ("strides", ctypes.c_void_p),
        ("suboffsets", ctypes.c_void_p),
        ("internal", ctypes.c_void_p),
    ]


_get_buffer = ctypes.pythonapi.PyObject_GetBuffer
_get_buffer.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
_release_buffer = ctypes.pythonapi.PyBuffer_Release
_release_buffer.argtypes = [ctypes.POINTER(_PyBuffer)]
_VIEW = _PyBuffer()
_VIEW_REF = ctypes.byref(_VIEW)


def address(view: memoryview) -> int:
    _get_buffer(view, _VIEW_REF, 0)
    where = _VIEW.buf or 0
    _release_buffer(_VIEW_REF)
    return where


def block_indicator(data: bytes, starts: list[int], line: int) -> tuple[int, int]:
    """Line and byte column of the ``|``/``>`` of the block scalar whose content starts on
    ``line`` (rapidyaml points at the content, ruamel at the indicator), or of that line."""
    header = data[starts[line - 1] : starts[line]]
    comment = header.find(b" #")
    if comment >= 0:
        header = header[:comment]
    column = max(header.rfind(b"|"), header.rfind(b">"))
    return (line - 1, column) if column >= 0 else (line, 0)


def ryml_documents(tree: Any) -> int:
    root = tree.root_id()
    if tree.is_stream(root):
        return tree.num_children(root)
    return 0 if tree.type(root) == ryml.NOTYPE else 1


def ryml_parse(data: bytes) -> FileResult:
    """Check UTF-8 (as the floor decodes) and parse into rapidyaml's tree, keep nothing."""
    try:
        if not data.isascii():
            data.decode("utf-8")
        tree = ryml.parse_in_place(bytearray(data))
    except Exception:  # UnicodeDecodeError, ryml.ExceptionBasic
        return FileResult(False)
    return FileResult(True, ryml_documents(tree))


def ryml_walk(data: bytes, positions: bool = True) -> FileResult:
    """Parse, then read each scalar's value and (if ``positions``) its line and column, in
    document order."""
    try:
        ascii_only = data.isascii()
        if not ascii_only:
            data.decode("utf-8")
        buffer = bytearray(data)
        tree = ryml.parse_in_place(buffer)
    except Exception:
        return FileResult(False)
    base = ctypes.addressof(ctypes.c_char.from_buffer(buffer))
    size = len(data)
    starts = [0, *accumulate(len(line) for line in data.splitlines(True))]
    has_key, key, has_val, val = tree.has_key, tree.key, tree.has_val, tree.val
    first_child, next_sibling, none = tree.first_child, tree.next_sibling, ryml.NONE
    scalars: list[Scalar] = []

    def locate(view: memoryview | None) -> Scalar:
        if view is None:  # a null value: no bytes, no position
            return None, None, ""
        value = str(view, "utf-8")
        if not positions:
            return None, None, value
        offset = address(view) - base
        if not 0 <= offset < size:  # filtered into the tree's arena
            return None, None, value
        if offset and data[offset - 1] in (34, 39):  # '"', "'": ruamel points at the quote
            offset -= 1
        line = bisect_right(starts, offset) - 1
        column = offset - starts[line]
        if not column and line and data[offset] in b" \t\r\n":  # block scalar content
            line, column = block_indicator(data, starts, line)
        if not ascii_only:
            column = len(data[starts[line] : starts[line] + column].decode("utf-8", "replace"))
        return line, column, value

    stack = [tree.root_id()]
    while stack:
        node = stack.pop()
        if has_key(node):
            scalars.append(locate(key(node)))
        if has_val(node):
            scalars.append(locate(val(node)))
        children = []
        child = first_child(node)
        while child != none:
            children.append(child)
            child = next_sibling(child)
        stack.extend(reversed(children))
    return FileResult(True, ryml_documents(tree), scalars)


@contextmanager
def quiet_stderr() -> Iterator[None]:
    """rapidyaml's C++ side writes every parse error to file descriptor 2: drop it."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


# --------------------------------------------------------------------------------------------
# Measuring and checking
# --------------------------------------------------------------------------------------------

SIDES: list[tuple[str, Callable[[bytes], FileResult]]] = [
    ("ruamel C composer (floor)", ruamel_compose),
    ("ruamel compose + walk", ruamel_walk),
    ("rapidyaml parse", ryml_parse),
    ("rapidyaml parse + walk, no line/col", lambda data: ryml_walk(data, positions=False)),
    ("rapidyaml parse + walk (line/col)", ryml_walk),
]


def run(paths: Sequence[str], read_one: Callable[[bytes], FileResult]) -> None:
    for path in paths:
        read_one(read(path))


def measure(paths: Sequence[str], repeat: int) -> dict[str, float]:
    """Minimum seconds of each side over ``repeat`` rounds, the order rotated every round."""
    best = {name: float("inf") for name, _ in SIDES}
    for round_ in range(repeat):
        for i in range(len(SIDES)):
            name, read_one = SIDES[(i + round_) % len(SIDES)]
            gc.collect()
            start = time.perf_counter()
            run(paths, read_one)
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def examples(items: list[str]) -> str:
    shown = "; ".join(items[:EXAMPLES])
    return f" (e.g. {shown})" if items else ""


def check(paths: Sequence[str]) -> list[str]:
    """Compare, file by file, what the two sides read; lines to print."""
    ruamel_only: list[str] = []
    ryml_only: list[str] = []
    both_refuse = 0
    doc_diff: list[str] = []
    scalar_diff: list[str] = []
    value_diff: list[str] = []
    position_diff: list[str] = []
    totals = [0, 0, 0, 0]  # documents ruamel, ryml; scalars ruamel, ryml (files both read)
    positions = nulls = in_arena = 0
    for path in paths:
        data = read(path)
        mine = ruamel_walk(data)
        theirs = ryml_walk(data)
        if not mine.ok or not theirs.ok:
            if mine.ok:
                ruamel_only.append(path)
            elif theirs.ok:
                ryml_only.append(path)
            else:
                both_refuse += 1
            continue
        totals[0] += mine.documents
        totals[1] += theirs.documents
        totals[2] += len(mine.scalars)
        totals[3] += len(theirs.scalars)
        if mine.documents != theirs.documents:
            doc_diff.append(f"{path} {mine.documents} vs {theirs.documents}")
        if len(mine.scalars) != len(theirs.scalars):
            scalar_diff.append(f"{path} {len(mine.scalars)} vs {len(theirs.scalars)}")
            continue
        for (line, column, value), (r_line, r_column, r_value) in zip(
            mine.scalars, theirs.scalars, strict=True
        ):
            if value is None:  # an alias on ruamel's side
                continue
            if value != r_value:
                value_diff.append(
                    f"{path}:{line + 1}:{column + 1} {value[-30:]!r} vs {r_value[-30:]!r}"
                )
            if r_line is None:
                if r_value:
                    in_arena += 1
                else:
                    nulls += 1
            elif (line, column) == (r_line, r_column):
                positions += 1
            else:
                position_diff.append(
                    f"{path} {line + 1}:{column + 1} vs {r_line + 1}:{r_column + 1} {value[:20]!r}"
                )
    return [
        f"  documents (files both read): ruamel {totals[0]:,}, rapidyaml {totals[1]:,}; "
        f"files differing: {len(doc_diff)}{examples(doc_diff)}",
        f"  scalars (files both read): ruamel {totals[2]:,}, rapidyaml {totals[3]:,}; "
        f"files differing: {len(scalar_diff)}{examples(scalar_diff)}",
        f"  refused by both: {both_refuse}; by rapidyaml only: {len(ruamel_only)}"
        f"{examples(ruamel_only)}",
        f"  refused by ruamel only: {len(ryml_only)}{examples(ryml_only)}",
        f"  scalar values differing: {len(value_diff)}{examples(value_diff)}",
        f"  positions: {positions:,} equal, {len(position_diff):,} differ, unknown on "
        f"rapidyaml's side: {nulls:,} null values, {in_arena:,} others{examples(position_diff)}",
    ]


def report(root: str, repeat: int) -> None:
    paths = find_files(root)
    data = [read(path) for path in paths]
    floor_results = [ruamel_compose(d) for d in data]
    with quiet_stderr():
        ryml_results = [ryml_parse(d) for d in data]
        times = measure(paths, repeat)
        checks = check(paths)
    print(
        f"{root}: {len(paths):,} files, {sum(map(len, data)) / 1e6:.1f} MB, "
        f"documents ruamel {sum(r.documents for r in floor_results if r.ok):,} "
        f"(refused {sum(not r.ok for r in floor_results)} files), "
        f"rapidyaml {sum(r.documents for r in ryml_results if r.ok):,} "
        f"(refused {sum(not r.ok for r in ryml_results)} files)"
    )
    floor = times[SIDES[0][0]]
    walk = times[SIDES[1][0]]
    for name, _ in SIDES:
        seconds = times[name]
        line = f"  {name:36} {seconds:8.3f} s  {seconds / floor:6.3f}x floor"
        if name.endswith("walk (line/col)"):
            line += f"  {seconds / walk:6.3f}x ruamel compose + walk"
        print(line)
    parse = times[SIDES[2][0]]
    print(
        f"  saved by rapidyaml: {1 - parse / floor:.0%} of the floor (parse alone); "
        f"{1 - times[SIDES[4][0]] / walk:.0%} of ruamel compose + walk (walk with line/col)"
    )
    for line in checks:
        print(line)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="files or directories; each is one corpus")
    parser.add_argument("--repeat", type=int, default=5, help="rounds per side (minimum kept)")
    args = parser.parse_args(argv)
    if ryml is None:
        print("rapidyaml is not installed (pip install rapidyaml): nothing to compare; skipped")
        return 0
    print(
        f"Python {sys.version.split()[0]}, rapidyaml {ryml.version}, "
        f"minimum of {args.repeat} interleaved rounds"
    )
    for root in args.paths:
        report(root, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
