"""A chart's values files, their variants, and Helm's way of layering them.

Variants: ``values.yaml`` alone, and each of ``values-*.yaml``, ``values.*.yaml`` and
``ci/*values*.yaml`` (the files ``helm install -f`` and chart-testing's ``ct install`` take)
layered over it. Layering is Helm's coalescing of user values over a chart's defaults
(helm.sh/helm/v3 pkg/chartutil/coalesce.go): mappings merge key by key, deeply; a list or a
scalar replaces what was there; ``null`` deletes the key. The merged tree is made of new
mapping nodes holding the files' own nodes, so every value still names the line that set it;
no loaded node is changed (a chart's values.yaml is shared by all its variants).
"""

from __future__ import annotations

import fnmatch
import os

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from imagelint.reading.sources import Problem
from imagelint.reading.yamlnodes import Mapping, as_mapping, is_null, scalar_type
from imagelint.trees.helm.chart import join
from imagelint.trees.helm.files import BROKEN_CHART, ReadFile, read_chart_file
from imagelint.trees.origins import mapping, scalar

VALUES_FILE = "values.yaml"
_VARIANT_PATTERNS = ("values-*.yaml", "values-*.yml", "values.*.yaml", "values.*.yml")
_CI_PATTERNS = ("*values*.yaml", "*values*.yml")
# Deeper than any real values file; past it a mapping replaces instead of merging.
_MAX_MERGE_DEPTH = 64
# YAML 1.1 spellings of false, as go-yaml v2 (under sigs.k8s.io/yaml, Helm's parser) reads them.
_FALSE = frozenset("n N no No NO off Off OFF false False FALSE".split())
_TRUE = frozenset("y Y yes Yes YES on On ON true True TRUE".split())


def variant_files(folder: str) -> list[str]:
    """The chart's variant values files, relative to ``folder`` (posix), sorted: top-level
    ones first, then ``ci/``."""
    found: list[str] = []
    for directory, patterns, prefix in (
        (folder, _VARIANT_PATTERNS, ""),
        (os.path.join(folder, "ci"), _CI_PATTERNS, "ci/"),
    ):
        try:
            entries = sorted(os.listdir(directory))
        except OSError:
            continue
        for entry in entries:
            if entry == VALUES_FILE or entry.startswith("."):
                continue
            if any(fnmatch.fnmatchcase(entry, pattern) for pattern in patterns):
                if os.path.isfile(os.path.join(directory, entry)):
                    found.append(prefix + entry)
    return found


class ValuesFile:
    """A values file as read: its root mapping (None: absent, empty or not a mapping) and
    the problems met (with the file's display)."""

    __slots__ = ("file", "root", "problems")

    def __init__(
        self, file: ReadFile | None, root: MappingNode | None, problems: list[tuple[str, Problem]]
    ) -> None:
        self.file = file
        self.root = root
        self.problems = problems


def read_values(folder: str, display: str, relative: str, chart_root: str) -> ValuesFile:
    """Read the values file ``relative`` of the chart in ``folder`` (absent: no values)."""
    path = os.path.join(folder, *relative.split("/"))
    if not os.path.lexists(path):
        return ValuesFile(None, None, [])
    file_display = join(display, relative)
    read = read_chart_file(path, file_display, chart_root)
    problems = [(file_display, problem) for problem in read.problems]
    root = read.root()
    if isinstance(root, MappingNode):
        return ValuesFile(read, root, problems)
    if root is not None and not is_null(root):
        mark = root.start_mark
        problems.append(
            (
                file_display,
                Problem(
                    BROKEN_CHART,
                    mark.line + 1,
                    mark.column + 1,
                    f"{relative} is {scalar_type(root)}, not a mapping of values: Helm refuses "
                    "it ('cannot unmarshal ... into Go value of type map[string]interface {}')",
                ),
            )
        )
    return ValuesFile(read, None, problems)


def coalesce(base: Node | None, over: Node | None, depth: int = 0) -> Node | None:
    """``over`` layered on ``base`` as Helm layers values (None: the key is gone)."""
    if over is None:
        return base
    if is_null(over):
        return None
    if not (isinstance(base, MappingNode) and isinstance(over, MappingNode)):
        return over
    if depth >= _MAX_MERGE_DEPTH:
        return over
    below, above = Mapping(base), Mapping(over)
    pairs: list[tuple[Node, Node]] = []
    for name in below.keys():
        key, value = below.key_node(name), below.get(name)
        assert key is not None
        if name in above:
            value = coalesce(value, above.get(name), depth + 1)
        if value is not None:
            pairs.append((key, value))
    for name in above.keys():
        if name not in below:
            value = above.get(name)
            key = above.key_node(name)
            assert key is not None and value is not None
            if not is_null(value):
                pairs.append((key, value))
    return mapping(pairs, base)


def with_key(name: str, value: Node, like_key: Node) -> MappingNode:
    """A one-entry mapping ``{name: value}``, its key at ``like_key``."""
    return mapping([(scalar(name, like_key), value)], value)


def lookup(root: Node | None, path: list[str]) -> Node | None:
    """The value at a path of keys, if every step is a mapping that has the key."""
    node = root
    for step in path:
        fields = as_mapping(node)
        if fields is None:
            return None
        node = fields.get(step)
    return node


def truth(node: Node | None) -> bool | None:
    """A YAML boolean's value (None: not a boolean)."""
    if not isinstance(node, ScalarNode) or node.style:
        return None
    if node.value in _FALSE:
        return False
    if node.value in _TRUE:
        return True
    return None
