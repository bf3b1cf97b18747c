"""Which inputs of a run are trees: kustomize roots and Helm charts, and the files they use.

- A folder holding a kustomization is one. The **roots** of a run are the kustomizations that
  no other kustomization of the run uses (``resources``, ``bases``, ``components``), plus those
  the user named. Each root is built and checked as one cluster view; the files a root uses
  (its resources, patches, generator inputs, the kustomizations under it) are checked only as
  part of it.
- A folder holding ``Chart.yaml`` is a chart: everything under it is read through the chart
  (its values files), never as manifests.
- A file the user named that a tree uses (pre-commit passes changed files) is checked through
  the trees that use it, found by looking upwards (to the repository's root); only findings in
  the files named are reported from those trees.

Every other file is a plain manifest, checked as it always was.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

from imagelint.core.frozen import ValueRecord, set_field
from imagelint.kube.kustomize import KUSTOMIZATION_NAMES
from imagelint.reading.sources import SourceRef
from imagelint.trees.realpaths import RealPaths, hand_over

if TYPE_CHECKING:
    from imagelint.trees.kustomize import Uses

# The file that makes a folder a chart (kube.kustomize.KUSTOMIZATION_NAMES make it a kustomization).
CHART_FILE = "Chart.yaml"
KUSTOMIZE = "kustomize"
CHART = "chart"
# Folders never searched for the trees that use a named file (cheap to walk, huge, or not ours).
_SKIPPED = frozenset({"node_modules", "vendor", "__pycache__"})
_MAX_SCANNED_FOLDERS = 20_000


class TreeRef(ValueRecord):
    """A tree to build and check: a kustomize root or a chart folder."""

    __slots__ = ("display", "path", "kind", "report_only")
    display: str  # the folder as findings name it
    path: str  # the folder's real path
    kind: str  # KUSTOMIZE or CHART
    # Report only findings in these files (a tree found for files named on the command line).
    report_only: frozenset[str] | None

    def __init__(
        self, display: str, path: str, kind: str, report_only: frozenset[str] | None = None
    ) -> None:
        set_field(self, "display", display)
        set_field(self, "path", path)
        set_field(self, "kind", kind)
        set_field(self, "report_only", report_only)


class Plan(ValueRecord):
    __slots__ = ("plain", "trees")
    plain: list[SourceRef]  # checked as files
    trees: list[TreeRef]

    def __init__(self, plain: list[SourceRef], trees: list[TreeRef]) -> None:
        set_field(self, "plain", plain)
        set_field(self, "trees", trees)


def plan(refs: Sequence[SourceRef], named: Iterable[str] = ()) -> Plan:
    """Split a run's files into plain manifests and trees. ``named``: the paths the user gave
    (a kustomization named is a root even when another one uses it)."""
    finder = _Finder()
    named_folders = set()  # folders the user named, or whose kustomization file they named
    for path in named:
        if path == "-":
            continue
        real = finder.realpath(path)
        if os.path.isdir(real):
            named_folders.add(real)
        elif os.path.basename(real) in KUSTOMIZATION_NAMES:
            named_folders.add(os.path.dirname(real))
    folder_display: dict[str, str] = {}
    charts: dict[str, TreeRef] = {}  # real chart folder -> the chart
    for ref in refs:
        if ref.path is None or ref.problem is not None:
            continue
        folder = os.path.dirname(finder.realpath(ref.path))
        if folder not in folder_display and (
            ref.walked or os.path.basename(ref.path) in KUSTOMIZATION_NAMES
        ):
            folder_display[folder] = _parent_display(ref.display)
        chart = finder.chart_above(folder)
        if chart is not None:
            display = _display_of(chart, folder, _parent_display(ref.display))
            # A file named on its own (pre-commit's changed files): the chart is checked, and
            # only the findings in that file reported.
            only = None if ref.walked else frozenset({ref.display})
            found = TreeRef(display, chart, CHART, only)
            charts[chart] = _merged([charts[chart], found])[0] if chart in charts else found
    kustomizations = {
        folder: display
        for folder, display in folder_display.items()
        if not _inside(folder, charts) and finder.kustomization(folder) is not None
    }
    for folder in named_folders:  # a named folder whose kustomization has no YAML suffix
        if folder not in kustomizations and finder.kustomization(folder) is not None:
            kustomizations[folder] = _display_named(folder, named)
    finder.displays = kustomizations
    used = {f for k in kustomizations for f in finder.uses(k).folders}
    roots = {k: d for k, d in kustomizations.items() if k not in used or k in named_folders}
    consumed: set[str] = set()
    for root in roots:
        consumed |= finder.closure(root)
    trees = [charts[folder] for folder in sorted(charts)]
    trees += [TreeRef(d, folder, KUSTOMIZE) for folder, d in sorted(roots.items())]
    plain = []
    for ref in refs:
        file = finder.realpath(ref.path) if ref.path is not None else None
        if file is not None and ref.problem is None:
            if file in consumed or _inside(os.path.dirname(file), charts):
                continue
            if not ref.walked and finder.kustomization_above(os.path.dirname(file)):
                trees += _trees_using(finder, ref, file, roots)
                if any(t.report_only and ref.display in t.report_only for t in trees):
                    continue
        plain.append(ref)
    trees = _merged(trees)
    # What was looked up here is not looked up again by the builder of these roots.
    hand_over(finder.realpath, frozenset(t.path for t in trees if t.kind == KUSTOMIZE))
    return Plan(plain, trees)


def _trees_using(
    finder: _Finder, ref: SourceRef, real: str, known: dict[str, str]
) -> list[TreeRef]:
    """The kustomize roots, found upwards of a named file, whose builds use it."""
    top = _top(os.path.dirname(real))
    found = []
    folders = finder.scan(top)
    used = {f for k in folders for f in finder.uses(k).folders}
    for root in folders:
        if root in used or root in known:
            continue
        if real in finder.closure(root):
            display = _relative_like(root, ref.display)
            found.append(TreeRef(display, root, KUSTOMIZE, frozenset({ref.display})))
    return found


def _merged(trees: list[TreeRef]) -> list[TreeRef]:
    """One tree a folder; the files to report on of trees found for several named files are
    merged (a tree found also for itself reports on everything)."""
    merged: dict[str, TreeRef] = {}
    for tree in trees:
        previous = merged.get(tree.path)
        if previous is None:
            merged[tree.path] = tree
        elif previous.report_only is not None:
            only = None if tree.report_only is None else previous.report_only | tree.report_only
            merged[tree.path] = TreeRef(previous.display, tree.path, tree.kind, only)
    return list(merged.values())


class _Finder:
    """Cached lookups of the file system for one plan."""

    def __init__(self) -> None:
        self.realpath = RealPaths()
        self._kustomization: dict[str, str | None] = {}
        self._top: dict[str, bool] = {}
        self._chart_above: dict[str, str | None] = {}
        self._uses: dict[str, Uses] = {}
        self._closure: dict[str, frozenset[str]] = {}
        self._charts: dict[str, bool] = {}
        # Kustomization folder -> how the user sees it, where known: its file is composed
        # with its nodes naming it so, as the build of a root will name them.
        self.displays: dict[str, str] = {}

    def kustomization(self, folder: str) -> str | None:
        if folder not in self._kustomization:
            found = None
            for name in KUSTOMIZATION_NAMES:
                path = os.path.join(folder, name)
                if self.realpath.is_file(path):
                    found = path
                    break
            self._kustomization[folder] = found
        return self._kustomization[folder]

    def uses(self, folder: str) -> Uses:
        found = self._uses.get(folder)
        if found is None:
            # Here, not at the top: a run without a kustomization never loads the builder.
            from imagelint.trees.kustomize import uses

            found = self._uses[folder] = uses(
                folder, self.realpath, self.displays.get(folder), self.kustomization
            )
        return found

    def closure(self, root: str) -> frozenset[str]:
        """Real paths of every file a root's build may read, its kustomizations included."""
        cached = self._closure.get(root)
        if cached is not None:
            return cached
        files: set[str] = set()
        seen: set[str] = set()
        stack = [root]
        while stack:
            folder = stack.pop()
            if folder in seen:
                continue
            seen.add(folder)
            kustomization = self.kustomization(folder)
            if kustomization is not None:
                files.add(self.realpath(kustomization))
            found = self.uses(folder)
            files.update(found.files)
            stack.extend(found.folders)
        result = self._closure[root] = frozenset(files)
        return result

    def is_chart(self, folder: str) -> bool:
        if folder not in self._charts:
            self._charts[folder] = os.path.isfile(os.path.join(folder, CHART_FILE))
        return self._charts[folder]

    def is_top(self, folder: str) -> bool:
        found = self._top.get(folder)
        if found is None:
            found = self._top[folder] = _is_top(folder)
        return found

    def chart_above(self, folder: str) -> str | None:
        """The outermost chart folder holding ``folder`` (a subchart belongs to its parent),
        looking no higher than the repository's root."""
        known = self._chart_above
        if folder in known:
            return known[folder]
        chain = []  # folder and those above it, up to one whose answer is known
        above: str | None = None  # the answer for the folder above the chain
        current = folder
        while True:
            if current in known:
                above = known[current]
                break
            chain.append(current)
            parent = os.path.dirname(current)
            if self.is_top(current) or parent == current:
                break
            current = parent
        for current in reversed(chain):  # from the top: the outermost chart wins
            if above is None and self.is_chart(current):
                above = current
            known[current] = above
        return above

    def kustomization_above(self, folder: str) -> bool:
        """Whether a kustomization sits in ``folder`` or above it, up to the repository's root
        (a kustomization can use a file only under its own folder)."""
        current = folder
        while True:
            if self.kustomization(current) is not None:
                return True
            parent = os.path.dirname(current)
            if self.is_top(current) or parent == current:
                return False
            current = parent

    def scan(self, top: str) -> list[str]:
        """Every kustomization folder under ``top`` (hidden and vendored folders skipped)."""
        found = []
        count = 0
        for directory, dirnames, _ in os.walk(top):
            count += 1
            if count > _MAX_SCANNED_FOLDERS:
                break
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIPPED)
            real = self.realpath(directory)
            if self.kustomization(real) is not None:
                found.append(real)
        return found


def _is_top(folder: str) -> bool:
    return os.path.exists(os.path.join(folder, ".git"))


def _top(folder: str) -> str:
    current = folder
    while not _is_top(current):
        parent = os.path.dirname(current)
        if parent == current:
            cwd = os.path.realpath(os.getcwd())
            return cwd if _inside(folder, {cwd: ""}) else folder
        current = parent
    return current


def _inside(folder: str, parents: Collection[str]) -> bool:
    if not parents:
        return False
    current = folder
    while True:
        if current in parents:
            return True
        parent = os.path.dirname(current)
        if parent == current:
            return False
        current = parent


def _parent_display(display: str) -> str:
    head = display.rsplit("/", 1)[0] if "/" in display else "."
    return head or "/"


def _display_of(folder: str, known_folder: str, known_display: str) -> str:
    """How the user sees ``folder``, given how they see ``known_folder`` (under it)."""
    relative = os.path.relpath(folder, known_folder).replace(os.sep, "/")
    return _normpath(f"{known_display}/{relative}")


def _display_named(folder: str, named: Iterable[str]) -> str:
    for path in named:
        if path != "-" and os.path.realpath(path) == folder:
            return _normpath(path.replace(os.sep, "/").rstrip("/") or "/")
    return _relative_like(folder, ".")


def _relative_like(folder: str, display: str) -> str:
    """``folder`` as the user would see it: relative to the current folder, or absolute when
    ``display`` is."""
    if display.startswith("/"):
        return folder
    return os.path.relpath(folder).replace(os.sep, "/")


def _normpath(path: str) -> str:
    return posixpath.normpath(path)
