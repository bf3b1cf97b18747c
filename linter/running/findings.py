"""Findings from what the rules said: about a record (an image, a name reference, a Secret),
about a repeated key, or about a problem met reading a file."""

from __future__ import annotations

from typing import TypeVar

from imagelint.core.model import (
    Finding,
    ImageRecord,
    NameRef,
    ObjectId,
    SecretRecord,
    Site,
    Violation,
)
from imagelint.core.rulebook import Rule
from imagelint.kube.objects import KubeObject
from imagelint.reading.loader import LoadedFile
from imagelint.reading.sources import Problem
from imagelint.reading.yamlnodes import DuplicateKey

MAX_CONTEXT_IMAGE = 4096

# What a run rule reports on.
Subject = ImageRecord | NameRef | SecretRecord
_Subject = TypeVar("_Subject", bound=Subject)


def without_superseded(
    fired: list[tuple[Rule, _Subject, Violation]],
) -> list[tuple[Rule, _Subject, Violation]]:
    """Findings on one subject, less those a more specific finding replaces."""
    if len(fired) < 2:
        return fired
    replaced = {name for rule, _, v in fired if v.replaces for name in rule.supersedes}
    return [item for item in fired if item[0].name not in replaced]


def record_finding(
    rule: Rule,
    subject: Subject,
    violation: Violation,
    site: Site | None = None,
    old: str | None = None,
) -> Finding:
    """A finding about an image, a name reference or a Secret, from its record. With a fix, it
    carries the edit that makes it (``old``: the value written at ``site``, when not the
    image)."""
    context: tuple[ObjectId, str | None, str | None, str | None]
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
    path, line, column = site.locate(violation.offset)
    obj, container, image, field = context
    edit = None
    if violation.fix is not None:
        # Here, not at the top: only a finding with a fix needs its edit.
        from imagelint.running.fixes import edit_for

        if old is None and isinstance(subject, ImageRecord):
            old = subject.image
        edit = edit_for(site, old, violation.fix)
    return Finding(
        rule.name,
        rule.code,
        violation.severity or rule.severity,
        path,
        line,
        column,
        violation.message,
        obj,
        container,
        image,
        site.source,
        field,
        (site.via,) if site.via else (),
        edit,
    )


def duplicate_finding(
    rule: Rule, loaded: LoadedFile, obj: KubeObject, duplicate: DuplicateKey
) -> Finding:
    """The finding of the duplicate-key rule on a key repeated in one of an object's mappings."""
    site = loaded.site(duplicate.last, obj.document.source)
    message = (
        f'key "{duplicate.key}" appears more than once in this mapping (also at line '
        f"{duplicate.first.start_mark.line + 1}); Kubernetes keeps this last value, and "
        "strict clients (kubectl --validate=strict, kustomize) reject the document"
    )
    return Finding(
        rule.name,
        rule.code,
        rule.severity,
        site.path,
        site.line,
        site.column,
        message,
        obj.identity,
        None,
        None,
        obj.document.source,
        None,
        (site.via,) if site.via else (),
    )


def problem_finding(rule: Rule, display: str, problem: Problem, via: str | None = None) -> Finding:
    """The finding of an input rule on a problem met reading a file (``via``: the tree whose
    build read it)."""
    return Finding(
        rule.name,
        rule.code,
        rule.severity,
        display,
        problem.line,
        problem.column,
        problem.message,
        via=(via,) if via else (),
    )
