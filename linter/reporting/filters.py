"""What happens to findings between the rules and the formatter.

In order: severity overrides from the configuration; inline and annotation suppressions (a
suppression that names an unknown rule or suppresses nothing becomes an ``unused-suppression``
finding); ``per-file-ignores`` (globs relative to the configuration file's folder); ``exemptions``; and the baseline, which hides findings recorded
earlier.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from imagelint.core.model import Finding, Severity
from imagelint.core.rulebook import Rule, find
from imagelint.core.selection import UnknownRule, matching, suggestion
from imagelint.reading.globs import Matcher
from imagelint.reporting.suppressions import Suppression
from imagelint.rules import unused_suppression

UNUSED = unused_suppression.NAME


class Filters:
    def __init__(
        self,
        enabled: Iterable[Rule],
        severity: Mapping[str, str] | None = None,
        per_file_ignores: Mapping[str, list[str]] | None = None,
        exemptions: list[dict[str, Any]] | None = None,
        baseline: Counter[str] | None = None,
        base: str | None = None,
    ) -> None:
        """``base``: the folder ``per-file-ignores`` globs are relative to (the configuration
        file's; default the current directory)."""
        self.enabled = {rule.name for rule in enabled}
        self.severity = {
            rule.name: Severity.from_label(level)
            for token, level in (severity or {}).items()
            for rule in matching(token)
        }
        self.per_file_ignores = [
            (Matcher([glob], base), {rule.name for token in tokens for rule in matching(token)})
            for glob, tokens in (per_file_ignores or {}).items()
            if glob.strip()
        ]
        self.exemptions = [
            (
                exemption,
                {
                    rule.name
                    for token in exemption.get("rules", ["ALL"])
                    for rule in matching(token)
                },
            )
            for exemption in exemptions or []
        ]
        self.baseline = baseline
        self.hidden_by_baseline = 0

    def apply(self, findings: list[Finding], suppressions: list[Suppression]) -> list[Finding]:
        # Each step only where the configuration or the files ask for it: a findings-heavy run
        # without any would otherwise pay a few calls per finding for nothing.
        if self.severity:
            findings = [self._severity(f) for f in findings]
        if suppressions:
            findings = self._suppress(findings, suppressions)
        if self.per_file_ignores or self.exemptions:
            findings = [f for f in findings if not self._ignored(f)]
        if self.baseline is not None:
            findings = self._without_baseline(findings)
        return sorted(findings, key=Finding.sort_key)

    def _severity(self, finding: Finding) -> Finding:
        level = self.severity.get(finding.rule)
        return (
            finding if level is None or level == finding.severity else finding.with_severity(level)
        )

    def _suppress(self, findings: list[Finding], suppressions: list[Suppression]) -> list[Finding]:
        """Drop suppressed findings; report suppressions that name unknown rules or hide nothing."""
        entries = [_Entry(suppression) for suppression in suppressions]
        # Where each suppression can apply, so a finding meets only its candidates: a line's,
        # an object's, its file's (linear in findings and suppressions, whatever their number).
        by_place: dict[tuple[object, ...], list[_Entry]] = {}
        for entry in entries:
            suppression = entry.suppression
            path = suppression.site.path
            if suppression.scope == "line":
                place: tuple[object, ...] = (path, suppression.line)
            elif suppression.scope == "object":
                place = (path, suppression.object)
            else:
                place = (path,)
            by_place.setdefault(place, []).append(entry)
        kept = []
        for finding in findings:
            candidates = [
                *by_place.get((finding.path, finding.line), ()),
                *by_place.get((finding.path, finding.object), ()),
                *by_place.get((finding.path,), ()),
            ]
            covering = [entry for entry in candidates if entry.covers(finding)]
            for entry in covering:
                entry.hits.add(finding.rule)
            if not covering:
                kept.append(finding)
        rule = find(UNUSED)
        if rule is not None and rule.name in self.enabled:
            for entry in entries:
                kept.extend(
                    _finding(rule, entry.suppression, m) for m in entry.unused(self.enabled)
                )
        return kept

    def _ignored(self, finding: Finding) -> bool:
        for glob, names in self.per_file_ignores:
            if finding.rule in names and glob(finding.path):
                return True
        return any(
            finding.rule in names and _exempt(exemption, finding)
            for exemption, names in self.exemptions
        )

    def _without_baseline(self, findings: list[Finding]) -> list[Finding]:
        from imagelint.reporting.fingerprint import fingerprint

        left = Counter(self.baseline)
        kept = []
        for finding in findings:
            key = fingerprint(finding)
            if left[key] > 0:
                left[key] -= 1
                self.hidden_by_baseline += 1
            else:
                kept.append(finding)
        return kept


class _Entry:
    """A suppression with the rules each of its tokens names, and the rules it hid."""

    def __init__(self, suppression: Suppression) -> None:
        self.suppression = suppression
        self.tokens: list[tuple[str, set[str] | None]] = []  # None: an unknown rule
        for token in suppression.tokens:
            try:
                self.tokens.append((token, {rule.name for rule in matching(token)}))
            except UnknownRule:
                self.tokens.append((token, None))
        self.names = (
            None
            if not suppression.tokens
            else {name for _, names in self.tokens for name in names or ()}
        )
        self.hits: set[str] = set()

    def covers(self, finding: Finding) -> bool:
        if self.names is not None and finding.rule not in self.names:
            return False
        scope = self.suppression.scope
        if scope == "line":
            return finding.line == self.suppression.line
        if scope == "object":
            return finding.object is not None and finding.object == self.suppression.object
        return True

    def unused(self, enabled: set[str]) -> Iterable[str]:
        where = {
            "line": f"on line {self.suppression.line}",
            "file": "in this file",
            "object": "on this object",
        }[self.suppression.scope]
        if self.names is None and not self.suppression.tokens:
            if not self.hits:
                yield f"this suppression of every rule suppresses nothing {where}; remove it"
            return
        for token, names in self.tokens:
            if names is None:
                yield f"this suppression names an unknown rule {token!r}{suggestion(token)}"
            elif names & enabled and not names & self.hits:
                yield f"this suppression of {token} suppresses nothing {where}; remove it"


def _finding(rule: Rule, suppression: Suppression, message: str) -> Finding:
    site = suppression.site
    return Finding(
        rule.name,
        rule.code,
        rule.severity,
        site.path,
        site.line,
        site.column,
        message,
        suppression.object,
        source=site.source,
    )


def _path_matches(path: str, glob: str) -> bool:
    glob = glob.strip().rstrip("/")
    return (
        fnmatch.fnmatchcase(path, glob)
        or fnmatch.fnmatchcase(path, f"*/{glob}")
        or ("/" not in glob and any(fnmatch.fnmatchcase(part, glob) for part in path.split("/")))
    )


def _exempt(exemption: dict[str, Any], finding: Finding) -> bool:
    obj = finding.object
    values = {
        "kind": obj.kind if obj else None,
        "namespace": obj.namespace if obj else None,
        "name": obj.name if obj else None,
        "container": finding.container,
        "image": finding.image,
    }
    for key, value in values.items():
        if key in exemption and (value is None or not fnmatch.fnmatchcase(value, exemption[key])):
            return False
    return "path" not in exemption or _path_matches(finding.path, exemption["path"])
