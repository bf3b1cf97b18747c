"""A chart folder as builds: one per values variant, each a ChartValues object per chart and
subchart.

A subchart (an unpacked folder in ``charts/``) gets its own values.yaml with the parent's
values under its name (its ``alias`` in the parent's Chart.yaml, else its name) layered over
it, and the parent's ``global`` over its own ``global``, as Helm coalesces them. A dependency
whose ``condition`` is false in the parent's values is not rendered, so it makes no object.
"""

from __future__ import annotations

import os

from ruamel.yaml.nodes import Node

from imagelint.reading.loader import LoadedFile
from imagelint.reading.sources import Problem
from imagelint.reading.yamlnodes import as_mapping, string_value
from imagelint.trees.helm.chart import SUBCHARTS, Chart, join, read_chart
from imagelint.trees.helm.chart import subchart_folders as _subchart_folders
from imagelint.trees.helm.files import ReadFile
from imagelint.trees.helm.images import find_images
from imagelint.trees.helm.objects import chart_values
from imagelint.trees.helm.values import (
    VALUES_FILE,
    ValuesFile,
    coalesce,
    lookup,
    read_values,
    truth,
    variant_files,
    with_key,
)
from imagelint.trees.origins import Build

# Subcharts of subcharts of ...: deeper than any real chart nests them.
_MAX_NESTING = 8


class _Tree:
    """A chart as read once for all its variants: Chart.yaml, values.yaml, subcharts."""

    __slots__ = ("chart", "values", "subcharts")

    def __init__(self, chart: Chart, values: ValuesFile, subcharts: list[_Tree]) -> None:
        self.chart = chart
        self.values = values
        self.subcharts = subcharts


def _read_tree(folder: str, display: str, chart_root: str, depth: int) -> _Tree:
    chart = read_chart(folder, display, chart_root)
    values = read_values(folder, display, VALUES_FILE, chart_root)
    subcharts: list[_Tree] = []
    if depth < _MAX_NESTING:
        for name in _subchart_folders(folder):
            subcharts.append(
                _read_tree(
                    os.path.join(folder, SUBCHARTS, name),
                    join(display, f"{SUBCHARTS}/{name}"),
                    chart_root,
                    depth + 1,
                )
            )
    return _Tree(chart, values, subcharts)


def chart_builds(folder: str, display: str) -> list[Build]:
    """One build per values variant of the chart in ``folder`` (shown as ``display``):
    ``values.yaml`` first, then each variant layered over it."""
    chart_root = os.path.realpath(folder)
    tree = _read_tree(folder, display, chart_root, 0)
    base_display = (
        tree.values.file.display if tree.values.file is not None else tree.chart.file.display
    )
    builds = [_build(tree, None, base_display, display or ".")]
    for relative in variant_files(folder):
        variant = read_values(folder, display, relative, chart_root)
        builds.append(
            _build(tree, variant, join(display, relative), f"{display or '.'} ({relative})")
        )
    return builds


def _build(tree: _Tree, variant: ValuesFile | None, display: str, via: str) -> Build:
    build = Build(display, via)
    values: Node | None = tree.values.root
    if variant is not None:
        values = coalesce(values, variant.root)
    noted: set[int] = set()
    _add_chart(build, tree, values, tree.chart.name, noted)
    if variant is not None:  # after the chart's own files: problems in the files' order
        _note_read(build, variant.file, variant.problems, noted)
    return build


def _add_chart(build: Build, tree: _Tree, values: Node | None, name: Node, noted: set[int]) -> None:
    """The chart's object, then its subcharts' (each with the values this chart gives it)."""
    chart = tree.chart
    _note_read(build, chart.file, chart.problems, noted)
    _note_read(build, tree.values.file, tree.values.problems, noted)
    uses = [(sub, *use) for sub in tree.subcharts for use in _instances(chart, sub)]
    # A subchart's section of the values is the subchart's, not this chart's templates'.
    sections = frozenset(string_value(use[1]) or "" for use in uses)
    found = find_images(values, chart.app_version, sections, chart.version_prefix)
    build.documents.append(chart_values(name, found, chart.anchor))
    for sub, instance, condition in uses:
        key = string_value(instance)
        if key is None or not _enabled(values, condition):
            continue
        _add_chart(build, sub, _values_for(sub, values, key), instance, noted)


def _instances(parent: Chart, sub: _Tree) -> list[tuple[Node, str | None]]:
    """How the parent uses a subchart: once per ``dependencies`` entry that names it (an
    ``alias`` makes another copy under that name), or once under its own name."""
    name = string_value(sub.chart.name)
    uses = [dependency for dependency in parent.dependencies if dependency.name == name]
    if not uses:
        return [(sub.chart.name, None)]
    return [(use.alias or sub.chart.name, use.condition) for use in uses]


def _enabled(values: Node | None, condition: str | None) -> bool:
    """A dependency's condition as Helm reads it: the first of its paths that holds a
    boolean decides; none does, and the subchart is rendered."""
    for path in (condition or "").split(","):
        path = path.strip()
        if not path:
            continue
        decided = truth(lookup(values, path.split(".")))
        if decided is not None:
            return decided
    return True


def _values_for(sub: _Tree, parent_values: Node | None, key: str) -> Node | None:
    """The subchart's values.yaml, the parent's section for it over that, and the parent's
    ``global`` over the subchart's."""
    parent = as_mapping(parent_values)
    values: Node | None = sub.values.root
    if parent is None:
        return values
    section = parent.get(key)
    if as_mapping(section) is not None:
        values = coalesce(values, section)
    shared = parent.get("global")
    shared_key = parent.key_node("global")
    if as_mapping(shared) is not None and shared is not None and shared_key is not None:
        values = coalesce(values, with_key("global", shared, shared_key))
    return values


def _note_read(
    build: Build, file: ReadFile | None, problems: list[tuple[str, Problem]], noted: set[int]
) -> None:
    """Record a file the build used, its loaded YAML and its problems (once each: a subchart
    used under two aliases is one set of files)."""
    if file is not None:
        if id(file) in noted:
            return
        noted.add(id(file))
        if file.path is not None:
            build.read.add(file.path)
        if file.loaded is not None:
            loaded: LoadedFile = file.loaded
            build.files[file.display] = loaded
    build.problems.extend(problems)
