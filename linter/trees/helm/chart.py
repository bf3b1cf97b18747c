"""A chart folder: its ``Chart.yaml`` (name, appVersion, dependencies) and its unpacked
subcharts in ``charts/``.

Helm refuses a chart whose ``Chart.yaml`` is not a YAML mapping; that is a ``broken-chart``
problem here, and the chart is still read as far as it can be (its folder name stands for
its name), so its values are checked all the same.
"""

from __future__ import annotations

import os
import posixpath
import re

from ruamel.yaml.nodes import Node, ScalarNode

from imagelint.reading.sources import Problem
from imagelint.reading.yamlnodes import Mapping, as_mapping, as_sequence, scalar_type, string_value
from imagelint.trees.helm.files import BROKEN_CHART, ReadFile, file_start, read_chart_file

CHART_FILE = "Chart.yaml"
SUBCHARTS = "charts"


def is_chart(folder: str) -> bool:
    """Whether a folder is a Helm chart: it holds ``Chart.yaml``."""
    return os.path.isfile(os.path.join(folder, CHART_FILE))


def join(display: str, relative: str) -> str:
    """The display path of a file of a chart shown as ``display``."""
    return relative if display in ("", ".") else posixpath.join(display, relative)


class Dependency:
    """A ``dependencies:`` entry of Chart.yaml: the chart it names, the name its values go
    under (``alias``, else the name) and its ``condition`` (values paths, comma separated)."""

    __slots__ = ("name", "alias", "condition")

    def __init__(self, name: str, alias: Node | None, condition: str | None) -> None:
        self.name = name
        self.alias = alias
        self.condition = condition


class Chart:
    """What a chart's Chart.yaml says, with the file as read."""

    __slots__ = (
        "folder",
        "display",
        "file",
        "name",
        "app_version",
        "version_prefix",
        "dependencies",
        "problems",
    )

    def __init__(
        self,
        folder: str,
        display: str,
        file: ReadFile,
        name: Node,
        app_version: Node | None,
        version_prefix: str,
        dependencies: list[Dependency],
        problems: list[tuple[str, Problem]],
    ) -> None:
        self.folder = folder
        self.display = display
        self.file = file
        self.name = name
        self.app_version = app_version
        self.version_prefix = version_prefix  # "v" when the templates write v + appVersion
        self.dependencies = dependencies
        self.problems = problems

    @property
    def anchor(self) -> Node:
        """A node at the start of Chart.yaml: where the parts of a chart's object that no value
        set (its apiVersion, kind) point."""
        return file_start(self.file.display, "")


def read_chart(folder: str, display: str, chart_root: str) -> Chart:
    """Read ``folder``'s Chart.yaml (``chart_root``: the real path of the outermost chart)."""
    file_display = join(display, CHART_FILE)
    read = read_chart_file(os.path.join(folder, CHART_FILE), file_display, chart_root)
    problems = [(file_display, _as_broken(problem)) for problem in read.problems]
    root = read.root()
    fields = as_mapping(root)
    if fields is None and root is not None and not _is_empty(root):
        mark = root.start_mark
        problems.append(
            (
                file_display,
                Problem(
                    BROKEN_CHART,
                    mark.line + 1,
                    mark.column + 1,
                    f"Chart.yaml is {scalar_type(root)}, not a mapping: Helm refuses to load "
                    "the chart",
                ),
            )
        )
    folder_name = os.path.basename(os.path.normpath(os.path.abspath(folder)))
    name: Node = file_start(file_display, folder_name)
    app_version: Node | None = None
    dependencies: list[Dependency] = []
    if fields is not None:
        name_node = fields.get("name")
        if string_value(name_node):
            assert name_node is not None
            name = name_node
        version = fields.get("appVersion")
        if isinstance(version, ScalarNode) and version.value != "" and _is_text(version):
            app_version = version
        dependencies = _dependencies(fields)
    prefix = _version_prefix(folder) if app_version is not None else ""
    return Chart(folder, display, read, name, app_version, prefix, dependencies, problems)


# A template that makes the default tag "v" + appVersion (kube-state-metrics:
# ``default (printf "v%s" .Chart.AppVersion) .Values.image.tag``).
_V_PREFIX_RE = re.compile(
    r"""printf\s+"v%s"\s+\$?\.Chart\.AppVersion|"v"\s+\$?\.Chart\.AppVersion"""
)
# Templates are only searched for that; a chart's templates are a few hundred kB at most.
_MAX_TEMPLATE_BYTES = 4 << 20


def _version_prefix(folder: str) -> str:
    """ "v" when the chart's templates default an image tag to ``v`` + appVersion, else ""."""
    budget = _MAX_TEMPLATE_BYTES
    root = os.path.join(folder, "templates")
    for directory, folders, files in os.walk(root):
        folders.sort()
        for name in sorted(files):
            if budget <= 0 or not name.endswith((".tpl", ".yaml", ".yml")):
                continue
            path = os.path.join(directory, name)
            if os.path.islink(path):
                continue
            try:
                with open(path, "rb") as handle:
                    data = handle.read(budget)
            except OSError:
                continue
            budget -= len(data)
            text = data.decode("utf-8", errors="replace")
            if ".Chart.AppVersion" in text and _V_PREFIX_RE.search(text):
                return "v"
    return ""


def _as_broken(problem: Problem) -> Problem:
    """A problem of Chart.yaml as read: Helm refuses a chart whose Chart.yaml it cannot
    parse, so a YAML problem there is a broken chart (unreadable or not-UTF-8 stay as they
    are)."""
    if problem.rule in ("unreadable-file", "invalid-encoding", BROKEN_CHART):
        return problem
    return Problem(
        BROKEN_CHART,
        problem.line,
        problem.column,
        f"Chart.yaml is not valid YAML ({problem.message}): Helm refuses to load the chart",
    )


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.value == "" and not node.style


def _is_text(node: ScalarNode) -> bool:
    """A scalar Helm would print as written: a string, or a number (appVersion: 1.15)."""
    return string_value(node) is not None or node.value[:1].isdigit()


def _dependencies(fields: Mapping) -> list[Dependency]:
    found: list[Dependency] = []
    for item in as_sequence(fields.get("dependencies")):
        entry = as_mapping(item)
        if entry is None:
            continue
        name = entry.text("name")
        if not name:
            continue
        alias = entry.get("alias")
        found.append(
            Dependency(name, alias if string_value(alias) else None, entry.text("condition"))
        )
    return found


def subchart_folders(folder: str) -> list[str]:
    """The unpacked subcharts in ``charts/`` (folder names, sorted). A packed ``.tgz`` is
    skipped: reading archives is not this reader's business, and it is no mistake."""
    path = os.path.join(folder, SUBCHARTS)
    try:
        entries = sorted(os.listdir(path))
    except OSError:
        return []
    return [
        entry
        for entry in entries
        if not entry.startswith(".") and is_chart(os.path.join(path, entry))
    ]
