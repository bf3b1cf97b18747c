"""The layout's promises: small modules, no import cycles among imagelint's modules, and tests and
benchmarks that import each other as packages (never by file path, never by editing sys.path).

Imports are read from the syntax tree of every module under linter/ (``imagelint.*``) and rules/
(``imagelint.rules.*``), those inside functions included; only the ones under
``if TYPE_CHECKING:`` are left out, as they never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from tests.helpers import ROOT

MAX_LINES = 500
# Source folder -> the package it is installed as (pyproject.toml's package-dir).
SOURCES = {"linter": "imagelint", "rules": "imagelint.rules"}

# An import of ``target`` by a module, at this line of its file.
Edge = tuple[str, int]


def source_modules() -> dict[str, Path]:
    """Every module of imagelint by its dotted name (a package by its ``__init__.py``)."""
    modules: dict[str, Path] = {}
    for folder, package in SOURCES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join((package, *parts))] = path
    return modules


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement under ``node``, at any depth, except under ``if TYPE_CHECKING:``
    (its ``else:`` branch does run, so it counts)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child
        elif isinstance(child, ast.If) and _type_checking_only(child):
            for branch in child.orelse:
                yield from _import_nodes(ast.Module(body=[branch], type_ignores=[]))
        else:
            yield from _import_nodes(child)


def _known(name: str, modules: Mapping[str, object]) -> str | None:
    """``name`` if it is a module, else the closest package or module above it that is."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(
    name: str, tree: ast.AST, modules: Mapping[str, object], is_package: bool = False
) -> list[Edge]:
    """The imagelint modules that module ``name`` imports: ``from imagelint.x import y`` is the
    module ``imagelint.x.y`` when that is a module, else ``imagelint.x``."""
    edges: list[Edge] = []
    for node in _import_nodes(tree):
        targets: list[str | None] = []
        if isinstance(node, ast.Import):
            targets = [_known(alias.name, modules) for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                package = name if is_package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.append(submodule if submodule in modules else _known(base, modules))
        edges.extend(
            (target, node.lineno)
            for target in dict.fromkeys(targets)  # once per statement
            if target is not None and target != name and target.startswith("imagelint")
        )
    return edges


def import_graph() -> tuple[dict[str, list[Edge]], dict[str, Path]]:
    modules = source_modules()
    graph = {
        name: imports_of(
            name, ast.parse(path.read_text(encoding="utf-8")), modules, path.stem == "__init__"
        )
        for name, path in modules.items()
    }
    return graph, modules


def find_cycles(graph: Mapping[str, list[Edge]]) -> list[list[tuple[str, int]]]:
    """One cycle per group of modules that import each other (a strongly connected component of
    more than one module), as [(module, line of its import of the next), ...], first module
    repeated at the end with line 0."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target, _ in graph.get(node, ()):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [_cycle_in(sorted(component), graph) for component in components]


def _cycle_in(component: list[str], graph: Mapping[str, list[Edge]]) -> list[tuple[str, int]]:
    """The shortest way from the component's first module back to itself (breadth first)."""
    members = set(component)
    start = component[0]
    came_from: dict[str, tuple[str, int]] = {}
    frontier = [start]
    while frontier and start not in came_from:
        following = []
        for node in frontier:
            for target, line in graph.get(node, ()):
                if target in members and target not in came_from:
                    came_from[target] = (node, line)
                    following.append(target)
        frontier = following
    path = [(start, 0)]
    node = start
    while True:
        previous, line = came_from[node]
        path.append((previous, line))
        node = previous
        if node == start:
            break
    return path[::-1]


def _describe(cycle: list[tuple[str, int]], modules: Mapping[str, Path]) -> str:
    steps = [
        f"{name} ({modules[name].relative_to(ROOT)}:{line})" if line else name
        for name, line in cycle
    ]
    return " -> ".join(steps)


# -- the source tree ------------------------------------------------------------------------------


def test_no_module_over_500_lines():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in source_modules().values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"


def test_no_import_cycle_among_imagelint_modules():
    graph, modules = import_graph()
    assert sum(len(edges) for edges in graph.values()) > len(graph), "too few imports found"
    cycles = [_describe(cycle, modules) for cycle in find_cycles(graph)]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


# -- the cycle finder itself ----------------------------------------------------------------------

MODULES = dict.fromkeys(
    ["imagelint", "imagelint.a", "imagelint.b", "imagelint.pkg", "imagelint.pkg.c", "imagelint.d"]
)


def _edges(name: str, source: str, is_package: bool = False) -> list[Edge]:
    return imports_of(name, ast.parse(source), MODULES, is_package)


def test_imports_resolve_to_modules_and_count_inside_functions():
    source = (
        "import os\n"
        "from imagelint.pkg import c, helper\n"
        "def f():\n"
        "    import imagelint.d.thing\n"
        "    from . import b\n"
    )
    assert _edges("imagelint.a", source) == [
        ("imagelint.pkg.c", 2),
        ("imagelint.pkg", 2),
        ("imagelint.d", 4),
        ("imagelint.b", 5),
    ]
    assert _edges("imagelint.pkg", "from . import c\nfrom .. import d\n", is_package=True) == [
        ("imagelint.pkg.c", 1),
        ("imagelint.d", 2),
    ]


def test_imports_under_type_checking_do_not_count():
    source = (
        "from typing import TYPE_CHECKING\n"
        "import typing\n"
        "if TYPE_CHECKING:\n"
        "    from imagelint import b\n"
        "else:\n"
        "    from imagelint import d\n"
        "if typing.TYPE_CHECKING:\n"
        "    import imagelint.pkg\n"
    )
    assert _edges("imagelint.a", source) == [("imagelint.d", 6)]


def test_a_cycle_is_found_and_shown_in_order():
    graph = {
        "imagelint.a": [("imagelint.b", 3)],
        "imagelint.b": [("imagelint.pkg.c", 7), ("imagelint.d", 8)],
        "imagelint.pkg.c": [("imagelint.a", 12)],
        "imagelint.d": [],
    }
    assert find_cycles(graph) == [
        [("imagelint.a", 3), ("imagelint.b", 7), ("imagelint.pkg.c", 12), ("imagelint.a", 0)]
    ]
    graph["imagelint.pkg.c"] = []
    assert find_cycles(graph) == []


# -- tests/ and bench/ ----------------------------------------------------------------------------


def _python_files(*folders: str) -> list[Path]:
    return [
        path
        for folder in folders
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "__pycache__" not in path.parts
    ]


def _path_hacks(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """sys.path changed, or a module loaded from a file path."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("insert", "append", "extend")
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "path"
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "sys"
        ):
            yield node.lineno, f"sys.path.{node.attr}"
        if isinstance(node, ast.Attribute):
            names = [node.attr]
        elif isinstance(node, ast.Name):
            names = [node.id]
        elif isinstance(node, ast.ImportFrom):
            names = [alias.name for alias in node.names]
        else:
            names = []
        for name in names:
            if name in ("spec_from_file_location", "SourceFileLoader"):
                yield node.lineno, name


@pytest.mark.parametrize("folder", ["tests", "bench"])
def test_no_sys_path_edits_nor_imports_by_file_path(folder):
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in _python_files(folder)
        for line, what in _path_hacks(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not offenders, "\n".join(offenders)


def test_the_path_check_sees_what_it_looks_for():
    source = (
        "import sys, importlib.util\n"
        "sys.path.insert(0, 'x')\n"
        "sys.path.append('y')\n"
        "importlib.util.spec_from_file_location('m', 'm.py')\n"
    )
    assert sorted(line for line, _ in _path_hacks(ast.parse(source))) == [2, 3, 4]


def test_the_suite_imports_nothing_from_bench():
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _python_files("tests")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "bench")
        or (
            isinstance(node, ast.Import)
            and any(a.name.split(".")[0] == "bench" for a in node.names)
        )
    ]
    assert not offenders, offenders
