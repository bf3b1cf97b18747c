"""What ``imagelint check`` writes and how it exits: the reports in their formats (to standard
output or files), the notes on standard error, the progress bar of the online checks, and the
exit code.

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 usage, configuration or internal
error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from imagelint.cli.flags import FORMAT_ENV
from imagelint.core.model import Severity
from imagelint.reporting.formatters import FORMATS, render

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def use_color(choice: str, stream_is_tty: bool) -> bool:
    """--color always/never, else FORCE_COLOR (as ruff, it wins over NO_COLOR), else NO_COLOR,
    else whether the stream is a terminal; the variables count when set and not empty."""
    if choice in ("always", "never"):
        return choice == "always"
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return stream_is_tty


def formats(names: tuple[str, ...], outputs: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """Each ``--format`` with its ``--output`` (None: standard output), paired in order."""
    if not names:
        env = os.environ.get(FORMAT_ENV, "").strip()
        if env and env not in FORMATS:
            raise click.UsageError(f"${FORMAT_ENV}={env!r} is not one of {', '.join(FORMATS)}")
        names = (env or "text",)
    if len(outputs) > len(names):
        raise click.UsageError("more --output than --format: each --output goes with a --format")
    pairs = [(name, outputs[i] if i < len(outputs) else None) for i, name in enumerate(names)]
    if sum(1 for _, output in pairs if output is None) > 1:
        raise click.UsageError(
            "only one --format can go to standard output; give the others an --output"
        )
    return pairs


def write_outputs(
    report: Any,
    pairs: list[tuple[str, str | None]],
    color: str,
    stats: bool,
    to_stderr: bool = False,
    quiet: bool = False,
    silent: bool = False,
) -> None:
    """The report in each format, to its file or to standard output (standard error with
    ``to_stderr``: when standard output holds fixed text). ``quiet``: no summary line;
    ``silent``: only the files of ``--output`` are written."""
    to_stdout = None
    for name, output in pairs:
        if output is None:
            if silent:
                continue
            to_stdout = name
            stream = sys.stderr if to_stderr else sys.stdout
            text = render(name, report, use_color(color, stream.isatty()), not quiet)
            click.echo(text, nl=False, color=True, err=to_stderr)
            continue
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(render(name, report, False))
        except OSError as error:
            raise click.UsageError(f"cannot write {output}: {error.strerror}") from None
    if stats and not silent:
        # Here, not at the top: a formatter, which a run in another format does not need.
        from imagelint.reporting.formatters.text import statistics

        click.echo(statistics(report), nl=False, err=to_stderr or to_stdout not in (None, "text"))


def notes(report: Any, refs: Sequence[Any], paths: tuple[str, ...], quiet: bool = False) -> None:
    """What standard error says besides the findings (``quiet``: internal errors only)."""
    if quiet:
        pass
    elif not refs:
        where = " ".join(paths or (".",))
        click.echo(
            f"imagelint: no manifest files (*.yaml, *.yml, *.json) found in {where}", err=True
        )
    elif report.objects == 0 and not report.findings:
        click.echo(f"imagelint: no Kubernetes objects found in {len(refs)} file(s)", err=True)
    if report.hidden_by_baseline and not quiet:
        click.echo(
            f"imagelint: {report.hidden_by_baseline} finding(s) hidden by the baseline", err=True
        )
    for note in () if quiet else report.notes:
        click.echo(f"imagelint: note: {note}", err=True)
    for message in report.internal_errors:
        click.echo(
            f"imagelint: internal error while checking {message} (please report it; "
            "IMAGELINT_DEBUG=1 shows more)",
            err=True,
        )


def exit_code(report: Any, fail_on: str, exit_zero: bool, fail_if_empty: bool) -> int:
    """The exit code of a run that went through."""
    if report.internal_errors:
        return EXIT_ERROR
    if exit_zero:
        return EXIT_CLEAN
    if fail_if_empty and report.objects == 0:
        return EXIT_FINDINGS
    if fail_on != "never":
        threshold = Severity.from_label(fail_on)
        if any(finding.severity >= threshold for finding in report.findings):
            return EXIT_FINDINGS
    return EXIT_CLEAN


class ProgressBar:
    """'imagelint: asking registries [#####     ] 12/40' on standard error, for a terminal,
    when there are more than a handful of questions."""

    HANDFUL = 8

    def __call__(self, done: int, total: int) -> None:
        if total <= self.HANDFUL:
            return
        width = 30
        filled = width * done // total
        bar = "#" * filled + " " * (width - filled)
        end = "\n" if done == total else ""
        sys.stderr.write(f"\rimagelint: asking registries [{bar}] {done}/{total}{end}")
        sys.stderr.flush()
