"""The run: files -> documents -> objects -> images -> rules -> findings.

Each file is checked on its own; a bug met while checking one file is recorded as an internal
error and the other files are still checked.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from imagelint import kustomize
from imagelint.loader import LoadedFile, load
from imagelint.model import Finding, Violation
from imagelint.objects import KubeObject, iter_objects
from imagelint.registry import Rule, all_rules
from imagelint.sources import Problem, SourceRef, decode, read_bytes
from imagelint.workloads import ImageUse, images
from imagelint.yamlnodes import DuplicateKey, value_start

MAX_CONTEXT_IMAGE = 4096
# "patch" as a word of the path: patch.yaml, patches/, set-replicas-patch.yml (not dispatcher/).
_PATCH_WORD = re.compile(r"(?:^|[/_.-])patch(?:es)?(?:[/_.-]|$)", re.IGNORECASE)


@dataclass(frozen=True)
class Settings:
    namespace: str = "default"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    objects: int = 0
    images: int = 0
    internal_errors: list[str] = field(default_factory=list)

    @property
    def files_with_findings(self) -> int:
        return len({finding.path for finding in self.findings})


class Engine:
    def __init__(self, settings: Settings | None = None, rules: Iterable[Rule] | None = None):
        self.settings = settings or Settings()
        selected = [r for r in all_rules() if r.default_enabled] if rules is None else list(rules)
        self.input_rules = {rule.name: rule for rule in all_rules() if rule.scope == "input"}
        self.enabled = {rule.name for rule in selected}
        self.image_rules = [rule for rule in selected if rule.scope == "image"]

    def check(self, refs: Iterable[SourceRef]) -> Report:
        refs = list(refs)
        patches = kustomize.patch_files(refs)
        report = Report()
        for ref in refs:
            report.files += 1
            partial = is_patch(ref, patches)
            try:
                self._check_file(ref, partial, report)
            except Exception as error:  # a bug: keep going, but the run must not pass as clean
                report.internal_errors.append(f"{ref.display}: {type(error).__name__}: {error}")
        report.findings.sort(key=Finding.sort_key)
        return report

    def check_text(self, display: str, text: str) -> Report:
        """Check one text as if it were a file (tests, and callers that have the text)."""
        report = Report(files=1)
        self._check_loaded(load(display, text), False, report)
        report.findings.sort(key=Finding.sort_key)
        return report

    def _check_file(self, ref: SourceRef, partial: bool, report: Report) -> None:
        data = read_bytes(ref)
        if isinstance(data, Problem):
            self._report_problems(ref.display, [data], report)
            return
        text = decode(data)
        if text is None:
            return
        if isinstance(text, Problem):
            self._report_problems(ref.display, [text], report)
            return
        self._check_loaded(load(ref.display, text), partial, report)

    def _check_loaded(self, loaded: LoadedFile, partial: bool, report: Report) -> None:
        duplicates: list[DuplicateKey] = []
        seen_duplicates: set[int] = set()
        # An anchored container shared through aliases is one defect at one place: report once.
        seen_findings: set[tuple[str, int, int, str]] = set()
        for obj in iter_objects(loaded, self.settings.namespace, duplicates):
            report.objects += 1
            for use in images(obj, duplicates, partial):
                report.images += 1
                for finding in self._check_image(loaded, use):
                    key = (finding.rule, finding.line, finding.column, finding.message)
                    if key not in seen_findings:
                        seen_findings.add(key)
                        report.findings.append(finding)
            for duplicate in duplicates:
                if id(duplicate.last) not in seen_duplicates:
                    seen_duplicates.add(id(duplicate.last))
                    report.findings.extend(self._duplicate_finding(loaded, obj, duplicate))
            duplicates.clear()
        self._report_problems(loaded.display, loaded.problems, report)

    def _check_image(self, loaded: LoadedFile, use: ImageUse) -> list[Finding]:
        fired: list[tuple[Rule, Violation]] = []
        for rule in self.image_rules:
            assert rule.check is not None
            fired.extend((rule, violation) for violation in rule.check(use))
        if len(fired) > 1:
            replaced = {name for rule, _ in fired for name in rule.supersedes}
            fired = [(rule, v) for rule, v in fired if rule.name not in replaced]
        return [self._image_finding(loaded, use, rule, violation) for rule, violation in fired]

    def _image_finding(
        self, loaded: LoadedFile, use: ImageUse, rule: Rule, violation: Violation
    ) -> Finding:
        if violation.node is not None:
            line, column = position(loaded, violation.node, 0)
        elif use.node is not None:
            line, column = position(loaded, use.node, violation.offset)
        else:
            line, column = position(loaded, use.anchor, 0)
        image = use.image
        if image is not None and len(image) > MAX_CONTEXT_IMAGE:
            image = image[:MAX_CONTEXT_IMAGE] + "\u2026"
        obj = use.object
        return Finding(
            rule.name, rule.code, rule.severity, loaded.display, line, column, violation.message,
            obj.identity, use.container, image, obj.document.source, use.field,
        )

    def _duplicate_finding(
        self, loaded: LoadedFile, obj: KubeObject, duplicate: DuplicateKey
    ) -> list[Finding]:
        rule = self.input_rules["duplicate-key"]
        if rule.name not in self.enabled:
            return []
        line, column = position(loaded, duplicate.last, 0)
        message = (
            f'key "{duplicate.key}" appears more than once in this mapping (also at line '
            f"{duplicate.first.start_mark.line + 1}); Kubernetes keeps this last value, and "
            "strict clients (kubectl --validate=strict, kustomize) reject the document"
        )
        return [
            Finding(
                rule.name, rule.code, rule.severity, loaded.display, line, column, message,
                obj.identity, None, None, obj.document.source, None,
            )
        ]

    def _report_problems(self, display: str, problems: list[Problem], report: Report) -> None:
        for problem in problems:
            rule = self.input_rules[problem.rule]
            if rule.name in self.enabled:
                report.findings.append(
                    Finding(
                        rule.name, rule.code, rule.severity, display, problem.line,
                        problem.column, problem.message,
                    )
                )


def is_patch(ref: SourceRef, kustomize_patches: frozenset[str]) -> bool:
    """Whether a file holds partial objects: a patch of a kustomization in the run, or a file
    whose name or folder says it is a patch (kustomize, kubeadm and kind name them so)."""
    if _PATCH_WORD.search("/".join(ref.display.split("/")[-2:])):  # file name and its folder
        return True
    return ref.path is not None and os.path.realpath(ref.path) in kustomize_patches


def position(loaded: LoadedFile, node, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` characters into a node's value."""
    line, column, exact = value_start(node, loaded.line(node.start_mark.line))
    if exact:
        column += offset
    return line + 1, column + 1
