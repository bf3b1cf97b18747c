"""The commands: ``check``, ``rules``, ``rule NAME``, ``kinds``, ``config`` and ``init``."""

from __future__ import annotations

import os
import sys
from collections import Counter
from typing import TYPE_CHECKING, Any

import click

from imagelint import __version__
from imagelint.cli.flags import check_options, config_options, effective
from imagelint.cli.output import ProgressBar, exit_code, formats, notes, write_outputs
from imagelint.configuration import anchors
from imagelint.configuration.effective import Effective
from imagelint.core.model import Settings
from imagelint.core.rulebook import Rule, all_rules, find
from imagelint.core.selection import UnknownRule, select
from imagelint.data import read_text
from imagelint.reading import sources
from imagelint.reporting.filters import Filters
from imagelint.reporting.formatters import FINGERPRINTED
from imagelint.running.engine import Engine
from imagelint.running.parallel import available_cpus
from imagelint.running.pipeline import filtered
from imagelint.running.results import Report

if TYPE_CHECKING:  # imported when the online checks run (see _online_step), and when fixing
    from imagelint.cli.fixflow import FixMode
    from imagelint.online.step import OnlineStep


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="imagelint")
def cli() -> None:
    """Catch Kubernetes image-pull failures in manifests before they reach a cluster."""


@cli.command()
# readable=False: an unreadable file is a finding of its own (unreadable-file), and the other
# files are still checked.
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@check_options()
def check(paths: tuple[str, ...], **opts: Any) -> None:
    """Check manifests in PATHS (files, directories, or - for standard input; default: .)."""
    settings_in_effect = effective(opts)
    pairs = formats(opts["formats"], opts["outputs"])
    try:
        rules = select(
            settings_in_effect["select"],
            settings_in_effect["extend-select"],
            settings_in_effect["ignore"],
        )
    except UnknownRule as error:
        raise click.UsageError(str(error)) from None
    if paths.count("-") > 1:
        raise click.UsageError("'-' (standard input) may be given only once")
    if opts["stdin_filename"] and not paths:  # as ruff: a name for standard input reads it
        paths = (sources.STDIN,)
    exclude = anchors.exclude(settings_in_effect)
    gitignore = settings_in_effect["respect-gitignore"]
    skips = None
    if opts["show_files"]:
        # Here, not at the top: only --show-files lists the files.
        from imagelint.cli.showfiles import Skips

        skips = Skips()
    try:  # sources.discover, looked up at each run: tests replace it
        refs = sources.discover(paths or (".",), exclude, opts["stdin_filename"], gitignore, skips)
        context_paths = settings_in_effect["context"]
        context = sources.discover(context_paths, exclude, None, gitignore) if context_paths else []
    except sources.PathNotFound as error:
        raise click.UsageError(str(error)) from None
    if skips is not None:
        from imagelint.cli.showfiles import show as show_files

        show_files(refs, context, skips)
        sys.exit(0)
    known = _read_baseline(opts["baseline"]) if opts["baseline"] else None
    _declare_kinds(settings_in_effect["image-fields"])

    # The rules' options, and the in-house kinds, which the engine (and its workers) read.
    options = {**settings_in_effect.options(), "image-fields": settings_in_effect["image-fields"]}
    settings = Settings(namespace=settings_in_effect["namespace"], options=options)
    filters = Filters(
        rules,
        settings_in_effect["severity"],
        settings_in_effect["per-file-ignores"],
        settings_in_effect["exemptions"],
        known,
        base=anchors.folder(settings_in_effect),
    )
    online = None
    if settings_in_effect["online"]:
        online = _online_step(settings_in_effect, opts, settings, rules)
    jobs = opts["jobs"] or available_cpus()
    named = paths or (".",)
    fixing = bool(settings_in_effect["fix"] or opts.get("fix_only") or opts.get("diff"))
    # Fixing checks the run again after each pass of fixes: one engine, which then checks
    # again only what read the files changed (see running.reuse).
    # Worked out as the results come in (with --jobs, while the workers check on) when an
    # output shows them or a baseline is matched or written.
    fingerprints = (
        any(name in FINGERPRINTED for name, _ in pairs)
        or known is not None
        or bool(opts["write_baseline"])
    )
    engine = Engine(settings, rules, online, reuse=fixing, fingerprints=fingerprints)

    def check_once(changed: frozenset[str] | None = None) -> Report:
        # refs: standard input's stand-in, when fixing it
        report = filtered(engine.check(refs, context, jobs, named, changed), filters)
        if online is not None:
            report.notes.extend(online.notes)
        return report

    if not fixing:
        # Nothing to fix (FixMode.active is false): check once, report, and exit.
        _report(check_once(), opts, settings_in_effect, pairs, refs, paths)
    # Here, not at the top: only --fix, --fix-only, --diff (or fix: true) fix.
    from imagelint.cli.fixflow import (
        FixMode,
        echo_file,
        exit_status,
        fix_run,
        locator,
        roots_of,
        stdin_as_file,
        summary,
    )

    mode = FixMode(opts, settings_in_effect["fix"], settings_in_effect["unsafe-fixes"])
    with stdin_as_file(refs) as (stand_ins, stdin_file):
        refs = stand_ins if stdin_file is not None else refs
        report, outcome = fix_run(check_once, mode, locator(refs), roots_of(named, stdin_file))
        if mode.diff:
            click.echo(outcome.diff, nl=False)
        elif stdin_file is not None:
            echo_file(stdin_file)
        code = _report(report, opts, settings_in_effect, pairs, refs, paths, mode, stdin_file)
        for line in summary(report, outcome, mode):
            click.echo(line, err=True)
        sys.exit(exit_status(mode, outcome, code))


def _report(
    report: Report,
    opts: dict[str, Any],
    settings_in_effect: Effective,
    pairs: list[tuple[str, str | None]],
    refs: list[sources.SourceRef],
    paths: tuple[str, ...],
    mode: FixMode | None = None,
    stdin_file: str | None = None,
) -> int:
    """Write the report and the notes; the exit code (without fixing: exit with it)."""
    if opts["write_baseline"]:
        _write_baseline(opts["write_baseline"], report.findings)
    if mode is None or mode.report:
        # With standard input fixed, standard output holds the fixed text.
        write_outputs(
            report,
            pairs,
            opts["color"],
            opts["statistics"],
            stdin_file is not None,
            opts["quiet"],
            opts["silent"],
        )
    if not opts["silent"]:
        notes(report, refs, paths, opts["quiet"])
    exit_zero = opts["exit_zero"] or bool(opts["write_baseline"])
    fail_on = settings_in_effect["fail-on"]
    code = exit_code(report, fail_on, exit_zero, opts["fail_if_empty"])
    if mode is None:
        sys.exit(code)
    return code


def _declare_kinds(entries: list[dict[str, Any]]) -> None:
    """The in-house kinds of ``image-fields``, for this run's readers."""
    from imagelint.kube import kinds
    from imagelint.kube.kinds.paths import PathError

    try:
        kinds.declare(entries)
    except PathError as error:
        raise click.UsageError(f"image-fields: {error}") from None


def _read_baseline(path: str) -> Counter[str]:
    # Here, not at the top: fingerprints need hashlib, whose import costs start-up time.
    from imagelint.reporting import baseline as baselines

    try:
        return baselines.read(path)
    except baselines.BaselineError as error:
        raise click.UsageError(str(error)) from None


def _write_baseline(path: str, findings: list[Any]) -> None:
    # Here, not at the top: fingerprints need hashlib, whose import costs start-up time.
    from imagelint.reporting import baseline as baselines

    try:
        baselines.write(path, findings)
    except baselines.BaselineError as error:
        raise click.UsageError(str(error)) from None
    click.echo(
        f"imagelint: wrote a baseline of {len(findings)} finding(s) to {path}",
        err=True,
    )


def _online_step(
    settings_in_effect: Effective, opts: dict[str, Any], settings: Settings, rules: list[Rule]
) -> OnlineStep:
    # Here, not at the top: the online checks bring httpx, which an offline run does without.
    from imagelint.online.step import OnlineSettings, OnlineStep, validate

    online = OnlineSettings(
        timeout=float(settings_in_effect["timeout"]),
        ca_files=settings_in_effect["ca-files"],
        insecure_registries=settings_in_effect["insecure-registries"],
        allow_link_local=settings_in_effect["allow-link-local"],
        cache_dir=opts.get("cache_dir"),
        use_cache=not opts.get("no_cache"),
    )
    try:
        validate(settings, online)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    progress = ProgressBar() if sys.stderr.isatty() else None
    return OnlineStep(settings, online, {rule.name for rule in rules}, progress=progress)


@cli.command("rules")
@click.option(
    "--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def list_rules(format_: str) -> None:
    """List every rule: code, name, default severity, fix (safe, unsafe or -) and what it
    finds."""
    if format_ == "json":
        from imagelint.cli.ruleinfo import rules_json

        click.echo(rules_json())
        return
    rules = all_rules()
    width = max(len(rule.name) for rule in rules)
    for rule in rules:
        off = "" if rule.default_enabled else " (off by default)"
        fix = rule.fix or "-"
        click.echo(
            f"{rule.code}  {rule.name:<{width}}  {rule.severity.label:<7}  {fix:<6}  "
            f"{rule.summary}{off}"
        )


@cli.command("rule")
@click.argument("name")
def show_rule(name: str) -> None:
    """Show the documentation of a rule, by NAME or CODE."""
    rule = find(name)
    if rule is None:
        raise click.UsageError(f"unknown rule {name!r}; 'imagelint rules' lists them")
    state = "on" if rule.default_enabled else "off"
    click.echo(f"# {rule.name} ({rule.code})\n")
    fix = {"safe": "safe (--fix)", "unsafe": "unsafe (--fix --unsafe-fixes)"}.get(rule.fix or "")
    click.echo(
        f"Default severity: {rule.severity.label}. Enabled by default: {state}. "
        f"Automatic fix: {fix or 'none'}.\n"
    )
    click.echo(rule.doc)
    if rule.options:
        click.echo("\n## Options")
        for key, option in rule.options.items():
            click.echo(f"- `{key}` (default {option.value()!r}): {option.rule_doc}")


@cli.command("kinds")
@click.option(
    "--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@config_options()
def list_kinds(format_: str, config_path: str | None, isolated: bool) -> None:
    """List the kinds whose images are read: the fields, and whether the pull-secret and
    platform checks apply to them (kinds declared in image-fields first)."""
    from imagelint.kube.kinds import listing

    settings_in_effect = effective({"config_path": config_path, "isolated": isolated})
    _declare_kinds(settings_in_effect["image-fields"])
    if format_ == "json":
        import json  # here, not at the top: keeps json off the one-file start-up path

        document = {"kinds": listing.rows(), "otherKinds": listing.GENERIC}
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    for line in listing.text_lines():
        click.echo(line)


@cli.command("config")
@config_options()
def show_config(config_path: str | None, isolated: bool) -> None:
    """Print the effective configuration and where each value comes from."""
    import json  # here, not at the top: keeps json off the one-file start-up path

    settings_in_effect = effective({"config_path": config_path, "isolated": isolated})
    width = max(len(key) for key in settings_in_effect.values)
    for key, value in settings_in_effect.values.items():
        shown = json.dumps(value, ensure_ascii=False)
        click.echo(f"{key + ':':<{width + 1}} {shown}  # {settings_in_effect.origins[key]}")


@cli.command("init")
@click.argument("path", default=".imagelint.yaml", type=click.Path())
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool) -> None:
    """Write a commented starter configuration (default: .imagelint.yaml)."""
    if os.path.exists(path) and not force:
        raise click.UsageError(f"{path} exists; use --force to overwrite it")
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(read_text("starter.imagelint.yaml"))
    except OSError as error:
        raise click.UsageError(f"cannot write {path}: {error.strerror}") from None
    click.echo(f"wrote {path}")
