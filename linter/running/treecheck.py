"""Checking a tree: build it (a kustomize root, each values variant of a chart), then check the
objects it builds as the engine checks a file's, with findings where each value was written."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from imagelint.core.model import Finding
from imagelint.reading.loader import LoadedFile
from imagelint.reading.sources import Problem
from imagelint.reporting.suppressions import from_comments
from imagelint.running.results import FileResult
from imagelint.trees.built import BuiltFile
from imagelint.trees.origins import Build
from imagelint.trees.plan import CHART, TreeRef

if TYPE_CHECKING:
    from imagelint.trees.kustomize import Builder

# Checks one loaded (or built) file: the engine's per-file stage.
CheckLoaded = Callable[[LoadedFile, bool, bool], FileResult]
# The findings of the input rules on problems of one file: (display, problems, via).
ProblemFindings = Callable[[str, list[Problem], "str | None"], "list[Finding]"]

CHART_NOTE = (
    "{chart} is a Helm chart: its values files are checked, its templates are not (check "
    "what it renders: helm template RELEASE {chart} | imagelint check -)"
)


class TreeChecker:
    """Builds trees (one builder a process: it caches the files and bases trees share)."""

    def __init__(self) -> None:
        self._kustomize: Builder | None = None

    def builds(self, tree: TreeRef) -> list[Build]:
        if tree.kind == CHART:
            # Here, not at the top: runs without a chart never load the chart reader.
            from imagelint.trees.helm import chart_builds

            builds = chart_builds(tree.path, tree.display)
            for build in builds[:1]:
                build.notes.append(CHART_NOTE.format(chart=tree.display))
            return builds
        if self._kustomize is None:
            # Here, not at the top: runs without a kustomization never load the builder.
            from imagelint.trees.kustomize import Builder

            self._kustomize = Builder()
        return [self._kustomize.build(tree.path, tree.display)]

    def check(
        self,
        tree: TreeRef,
        records_only: bool,
        check_loaded: CheckLoaded,
        problem_findings: ProblemFindings,
    ) -> FileResult:
        result = FileResult(tree.display)
        result.files = 0
        seen_files: set[str] = set()
        read: set[str] = set()
        for build in self.builds(tree):
            read |= build.read
            result.vias.append(build.via)
            if tree.report_only is not None:
                result.report_only[build.via] = tree.report_only
            built = check_loaded(BuiltFile(build), False, records_only)
            result.objects += built.objects
            result.images.extend(built.images)
            result.secrets.extend(built.secrets)
            result.service_accounts.extend(built.service_accounts)
            result.notes.extend(build.notes)
            if records_only:
                continue
            result.findings.extend(built.findings)
            for display, problem in build.problems:
                result.findings.extend(problem_findings(display, [problem], build.via))
            for display, loaded in build.files.items():
                if display in seen_files:
                    continue
                seen_files.add(display)
                result.files += 1
                result.suppressions.extend(from_comments(display, loaded.text))
        result.read = frozenset(read)
        return result
