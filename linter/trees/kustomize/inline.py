"""Patches written inside a kustomization (``patch: |-``, a string in
``patchesStrategicMerge``): composed from the string, their nodes placed where their text
stands in the kustomization file, so a finding about a patched value points at that line."""

from __future__ import annotations

from collections.abc import Callable

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.reading.loader import LoadedFile
from imagelint.reading.sources import Problem
from imagelint.trees.kustomize.context import Run
from imagelint.trees.kustomize.kustomization import Kustomization
from imagelint.trees.origins import NamedMark, load_tree_file

# (line, column) in a string -> (line, column, index) in the file, all 0-based.
Place = Callable[[int, int], tuple[int, int, int]]


def inline_documents(run: Run, k: Kustomization, node: ScalarNode) -> list[Node]:
    """The documents of a patch written as a string in ``k``; syntax problems are reported
    at their lines in the kustomization."""
    key = (f"{k.path}#{node.start_mark.index}", k.display)
    loaded = run.cache.loaded.get(key)
    if loaded is not None and not loaded.problems:
        return [d.node for d in loaded.documents]
    place = _placement(k.loaded, node)
    if loaded is None:
        loaded = load_tree_file(k.display, node.value)
        for document in loaded.documents:
            _move(document.node, place, k.display)
        if run.shared:
            run.cache.loaded[key] = loaded
    for problem in loaded.problems:
        line, column, _index = place(problem.line - 1, problem.column - 1)
        run.build.problems.append(
            (k.display, Problem(problem.rule, line + 1, column + 1, problem.message))
        )
    return [d.node for d in loaded.documents]


def _placement(loaded: LoadedFile, node: ScalarNode) -> Place:
    """A function from (line, column) in the string to (line, column, index) in the file."""
    start = node.start_mark
    if node.style == "|":
        text = loaded.text
        starts = [0]
        for i, char in enumerate(text):
            if char == "\n":
                starts.append(i + 1)
        first = start.line + 1
        indent = 0
        for line_number in range(first, len(starts)):
            end = starts[line_number + 1] - 1 if line_number + 1 < len(starts) else len(text)
            line = text[starts[line_number] : end].rstrip("\r")
            if line.strip():
                indent = len(line) - len(line.lstrip(" "))
                break

        def literal(line: int, column: int) -> tuple[int, int, int]:
            target = min(first + line, len(starts) - 1)
            return target, column + indent, starts[target] + column + indent

        return literal

    def fixed(_line: int, _column: int) -> tuple[int, int, int]:
        return start.line, start.column, start.index

    return fixed


def _move(root: Node, place: Place, display: str) -> None:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for name in ("start_mark", "end_mark"):
            mark = getattr(node, name)
            if mark is not None:
                line, column, index = place(mark.line, mark.column)
                setattr(node, name, NamedMark(display, line, column, index))
        if isinstance(node, MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
