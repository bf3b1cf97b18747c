"""The run: files -> documents -> objects -> images -> rules -> findings.

Each file is checked on its own into a :class:`FileResult` (its findings and the records the
cross-object rules need); the results are merged into a :class:`RunIndex` and the run rules look
at all of them together. A bug met while checking one file is recorded as an internal error and
the other files are still checked.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from imagelint.core.model import (
    Finding,
    ImageRecord,
    NameRef,
    PodRecord,
    SecretRecord,
    ServiceAccountRecord,
    Settings,
    Site,
    Violation,
)
from imagelint.core.rulebook import Rule, all_rules
from imagelint.kube import kustomize
from imagelint.kube.objects import KubeObject, annotation_node, iter_objects
from imagelint.kube.placement import placement
from imagelint.kube.workloads import ImageUse, PodSpec, images
from imagelint.pullsecrets.records import secret_records
from imagelint.reading.loader import LoadedFile, load
from imagelint.reading.sources import Problem, SourceRef, decode, read_bytes
from imagelint.reading.yamlnodes import (
    DuplicateKey,
    Mapping,
    as_mapping,
    as_sequence,
    string_value,
    value_start,
)
from imagelint.reporting.suppressions import ANNOTATION, Suppression, from_comments, split_tokens
from imagelint.running.runindex import RunIndex

__all__ = ["Engine", "FileResult", "Report", "Settings"]

MAX_CONTEXT_IMAGE = 4096
# "patch" as a word of the path: patch.yaml, patches/, set-replicas-patch.yml (not dispatcher/).
_PATCH_WORD = re.compile(r"(?:^|[/_.-])patch(?:es)?(?:[/_.-]|$)", re.IGNORECASE)


class FileResult:
    """What checking one file gives: its own findings and the records for the run rules.
    (A plain class: the engine's containers are not model data, and dataclasses cost start-up.)"""

    __slots__ = (
        "path",
        "findings",
        "images",
        "service_accounts",
        "secrets",
        "objects",
        "suppressions",
    )

    def __init__(self, path: str, findings: list[Finding] | None = None) -> None:
        self.path = path
        self.findings: list[Finding] = findings or []
        self.images: list[ImageRecord] = []
        self.service_accounts: list[ServiceAccountRecord] = []
        self.secrets: list[SecretRecord] = []
        self.objects = 0
        self.suppressions: list[Suppression] = []


class Report:
    """The outcome of a run, for the formatters."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.files = 0
        self.objects = 0
        self.images = 0
        self.internal_errors: list[str] = []
        self.notes: list[str] = []  # said once about the run, not findings
        self.suppressions: list[Suppression] = []  # applied by the filters, after the rules
        self.hidden_by_baseline = 0

    @property
    def files_with_findings(self) -> int:
        return len({finding.path for finding in self.findings})


class Engine:
    def __init__(
        self,
        settings: Settings | None = None,
        rules: Iterable[Rule] | None = None,
        online: Online | None = None,
    ):
        self.settings = settings or Settings()
        # With --online: asks the registries about the checked images, before the run rules.
        self.online = online
        selected = [r for r in all_rules() if r.default_enabled] if rules is None else list(rules)
        self.input_rules = {rule.name: rule for rule in all_rules() if rule.scope == "input"}
        self.enabled = {rule.name for rule in selected}
        image_rules = [rule for rule in selected if rule.scope == "image"]
        self.pure_rules = [rule for rule in image_rules if rule.pure]
        self.image_rules = [rule for rule in image_rules if not rule.pure]
        # What the pure image rules said about each image string (most strings repeat).
        self._pure_cache: dict[tuple[str, bool, bool], list[tuple[Rule, Violation]]] = {}
        self.run_rules = [rule for rule in selected if rule.scope == "run"]

    # -- whole runs --------------------------------------------------------------------------

    def check(
        self, refs: Iterable[SourceRef], context: Iterable[SourceRef] = (), jobs: int = 1
    ) -> Report:
        """Check ``refs``. Files of ``context`` are read only for what the cross-object rules need
        (Secrets, ServiceAccounts, other workloads), only when the checked files ask a question
        that other files answer (see :func:`needs_context`); nothing is reported on them.

        ``jobs``: worker processes for the files (used when there are enough files to gain from
        them); the cross-object rules run here, on the records the workers send back in file
        order, so the report is the same whatever ``jobs`` is."""
        refs = list(refs)
        checked = {ref.display for ref in refs}
        report, run = Report(), RunIndex()
        with collecting_rarely():
            try:
                patches = kustomize.patch_files(refs)
                tasks = [(ref, is_patch(ref, patches), False) for ref in refs]
                for result in _settling(self._results(tasks, jobs)):
                    if isinstance(result, FileResult):
                        self._merge(result, report, run)
                    else:
                        report.files += 1
                        report.internal_errors.append(result)
                context = [ref for ref in context if ref.display not in checked]
                if context and needs_context(run):
                    patches = kustomize.patch_files(context)
                    tasks = [(ref, is_patch(ref, patches), True) for ref in context]
                    for result in _settling(self._results(tasks, jobs)):
                        if isinstance(result, FileResult):
                            run.add(result.images, result.service_accounts, result.secrets)
                        else:
                            report.internal_errors.append(result)
                settle()
                report = self._finish(report, run, checked if context else None)
            finally:
                gc.unfreeze()
        if context:
            report.findings = [f for f in report.findings if f.path in checked]
        return report

    def _results(self, tasks: list[Task], jobs: int) -> Iterator[FileResult | str]:
        """The result of each task, in order: here, or in worker processes."""
        from imagelint.running import parallel

        workers = parallel.workers_for(jobs, tasks)
        if workers > 1:
            yield from parallel.check_in_workers(self, tasks, workers)
            return
        for task in tasks:
            yield self.check_safely(*task)

    def check_safely(self, ref: SourceRef, partial: bool, records_only: bool) -> FileResult | str:
        """A file's result, or, for a bug met while checking it, a line saying so (the run goes
        on, but must not pass as clean)."""
        try:
            return self.check_file(ref, partial, records_only)
        except Exception as error:
            return f"{ref.display}: {type(error).__name__}: {error}"

    def check_text(self, display: str, text: str) -> Report:
        """Check one text as if it were the only file of a run (tests, embedding callers)."""
        report, run = Report(), RunIndex()
        self._merge(self._check_loaded(load(display, text), False), report, run)
        return self._finish(report, run)

    def _merge(self, result: FileResult, report: Report, run: RunIndex) -> None:
        report.files += 1
        report.objects += result.objects
        report.images += len(result.images)
        report.findings.extend(result.findings)
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
        for rule in self.run_rules:
            assert rule.check is not None
            for subject, violation in rule.check(run, self.settings):
                if subject is None:  # a note about the run as a whole
                    report.notes.append(violation.message)
                    continue
                superseded = subject.superseded if isinstance(subject, ImageRecord) else ()
                if rule.name not in superseded:
                    fired.setdefault(id(subject), []).append((rule, subject, violation))
        for group in fired.values():
            report.findings.extend(
                _record_finding(rule, record, violation)
                for rule, record, violation in _without_superseded(group)
            )
        # One defect at one place is one finding, however many objects share it (an anchored
        # container reused through aliases, the same file given twice under two names).
        unique = {}
        for finding in report.findings:
            unique.setdefault(
                (finding.path, finding.line, finding.column, finding.rule, finding.message), finding
            )
        report.findings = sorted(unique.values(), key=Finding.sort_key)
        return report

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
                result.service_accounts.append(_service_account(loaded, obj))
            disable = annotation_node(obj, ANNOTATION)
            if disable is not None and not records_only:
                tokens = split_tokens(string_value(disable) or "")
                site = loaded.site(disable, obj.document.source)
                result.suppressions.append(Suppression("object", tokens, site, 0, obj.identity))
            for use in images(obj, duplicates, partial):
                key = (id(obj.mapping.node), id(use.pod.mapping.node))
                pod = pods.get(key)
                if pod is None:
                    pod = pods[key] = _pod_record(loaded, use.pod)
                record = _record(loaded, use, pod)
                if records_only:
                    result.images.append(record)
                    continue
                findings, superseded = self._check_image(loaded, use, record)
                result.images.append(
                    replace(record, superseded=superseded) if superseded else record
                )
                result.findings.extend(findings)
            for duplicate in duplicates:
                if id(duplicate.last) not in seen_duplicates:
                    seen_duplicates.add(id(duplicate.last))
                    result.findings.extend(self._duplicate_finding(loaded, obj, duplicate))
            duplicates.clear()
        result.findings.extend(self._problem_findings(loaded.display, loaded.problems))
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
                    for rule in self.pure_rules
                    for violation in rule.check(use, self.settings)  # type: ignore[misc]
                ]
            fired.extend((rule, record, violation) for rule, violation in pure)
            rules = self.image_rules
        else:
            rules = self.pure_rules + self.image_rules
        for rule in rules:
            assert rule.check is not None
            fired.extend((rule, record, violation) for violation in rule.check(use, self.settings))
        superseded = frozenset(
            name for rule, _, v in fired if v.replaces for name in rule.supersedes
        )
        findings = []
        for rule, _, violation in _without_superseded(fired):
            if violation.node is None:
                findings.append(_record_finding(rule, record, violation))
            else:
                line, column = position(loaded, violation.node, 0)
                site = Site(loaded.display, line, column, False, record.site.source)
                findings.append(_record_finding(rule, record, violation, site))
        return findings, superseded

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
                rule.name,
                rule.code,
                rule.severity,
                loaded.display,
                line,
                column,
                message,
                obj.identity,
                None,
                None,
                obj.document.source,
                None,
            )
        ]

    def _problem_findings(self, display: str, problems: list[Problem]) -> list[Finding]:
        findings = []
        for problem in problems:
            rule = self.input_rules[problem.rule]
            if rule.name in self.enabled:
                findings.append(
                    Finding(
                        rule.name,
                        rule.code,
                        rule.severity,
                        display,
                        problem.line,
                        problem.column,
                        problem.message,
                    )
                )
        return findings


def _without_superseded(
    fired: list[tuple[Rule, Subject, Violation]],
) -> list[tuple[Rule, Subject, Violation]]:
    """Findings on one subject, less those a more specific finding replaces."""
    if len(fired) < 2:
        return fired
    replaced = {name for rule, _, v in fired if v.replaces for name in rule.supersedes}
    return [item for item in fired if item[0].name not in replaced]


def _record(loaded: LoadedFile, use: ImageUse, pod: PodRecord) -> ImageRecord:
    source = use.object.document.source
    if use.node is not None:
        site = loaded.site(use.node, source)
    else:  # a missing image: point at its container, where offsets mean nothing
        site = loaded.site(use.anchor, source)._replace(exact=False)
    return ImageRecord(
        use.image, site, use.object.identity, use.container, use.field, use.resolved_at_runtime, pod
    )


def _name_refs(
    loaded: LoadedFile, obj: KubeObject, mapping: Mapping, field: str
) -> tuple[NameRef, ...]:
    """The ``imagePullSecrets`` names of a pod spec or ServiceAccount, where each is written."""
    refs = []
    prefix = f"{field}." if field else ""
    for index, item in enumerate(as_sequence(mapping.get("imagePullSecrets"))):
        entry = as_mapping(item)
        node = entry.get("name") if entry is not None else None
        name = string_value(node)
        if name:
            site = loaded.site(node, obj.document.source)
            path = f"{prefix}imagePullSecrets[{index}].name"
            refs.append(NameRef(name, site, obj.identity, path))
    return tuple(refs)


def _pod_record(loaded: LoadedFile, pod: PodSpec) -> PodRecord:
    obj = pod.object
    mapping, field = pod.settings
    account = mapping.text("serviceAccountName") or mapping.text("serviceAccount") or "default"
    site = loaded.site(pod.mapping.node, obj.document.source)
    refs = _name_refs(loaded, obj, mapping, field)
    nodes = placement(pod.mapping, pod.pod_level)
    return PodRecord(
        obj.identity, obj.namespace or "", refs, account, site, nodes.arch, nodes.os, nodes.origin
    )


def _service_account(loaded: LoadedFile, obj: KubeObject) -> ServiceAccountRecord:
    return ServiceAccountRecord(obj.identity, _name_refs(loaded, obj, obj.mapping, obj.path))


Subject = ImageRecord | NameRef | SecretRecord
# One file to check: where, whether it holds partial objects (a patch), whether only its records
# are wanted (a context file).
Task = tuple[SourceRef, bool, bool]
# The online step: the run and the images to ask about (None: all) -> the registries' answers.
Online = Callable[[RunIndex, "list[ImageRecord] | None"], object]


def _record_finding(
    rule: Rule, subject: Subject, violation: Violation, site: Site | None = None
) -> Finding:
    """A finding about an image, a name reference or a Secret, from its record."""
    if isinstance(subject, ImageRecord):
        image = subject.image
        if image is not None and len(image) > MAX_CONTEXT_IMAGE:
            image = image[:MAX_CONTEXT_IMAGE] + "\u2026"
        site = site or subject.site
        context = (subject.object, subject.container, image, subject.field)
    elif isinstance(subject, NameRef):
        site = site or subject.site
        context = (subject.holder, None, None, subject.field)
    else:
        site = site or violation.site or subject.site
        context = (subject.object, None, None, None)
    line, column = site.at(violation.offset)
    obj, container, image, field = context
    return Finding(
        rule.name,
        rule.code,
        violation.severity or rule.severity,
        site.path,
        line,
        column,
        violation.message,
        obj,
        container,
        image,
        site.source,
        field,
    )


# Allocations before the cyclic garbage collector looks at young objects (see below); 20,000
# to 2,000,000 measured alike on 1,000 and 4,000 generated files, 700 (Python's) 30% slower.
COLLECT_AFTER = 100_000
SETTLE_EVERY = 256  # files
# Distinct image strings whose pure-rule verdicts are kept (a run may hold many more).
_PURE_CACHE_SIZE = 4096


@contextlib.contextmanager
def collecting_rarely() -> Iterator[None]:
    """Run with Python's cyclic garbage collector looking at young objects rarely.

    Composing allocates about a hundred thousand node objects a file. With the default
    threshold (700 allocations) the collector keeps examining the nodes of the document being
    composed, and finds nothing: node trees have no cycles, and reference counting frees them
    once a file is checked. A high first threshold lets most nodes die before any collection
    sees them; the older generations keep Python's own schedule, which keeps full collections
    amortized linear in what the run holds (collecting everything every N files instead made
    a run quadratic in its number of files). Only recursive YAML aliases make cycles, and the
    young collections still gather them.
    """
    saved = gc.get_threshold()
    gc.set_threshold(max(saved[0], COLLECT_AFTER), *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def settle() -> None:
    """Put what the run holds so far out of the collector's sight until the run ends.

    The records of the files checked so far live to the end of the run; the collector's
    collections kept traversing all of them, more often and for longer the larger the run
    (0.46 s of a run of 4,000 files, most of it in the run rules). The young objects are
    collected first, so that a cycle made since the last call is freed rather than kept; the
    engine unfreezes everything when the run ends."""
    gc.collect(1)
    gc.freeze()


def _settling(results: Iterator[FileResult | str]) -> Iterator[FileResult | str]:
    """The results, settling what the run holds after every SETTLE_EVERY of them is merged."""
    for count, result in enumerate(results, 1):
        yield result
        if count % SETTLE_EVERY == 0:
            settle()


def needs_context(run: RunIndex) -> bool:
    """Whether the checked files raise a question only other files can answer, so that a
    partial view (a pre-commit run on changed files) would give false findings: a pull secret
    named (where is it? is it of the right type?), a pull secret defined (who uses it?), or a pod
    without pull secrets pulling from a registry that is not well-known public (is there a
    ServiceAccount, do other workloads use credentials there?)."""
    from imagelint.images import catalog
    from imagelint.images.reference import Reference, parse

    if run.secrets or any(account.pull_secrets for account in run.service_accounts):
        return True
    for record in run.images:
        pod = record.pod
        if pod is None or record.image is None:
            continue
        if pod.pull_secrets:
            return True
        ref = parse(record.image)
        if isinstance(ref, Reference) and ref.domain and not catalog.is_known_host(ref.domain):
            return True
    return False


def is_patch(ref: SourceRef, kustomize_patches: frozenset[str]) -> bool:
    """Whether a file holds partial objects: a patch of a kustomization in the run, or a file
    whose name or folder says it is a patch (kustomize, kubeadm and kind name them so)."""
    if _PATCH_WORD.search("/".join(ref.display.split("/")[-2:])):  # file name and its folder
        return True
    return (
        bool(kustomize_patches)
        and ref.path is not None
        and os.path.realpath(ref.path) in kustomize_patches
    )


def position(loaded: LoadedFile, node, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` characters into a node's value."""
    line, column, exact = value_start(node, loaded.line_of(node.start_mark))
    if exact:
        column += offset
    return line + 1, column + 1
