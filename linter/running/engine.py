"""The run: files -> documents -> objects -> images -> rules -> findings.

Each file is checked on its own into a :class:`FileResult` (its findings and the records the
cross-object rules need); the results are merged into a :class:`RunIndex` and the run rules look
at all of them together. A bug met while checking one file is recorded as an internal error and
the other files are still checked.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import TYPE_CHECKING, cast

from ruamel.yaml.nodes import Node

from imagelint.core.model import (
    Finding,
    ImageRecord,
    PodRecord,
    Settings,
    Violation,
)
from imagelint.core.rulebook import Rule, all_rules, by_name
from imagelint.kube import kinds
from imagelint.kube.kustomize import is_patch, patch_files
from imagelint.kube.objects import KubeObject, annotation_node, iter_objects
from imagelint.kube.workloads import ImageUse, images
from imagelint.pullsecrets.records import secret_records
from imagelint.reading.loader import LoadedFile, load
from imagelint.reading.sources import Problem, SourceRef, decode, read_bytes
from imagelint.reading.yamlnodes import DuplicateKey, string_value
from imagelint.reporting.suppressions import ANNOTATION, Suppression, from_comments, split_tokens
from imagelint.rules import duplicate_key
from imagelint.running import collect, parallel
from imagelint.running.context import needs_context
from imagelint.running.findings import (
    Subject,
    duplicate_finding,
    problem_finding,
    record_finding,
    without_superseded,
)
from imagelint.running.records import image_record, pod_record, service_account_record
from imagelint.running.results import FileResult, Report, Task
from imagelint.running.runindex import RunIndex
from imagelint.trees.plan import TreeRef, plan

if TYPE_CHECKING:  # imported when the plan finds a tree (_tree_checker), and to reuse results
    from imagelint.running.reuse import Reuse
    from imagelint.running.treecheck import TreeChecker

__all__ = ["Engine", "FileResult", "Online", "Report", "Settings"]

# The online step: the run and the images to ask about (None: all) -> the registries' answers.
Online = Callable[[RunIndex, "list[ImageRecord] | None"], object]
# Distinct image strings whose pure-rule verdicts are kept (a run may hold many more).
_PURE_CACHE_SIZE = 4096


class Engine:
    def __init__(
        self,
        settings: Settings | None = None,
        rules: Iterable[Rule] | None = None,
        online: Online | None = None,
        reuse: bool = False,
        fingerprints: bool = False,
    ) -> None:
        """``reuse``: keep each check's results, so that checking the run again after a few of
        its files changed checks only the tasks that read them (see :meth:`check`).
        ``fingerprints``: the report will show the findings' fingerprints (or a baseline match
        them), so they are worked out as the results come in."""
        self.settings = settings or Settings()
        # In-house kinds of the configuration (image-fields): declared here too, so a worker
        # that is spawned rather than forked reads them as the parent does.
        declared = self.settings.options.get("image-fields")
        if declared:
            kinds.declare(declared)
        # With --online: asks the registries about the checked images, before the run rules.
        self.online = online
        selected = [r for r in all_rules() if r.default_enabled] if rules is None else list(rules)
        self.input_rules = {rule.name: rule for rule in all_rules() if rule.scope == "input"}
        self.enabled = {rule.name for rule in selected}
        # Only the rules that run have their modules imported (core.rulebook): the image and
        # run rules selected, less the online ones on an offline run (they would find nothing).
        image_rules = [
            (rule, rule.image_check)
            for rule in selected
            if rule.scope == "image" and rule.image_check
        ]
        self.pure_rules = [(rule, check) for rule, check in image_rules if rule.pure]
        self.image_rules = [(rule, check) for rule, check in image_rules if not rule.pure]
        # What the pure image rules said about each image string (most strings repeat).
        self._pure_cache: dict[tuple[str, bool, bool], list[tuple[Rule, Violation]]] = {}
        self._trees: TreeChecker | None = None  # made for the first tree (_tree_checker)
        # Trees checked for files named on the command line -> the files to report on.
        self._report_only: dict[str, frozenset[str]] = {}
        self._vias: set[str] = set()  # the trees checked (not only read for context)
        # The run rules' modules are imported when a run first needs them: a rule that NEEDS
        # what no view of the run holds (most one-file runs name no pull secret) is skipped.
        self.run_rules = [
            rule
            for rule in selected
            if rule.scope == "run" and (online is not None or not rule.online)
        ]
        self._fingerprint: Callable[[Finding], str] | None = None
        if fingerprints:
            # Here, not at the top: hashlib, which a run that shows no fingerprints never needs.
            from imagelint.reporting.fingerprint import fingerprint

            self._fingerprint = fingerprint
        self._reuse: Reuse | None = None
        if reuse:
            # Here, not at the top: only a run checked more than once (--fix) reuses results.
            from imagelint.running.reuse import Reuse

            self._reuse = Reuse()

    # -- whole runs --------------------------------------------------------------------------

    def check(
        self,
        refs: Iterable[SourceRef],
        context: Iterable[SourceRef] = (),
        jobs: int = 1,
        named: Iterable[str] = (),
        changed: Collection[str] | None = None,
    ) -> Report:
        """Check ``refs``. Files of ``context`` are read only for what the cross-object rules need
        (Secrets, ServiceAccounts, other workloads), only when the checked files ask a question
        that other files answer (see :func:`needs_context`); nothing is reported on them.

        ``jobs``: worker processes for the files (used when there are enough files to gain from
        them); the cross-object rules run here, on the records the workers send back in file
        order, so the report is the same whatever ``jobs`` is.

        Kustomize roots and Helm charts among ``refs`` are built and checked as trees
        (:mod:`imagelint.trees.plan`); ``named``: the paths the user gave.

        ``changed``, on an engine made to reuse results: the real paths of the files changed
        since its previous check of the same files; the tasks that read none of them keep their
        results (:mod:`imagelint.running.reuse`), the report is the same as a new check's."""
        refs, named = list(refs), tuple(named)
        checked = {ref.display for ref in refs}
        report, run = Report(), RunIndex()
        self._report_only, self._vias = {}, set()
        self._trees = None  # a new builder: the one of a previous check holds files as they were
        if self._reuse is not None:
            self._reuse.begin(changed)
        with collect.collecting_rarely():
            try:
                tasks = self._tasks(refs, named, False)
                for result in collect.settling(self._results(tasks, jobs)):
                    if isinstance(result, FileResult):
                        self._merge(result, report, run)
                    else:
                        report.files += 1
                        report.internal_errors.append(result)
                context = [ref for ref in context if ref.display not in checked]
                if context and needs_context(run):
                    tasks = self._tasks(context, (), True)
                    for result in collect.settling(self._results(tasks, jobs)):
                        if isinstance(result, FileResult):
                            run.add(result.images, result.service_accounts, result.secrets)
                        else:
                            report.internal_errors.append(result)
                collect.settle()
                if self._reuse is not None:
                    self._reuse.end()
                report = self._finish(report, run, checked if context else None)
            finally:
                gc.unfreeze()
        if context:  # findings in the files checked, and in the trees checked
            report.findings = [
                f for f in report.findings if f.path in checked or self._vias.intersection(f.via)
            ]
        return report

    def _tasks(
        self, refs: list[SourceRef], named: tuple[str, ...], records_only: bool
    ) -> list[Task]:
        """The run's files as tasks: plain files (patches among them) and trees."""

        def make() -> list[Task]:
            work = plan(refs, named)
            patches = patch_files(work.plain)
            tasks: list[Task] = [(ref, is_patch(ref, patches), records_only) for ref in work.plain]
            return tasks + [(tree, False, records_only) for tree in work.trees]

        if self._reuse is None:
            return make()
        return self._reuse.tasks((tuple(refs), named, records_only), make)

    def _results(self, tasks: list[Task], jobs: int) -> Iterator[FileResult | str]:
        """The result of each task, in order: here, or in worker processes (or the previous
        check's, for a task that read no file changed since)."""
        if self._reuse is not None:
            return self._reuse.results(tasks, functools.partial(self._checked, jobs=jobs))
        return self._checked(tasks, jobs)

    def _checked(self, tasks: list[Task], jobs: int) -> Iterator[FileResult | str]:
        processes = parallel.processes_for(jobs, tasks)
        if processes > 1:
            recipe = functools.partial(_engine_for, self.settings, sorted(self.enabled))
            yield from parallel.check_in_workers(self, tasks, processes, recipe)
            return
        for task in tasks:
            yield self.check_safely(*task)

    def check_safely(
        self, ref: SourceRef | TreeRef, partial: bool, records_only: bool
    ) -> FileResult | str:
        """A file's (or tree's) result, or, for a bug met while checking it, a line saying so
        (the run goes on, but must not pass as clean)."""
        try:
            if isinstance(ref, TreeRef):
                return self._tree_checker().check(
                    ref, records_only, self._check_loaded, self._problem_findings
                )
            return self.check_file(ref, partial, records_only)
        except Exception as error:
            return f"{ref.display}: {type(error).__name__}: {error}"

    def _tree_checker(self) -> TreeChecker:
        """The tree checker, made (and its modules imported) for the run's first tree: a run
        of plain files, the most common, does without them."""
        if self._trees is None:
            # Here, not at the top: the tree checker brings trees.built and trees.origins.
            from imagelint.running.treecheck import TreeChecker

            self._trees = TreeChecker()
        return self._trees

    def check_text(self, display: str, text: str) -> Report:
        """Check one text as if it were the only file of a run (tests, embedding callers)."""
        return self.check_loaded(load(display, text))

    def check_loaded(self, loaded: LoadedFile) -> Report:
        """Check one loaded file, or a built tree (trees.built), as the only input of a run."""
        report, run = Report(), RunIndex()
        self._merge(self._check_loaded(loaded, False), report, run)
        return self._finish(report, run)

    def _merge(self, result: FileResult, report: Report, run: RunIndex) -> None:
        report.files += result.files
        self._report_only.update(result.report_only)
        self._vias.update(result.vias)
        report.notes.extend(n for n in result.notes if n not in report.notes)
        report.objects += result.objects
        report.images += len(result.images)
        report.findings.extend(result.findings)
        if self._fingerprint is not None:  # here: with --jobs, while the workers check on
            for finding in result.findings:
                self._fingerprint(finding)
        report.suppressions.extend(result.suppressions)
        run.add(result.images, result.service_accounts, result.secrets)

    def _finish(self, report: Report, run: RunIndex, checked: set[str] | None = None) -> Report:
        if self.online is not None:
            records = (
                None
                if checked is None
                else [record for record in run.images if record.site.path in checked]
            )
            run.online = self.online(run, records)
        fired: dict[int, list[tuple[Rule, Subject, Violation]]] = {}
        # Each tree is a cluster of its own (its Secrets, ServiceAccounts, images); the plain
        # files are one more.
        views = run.views()
        notes: dict[str, list[str]] = {}
        for view in views:
            for rule in self.run_rules:
                if rule.needs is not None and not view.holds(rule.needs):
                    continue  # nothing it could report on: its module is not even imported
                run_check = rule.run_check
                if run_check is None:
                    continue
                for subject, violation in run_check(view, self.settings):
                    if subject is None:  # a note about the run (or a tree) as a whole
                        notes.setdefault(rule.name, []).append(violation.message)
                        continue
                    superseded = subject.superseded if isinstance(subject, ImageRecord) else ()
                    if rule.name not in superseded:
                        fired.setdefault(id(subject), []).append((rule, subject, violation))
        for group in fired.values():
            report.findings.extend(
                record_finding(rule, record, violation)
                for rule, record, violation in without_superseded(group)
            )
        for said in notes.values():  # a rule's note once, however many trees say it
            more = len(said) - 1
            report.notes.append(said[0] + (f" (and likewise in {more} more)" if more else ""))
        report.findings = _unique(self._reported(report.findings))
        return report

    def _reported(self, findings: list[Finding]) -> list[Finding]:
        """Less the findings of trees checked only for some of their files (pre-commit's
        changed files) that are in other files; a finding stays when any tree it was built
        through reports it."""
        if not self._report_only:
            return findings
        only = self._report_only
        return [
            f
            for f in findings
            if not f.via or any(v not in only or f.path in only[v] for v in f.via)
        ]

    # -- one file ----------------------------------------------------------------------------

    def check_file(
        self, ref: SourceRef, partial: bool = False, records_only: bool = False
    ) -> FileResult:
        data = read_bytes(ref)
        if isinstance(data, Problem):
            return FileResult(ref.display, self._problem_findings(ref.display, [data]))
        text = decode(data)
        del data  # from here the text is all a file needs: a big file is not held twice
        if text is None:
            return FileResult(ref.display)
        if isinstance(text, Problem):
            return FileResult(ref.display, self._problem_findings(ref.display, [text]))
        return self._check_loaded(load(ref.display, text), partial, records_only)

    def _check_loaded(
        self, loaded: LoadedFile, partial: bool, records_only: bool = False
    ) -> FileResult:
        result = FileResult(loaded.display)
        if not records_only:
            result.suppressions.extend(from_comments(loaded.display, loaded.text))
        duplicates: list[DuplicateKey] = []
        seen_duplicates: set[int] = set()
        # One record per pod spec of each object. Keyed by the YAML nodes, which live as long as
        # their document (never by id() of the short-lived PodSpec, whose address is reused);
        # both nodes, because an alias can share one pod spec between two objects. Documents
        # are composed one at a time and aliases never cross them, so the keys are per document.
        pods: dict[tuple[int, int], PodRecord] = {}
        document = -1
        for obj in iter_objects(loaded, self.settings.namespace, duplicates):
            if obj.document.index != document:
                document = obj.document.index
                pods.clear()
                seen_duplicates.clear()
            result.objects += 1
            result.secrets.extend(secret_records(loaded, obj))
            if obj.kind == "ServiceAccount" and obj.group == "":
                result.service_accounts.append(service_account_record(loaded, obj))
            disable = annotation_node(obj, ANNOTATION)
            if disable is not None and not records_only:
                tokens = split_tokens(string_value(disable) or "")
                site = loaded.site(disable, obj.document.source)
                result.suppressions.append(Suppression("object", tokens, site, 0, obj.identity))
            for use in images(obj, duplicates, partial):
                # An operator-made pod (a Tekton step, a CloudNativePG imageName) has pull
                # secrets and nodes the manifest does not show: no pod for those checks.
                pod = None
                if use.pod.known:
                    key = (id(obj.mapping.node), id(use.pod.mapping.node))
                    pod = pods.get(key)
                    if pod is None:
                        pod = pods[key] = pod_record(loaded, use.pod)
                record = image_record(loaded, use, pod)
                if records_only:
                    result.images.append(record)
                    continue
                findings, superseded = self._check_image(loaded, use, record)
                result.images.append(record.with_superseded(superseded) if superseded else record)
                result.findings.extend(findings)
            for duplicate in duplicates:
                if id(duplicate.last) not in seen_duplicates:
                    seen_duplicates.add(id(duplicate.last))
                    result.findings.extend(self._duplicate_finding(loaded, obj, duplicate))
            duplicates.clear()
        result.findings.extend(self._problem_findings(loaded.display, loaded.problems, loaded.via))
        return result

    def _check_image(
        self, loaded: LoadedFile, use: ImageUse, record: ImageRecord
    ) -> tuple[list[Finding], frozenset[str]]:
        fired: list[tuple[Rule, ImageRecord, Violation]] = []
        if use.image:
            key = (use.image, use.resolved_at_runtime, bool(use.object.document.source))
            pure = self._pure_cache.get(key)
            if pure is None:
                if len(self._pure_cache) >= _PURE_CACHE_SIZE:  # bounded: starts afresh
                    self._pure_cache.clear()
                pure = self._pure_cache[key] = [
                    (rule, violation)
                    for rule, image_check in self.pure_rules
                    for violation in image_check(use, self.settings)
                ]
            fired.extend((rule, record, violation) for rule, violation in pure)
            rules = self.image_rules
        else:
            rules = self.pure_rules + self.image_rules
        for rule, image_check in rules:
            fired.extend((rule, record, violation) for violation in image_check(use, self.settings))
        superseded = frozenset(
            name for rule, _, v in fired if v.replaces for name in rule.supersedes
        )
        findings = []
        for rule, _, violation in without_superseded(fired):
            if violation.node is None:
                findings.append(record_finding(rule, record, violation))
            else:
                # Image rules point at YAML nodes (the model types them as objects).
                node = cast(Node, violation.node)
                site = loaded.site(node, record.site.source).inexact()
                old = string_value(node) if violation.fix is not None else None
                findings.append(record_finding(rule, record, violation, site, old))
        return findings, superseded

    def _duplicate_finding(
        self, loaded: LoadedFile, obj: KubeObject, duplicate: DuplicateKey
    ) -> list[Finding]:
        rule = self.input_rules[duplicate_key.NAME]
        if rule.name not in self.enabled:
            return []
        return [duplicate_finding(rule, loaded, obj, duplicate)]

    def _problem_findings(
        self, display: str, problems: list[Problem], via: str | None = None
    ) -> list[Finding]:
        findings = []
        for problem in problems:
            rule = self.input_rules[problem.rule]
            if rule.name in self.enabled:
                findings.append(problem_finding(rule, display, problem, via))
        return findings


def _unique(findings: list[Finding]) -> list[Finding]:
    """One defect at one place is one finding, however many objects share it (an anchored
    container reused through aliases, the same file given twice under two names, a base that
    several kustomize roots build: the finding then lists them all in ``via``)."""
    unique: dict[tuple[str, int, int, str, str], Finding] = {}
    for finding in findings:
        key = (finding.path, finding.line, finding.column, finding.rule, finding.message)
        first = unique.setdefault(key, finding)
        if first is not finding and finding.via:
            via = first.via + tuple(v for v in finding.via if v not in first.via)
            if via != first.via:
                unique[key] = first.with_via(via)
    return sorted(unique.values(), key=Finding.sort_key)


def _engine_for(settings: Settings, rule_names: list[str]) -> Engine:
    """An engine like the parent's, for a worker process that is not forked from it (only the
    per-file stages run there: no online step)."""
    return Engine(settings, [by_name()[name] for name in rule_names])
