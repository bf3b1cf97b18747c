"""A whole run as the command line does it: rules, then the filters (suppressions, config)."""

from __future__ import annotations

from collections.abc import Iterable

from imagelint.core.model import Settings
from imagelint.core.rulebook import Rule
from imagelint.core.selection import select
from imagelint.reading.sources import SourceRef
from imagelint.reporting.filters import Filters
from imagelint.running.engine import Engine, Online, Report


def run(
    refs: Iterable[SourceRef],
    context: Iterable[SourceRef] = (),
    settings: Settings | None = None,
    rules: list[Rule] | None = None,
    filters: Filters | None = None,
    online: Online | None = None,
    jobs: int = 1,
    named: Iterable[str] = (),
) -> Report:
    """``named``: the paths the user gave (a kustomization named is a root of its own)."""
    rules = select() if rules is None else rules
    report = Engine(settings, rules, online).check(refs, context, jobs, named)
    return filtered(report, filters or Filters(rules))


def filtered(report: Report, filters: Filters) -> Report:
    """The report less what the suppressions, the configuration and the baseline hide."""
    report.findings = filters.apply(report.findings, report.suppressions)
    report.hidden_by_baseline = filters.hidden_by_baseline
    return report
