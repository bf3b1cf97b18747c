"""What imagelint's own rules say about the failing pods: the pods (as their spec is, scheduled
on their node's platform), their namespaces' ServiceAccounts and every Secret of the dump are
checked as one run of the engine, as if they were one file (the engine's ``check_text``), and
each container keeps the findings about itself and about its pod as a whole.

With ``--online`` the run has an online step (the registry client of ``check --online``), and
what each registry answered is kept per container as well, to say whether it agrees now.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from imagelint.cluster import pods
from imagelint.cluster.dump import Dump
from imagelint.cluster.records import Explanation, Failing
from imagelint.core.model import Finding, ImageRecord, Settings
from imagelint.core.rulebook import Rule, all_rules
from imagelint.running.engine import Engine
from imagelint.running.runindex import RunIndex

DISPLAY = "<dump>"
# Where a finding's message names a place in the checked text, which is no file of the user's.
_PLACE = re.compile(r"\s*\(?" + re.escape(DISPLAY) + r":\d+\)?")
# The rules about the manifest as a file (syntax, encoding, suppressions): nothing to say about
# objects the cluster wrote.
_FILE_RULES = frozenset({"duplicate-key", "unused-suppression", "unused-pull-secret"})

Step = Callable[[RunIndex, "list[ImageRecord] | None"], Any]
Key = tuple[str, str, str]  # namespace, pod, container


class Explained:
    """The findings and (with --online) the registries' answers, per container."""

    def __init__(self) -> None:
        self.findings: dict[tuple[str, str], list[Finding]] = {}
        self.answers: dict[Key, Any] = {}  # imagelint.online.answers.Answer
        self.notes: list[str] = []

    def for_container(self, failing: Failing) -> tuple[Explanation, ...]:
        found = self.findings.get((failing.namespace, failing.pod), [])
        return tuple(
            Explanation(f.rule, f.code, f.severity.label, _PLACE.sub("", f.message))
            for f in found
            if f.container is None or f.container == failing.container
        )

    def answer(self, failing: Failing) -> Any:
        return self.answers.get((failing.namespace, failing.pod, failing.container))


def rules(online: bool) -> list[Rule]:
    """The rules on by default, and the online ones with --online."""
    return [
        rule
        for rule in all_rules()
        if (rule.default_enabled or (online and rule.online)) and rule.name not in _FILE_RULES
    ]


def explain(dump: Dump, settings: Settings | None = None, online: Step | None = None) -> Explained:
    explained = Explained()
    if not dump.failing:
        return explained
    documents = []
    namespaces = set()
    for pod, found in dump.failing:
        node = dump.nodes.get(found[0].node)
        documents.append(pods.for_rules(pod, node))
        namespaces.add(found[0].namespace)
    documents.extend(
        account
        for account in dump.service_accounts
        if account["metadata"]["namespace"] in namespaces
    )
    documents.extend(dump.secrets)
    text = "\n---\n".join(json.dumps(document, separators=(",", ":")) for document in documents)

    step = None
    if online is not None:

        def step(run: RunIndex, records: list[ImageRecord] | None) -> Any:
            answers = online(run, records)
            for record in run.images:
                answer = answers.get(record)
                if answer is not None and record.object.kind == "Pod":
                    subject = record.object
                    key = (subject.namespace or "", subject.name or "", record.container or "")
                    explained.answers[key] = answer
            return answers

    engine = Engine(settings or Settings(), rules(online is not None), step)
    report = engine.check_text(DISPLAY, text)
    for finding in report.findings:
        subject = finding.object
        if subject is None or subject.kind != "Pod":
            continue
        key = (subject.namespace or "default", subject.name or "")
        explained.findings.setdefault(key, []).append(finding)
    # The engine's note on a run without Secrets names check's flags; the command line says
    # it in diagnose's words instead.
    explained.notes = [
        _PLACE.sub("", note)
        for note in dict.fromkeys(report.notes)
        if not note.startswith("no Secret, SealedSecret")
    ]
    return explained
