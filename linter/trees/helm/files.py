"""Reading a chart's files: bytes to a loaded YAML file, what went wrong as Problems, and what
was read (pre-commit maps a changed file to the charts that use it).

Nothing outside the chart folder is read: a file that is a symbolic link out of the chart
(Helm would follow it) is a ``broken-chart`` problem instead, so a hostile tree cannot make
imagelint read ``/etc`` or a 1 GB file elsewhere.
"""

from __future__ import annotations

import os

from ruamel.yaml.nodes import Node

from imagelint.reading.leannodes import LeanScalarNode
from imagelint.reading.loader import LoadedFile
from imagelint.reading.sources import Problem, SourceRef, decode, read_bytes
from imagelint.trees.origins import NamedMark, load_tree_file

# The rule of problems with a chart's structure (its module is imagelint.rules.broken_chart).
BROKEN_CHART = "broken-chart"


class ReadFile:
    """One file of a chart as read: its display, real path (None: not read, as it lies
    outside the chart), and the loaded YAML (None when it could not be read, or is to be
    skipped), with the problems met reading it."""

    __slots__ = ("display", "path", "loaded", "problems")

    def __init__(
        self, display: str, path: str | None, loaded: LoadedFile | None, problems: list[Problem]
    ) -> None:
        self.display = display
        self.path = path
        self.loaded = loaded
        self.problems = problems

    def root(self) -> Node | None:
        """The first document's node (Helm reads only the first document of a YAML file)."""
        if self.loaded is None:
            return None
        documents = self.loaded.documents
        return documents[0].node if documents else None


def read_chart_file(path: str, display: str, chart_root: str) -> ReadFile:
    """Read and load one YAML file of a chart (``chart_root``: the real path of the outermost
    chart folder, which nothing read may leave)."""
    real = os.path.realpath(path)
    if not _inside(real, chart_root):
        problem = Problem(
            BROKEN_CHART,
            1,
            1,
            f"{posix_name(display)} is a symbolic link to a file outside the chart: not read "
            "(imagelint reads nothing outside the folder it checks)",
        )
        return ReadFile(display, None, None, [problem])
    data = read_bytes(SourceRef(display, path, walked=True))
    if isinstance(data, Problem):
        return ReadFile(display, real, None, [data])
    text = decode(data)
    if text is None:  # git-crypt locked: nothing to check, not a mistake
        return ReadFile(display, real, None, [])
    if isinstance(text, Problem):
        return ReadFile(display, real, None, [text])
    loaded = load_tree_file(display, text)  # composed now: its problems are complete
    return ReadFile(display, real, loaded, loaded.problems)


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def posix_name(display: str) -> str:
    """The last component of a display path."""
    return display.rstrip("/").rsplit("/", 1)[-1]


def file_start(display: str, value: str) -> Node:
    """A string node at the start of a file: where a value that no line wrote (a chart's
    folder name standing for its missing ``name:``) points."""
    mark = NamedMark(display, 0, 0, 0)
    return LeanScalarNode("tag:yaml.org,2002:str", value, mark, mark, None)
