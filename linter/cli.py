"""The command line: ``check``, ``rules``, ``rule NAME``, ``config`` and ``init``.

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 usage, configuration or internal
error. A traceback is a bug: unexpected errors are reported in one line (``IMAGELINT_DEBUG=1``
shows the traceback).
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

import click

from imagelint import __version__
from imagelint.reporting.formatters import FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_ON = ("error", "warning", "info", "never")
FORMAT_ENV = "IMAGELINT_FORMAT"


def _use_color(choice: str, stream_is_tty: bool) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream_is_tty


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="imagelint")
def cli() -> None:
    """Catch Kubernetes image-pull failures in manifests before they reach a cluster."""


def _config_options(function: Any) -> Any:
    function = click.option(
        "--config",
        "config_path",
        type=click.Path(),
        metavar="PATH",
        help="Use this configuration file instead of the nearest .imagelint.yaml / pyproject.toml.",
    )(function)
    return click.option("--isolated", is_flag=True, help="Ignore every configuration file.")(
        function
    )


@cli.command()
# readable=False: an unreadable file is a finding of its own (unreadable-file), and the other
# files are still checked.
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@_config_options
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(FORMATS),
    metavar="FORMAT",
    help=f"Output format: {', '.join(FORMATS)} (repeatable, paired in order with --output; "
    f"default text, or ${FORMAT_ENV}).",
)
@click.option(
    "--output",
    "outputs",
    multiple=True,
    type=click.Path(),
    metavar="FILE",
    help="Write the matching --format to FILE instead of standard output (repeatable).",
)
@click.option("--statistics", is_flag=True, help="Also print how many findings each rule gave.")
@click.option(
    "--namespace",
    default=None,
    metavar="NS",
    help="Namespace of objects that do not set metadata.namespace (as kubectl apply -n).",
)
@click.option(
    "--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable)."
)
@click.option(
    "--context",
    multiple=True,
    type=click.Path(),
    metavar="PATH",
    help="Read PATH for Secrets, ServiceAccounts and other workloads, without reporting on it "
    "(e.g. the repository, when a pre-commit hook passes only changed files).",
)
@click.option("--stdin-filename", metavar="NAME", help="Name to show for standard input ('-').")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Worker processes for the files (default: the CPUs available; 1 for standard input).",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default=None,
    help="Lowest severity that makes the exit code 1 (default warning).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--fail-if-empty", is_flag=True, help="Exit 1 when no Kubernetes object was found.")
@click.option(
    "--select",
    "select_",
    multiple=True,
    metavar="RULE",
    help="Run only these rules: names, codes, code prefixes (IL2) or ALL (repeatable).",
)
@click.option(
    "--extend-select",
    multiple=True,
    metavar="RULE",
    help="Also run these rules, e.g. off-by-default ones (repeatable).",
)
@click.option(
    "--ignore", multiple=True, metavar="RULE", help="Do not run these rules (repeatable)."
)
@click.option(
    "--private-registry",
    multiple=True,
    metavar="HOST",
    help="A registry that needs credentials: host, *.domain or host/path (repeatable).",
)
@click.option(
    "--allowed-registry",
    multiple=True,
    metavar="HOST",
    help="Allow only images from these registries (repeatable; see allowed-registries).",
)
@click.option(
    "--external-secret",
    multiple=True,
    metavar="NS/NAME",
    help="A pull secret created outside the manifests; globs allowed, e.g. '*/regcred'.",
)
@click.option(
    "--require-secrets",
    is_flag=True,
    default=None,
    help="Report missing pull secrets even when the inputs hold no Secret at all.",
)
@click.option(
    "--online",
    is_flag=True,
    default=None,
    help="Ask each registry whether every image exists, with the credentials its pod would use.",
)
@click.option(
    "--timeout",
    type=float,
    default=None,
    metavar="SECONDS",
    help="Time the online checks may take in all (default 60).",
)
@click.option(
    "--platform",
    multiple=True,
    metavar="OS/ARCH",
    help="A platform of the cluster's nodes, for pods that choose none (repeatable; "
    "default linux/amd64).",
)
@click.option(
    "--ca-file",
    multiple=True,
    type=click.Path(),
    metavar="FILE",
    help="Also trust this CA (PEM) for registries' certificates (repeatable).",
)
@click.option(
    "--insecure-registry",
    multiple=True,
    metavar="HOST",
    help="A registry that may be reached over plain HTTP (repeatable; loopback always may).",
)
@click.option(
    "--cache-dir",
    type=click.Path(),
    metavar="DIR",
    help="Where registry answers are kept between runs (default: the user's cache folder).",
)
@click.option("--no-cache", is_flag=True, help="Ask the registries again, and keep nothing.")
@click.option(
    "--baseline",
    type=click.Path(),
    metavar="FILE",
    help="Report only findings that are not in this baseline file.",
)
@click.option(
    "--write-baseline",
    type=click.Path(),
    metavar="FILE",
    help="Record today's findings in FILE (and exit 0) to adopt imagelint on an existing repo.",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text output (auto: only on a terminal, and not with NO_COLOR).",
)
def check(paths: tuple[str, ...], **opts: Any) -> None:
    """Check manifests in PATHS (files, directories, or - for standard input; default: .)."""
    from imagelint.core.model import Settings, Severity
    from imagelint.core.selection import UnknownRule, select
    from imagelint.reading.sources import PathNotFound, discover
    from imagelint.reporting.filters import Filters
    from imagelint.running.pipeline import run

    effective = _effective(opts)
    formats = _formats(opts["formats"], opts["outputs"])
    try:
        rules = select(effective["select"], effective["extend-select"], effective["ignore"])
    except UnknownRule as error:
        raise click.UsageError(str(error)) from None
    if paths.count("-") > 1:
        raise click.UsageError("'-' (standard input) may be given only once")
    try:
        refs = discover(paths or (".",), effective["exclude"], opts["stdin_filename"])
        context = (
            discover(effective["context"], effective["exclude"]) if effective["context"] else []
        )
    except PathNotFound as error:
        raise click.UsageError(str(error)) from None
    known = None
    if opts["baseline"]:
        from imagelint.reporting import baseline as baselines

        try:
            known = baselines.read(opts["baseline"])
        except baselines.BaselineError as error:
            raise click.UsageError(str(error)) from None

    settings = Settings(namespace=effective["namespace"], options=effective.options())
    filters = Filters(
        rules, effective["severity"], effective["per-file-ignores"], effective["exemptions"], known
    )
    online = _online_step(effective, opts, settings, rules) if effective["online"] else None
    jobs = opts["jobs"] or _available_cpus()
    report = run(refs, context, settings, rules, filters, online, jobs)
    if online is not None:
        report.notes.extend(online.notes)

    if opts["write_baseline"]:
        from imagelint.reporting import baseline as baselines

        try:
            baselines.write(opts["write_baseline"], report.findings)
        except baselines.BaselineError as error:
            raise click.UsageError(str(error)) from None
        click.echo(
            f"imagelint: wrote a baseline of {len(report.findings)} finding(s) to "
            f"{opts['write_baseline']}",
            err=True,
        )
    _write_outputs(report, formats, opts["color"], opts["statistics"])
    _notes(report, refs, paths)
    if report.internal_errors:
        sys.exit(EXIT_ERROR)
    if opts["exit_zero"] or opts["write_baseline"]:
        sys.exit(EXIT_CLEAN)
    if opts["fail_if_empty"] and report.objects == 0:
        sys.exit(EXIT_FINDINGS)
    fail_on = effective["fail-on"]
    if fail_on != "never":
        threshold = Severity.from_label(fail_on)
        if any(finding.severity >= threshold for finding in report.findings):
            sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)


def _effective(opts: dict[str, Any]) -> Any:
    """Defaults, the configuration file, then the flags the user gave."""
    from imagelint.configuration import files as configs
    from imagelint.configuration.effective import resolve

    try:
        if opts["isolated"]:
            config = configs.Config.empty()
        elif opts["config_path"]:
            if not os.path.isfile(opts["config_path"]):
                raise click.UsageError(f"no such configuration file: {opts['config_path']}")
            config = configs.load(opts["config_path"])
        else:
            found = configs.find()
            config = configs.load(found) if found else configs.Config.empty()
    except configs.ConfigError as error:
        raise click.UsageError(f"configuration error: {error}") from None
    given = {
        "select": ("--select", list(opts.get("select_") or ())),
        "extend-select": ("--extend-select", list(opts.get("extend_select") or ())),
        "ignore": ("--ignore", list(opts.get("ignore") or ())),
        "exclude": ("--exclude", list(opts.get("exclude") or ())),
        "context": ("--context", list(opts.get("context") or ())),
        "private-registries": ("--private-registry", list(opts.get("private_registry") or ())),
        "allowed-registries": ("--allowed-registry", list(opts.get("allowed_registry") or ())),
        "external-secrets": ("--external-secret", list(opts.get("external_secret") or ())),
        "namespace": ("--namespace", opts.get("namespace")),
        "fail-on": ("--fail-on", opts.get("fail_on")),
        "require-secrets": ("--require-secrets", opts.get("require_secrets")),
        "online": ("--online", opts.get("online")),
        "timeout": ("--timeout", opts.get("timeout")),
        "platforms": ("--platform", list(opts.get("platform") or ())),
        "ca-files": ("--ca-file", list(opts.get("ca_file") or ())),
        "insecure-registries": ("--insecure-registry", list(opts.get("insecure_registry") or ())),
    }
    flags = {key: value for key, value in given.items() if value[1] not in (None, [])}
    return resolve(config, flags)


def _available_cpus() -> int:
    from imagelint.running.parallel import available_cpus

    return available_cpus()


def _online_step(effective: Any, opts: dict[str, Any], settings: Any, rules: list) -> Any:
    from imagelint.online.step import OnlineSettings, OnlineStep, validate

    online = OnlineSettings(
        timeout=float(effective["timeout"]),
        ca_files=effective["ca-files"],
        insecure_registries=effective["insecure-registries"],
        allow_link_local=effective["allow-link-local"],
        cache_dir=opts.get("cache_dir"),
        use_cache=not opts.get("no_cache"),
    )
    try:
        validate(settings, online)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    progress = _ProgressBar() if sys.stderr.isatty() else None
    return OnlineStep(settings, online, {rule.name for rule in rules}, progress=progress)


class _ProgressBar:
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


def _formats(formats: tuple[str, ...], outputs: tuple[str, ...]) -> list[tuple[str, str | None]]:
    if not formats:
        env = os.environ.get(FORMAT_ENV, "").strip()
        if env and env not in FORMATS:
            raise click.UsageError(f"${FORMAT_ENV}={env!r} is not one of {', '.join(FORMATS)}")
        formats = (env or "text",)
    if len(outputs) > len(formats):
        raise click.UsageError("more --output than --format: each --output goes with a --format")
    pairs = [(name, outputs[i] if i < len(outputs) else None) for i, name in enumerate(formats)]
    if sum(1 for _, output in pairs if output is None) > 1:
        raise click.UsageError(
            "only one --format can go to standard output; give the others an --output"
        )
    return pairs


def _write_outputs(
    report: Any, formats: list[tuple[str, str | None]], color: str, stats: bool
) -> None:
    from imagelint.reporting.formatters import render
    from imagelint.reporting.formatters.text import statistics

    to_stdout = None
    for name, output in formats:
        if output is None:
            to_stdout = name
            click.echo(
                render(name, report, _use_color(color, sys.stdout.isatty())), nl=False, color=True
            )
            continue
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(render(name, report, False))
        except OSError as error:
            raise click.UsageError(f"cannot write {output}: {error.strerror}") from None
    if stats:
        click.echo(statistics(report), nl=False, err=to_stdout not in (None, "text"))


def _notes(report: Any, refs: list, paths: tuple[str, ...]) -> None:
    if not refs:
        where = " ".join(paths or (".",))
        click.echo(
            f"imagelint: no manifest files (*.yaml, *.yml, *.json) found in {where}", err=True
        )
    elif report.objects == 0 and not report.findings:
        click.echo(f"imagelint: no Kubernetes objects found in {len(refs)} file(s)", err=True)
    if report.hidden_by_baseline:
        click.echo(
            f"imagelint: {report.hidden_by_baseline} finding(s) hidden by the baseline", err=True
        )
    for note in report.notes:
        click.echo(f"imagelint: note: {note}", err=True)
    for message in report.internal_errors:
        click.echo(
            f"imagelint: internal error while checking {message} (please report it; "
            "IMAGELINT_DEBUG=1 shows more)",
            err=True,
        )


@cli.command("rules")
def list_rules() -> None:
    """List every rule: code, name, default severity and what it finds."""
    from imagelint.core.rulebook import all_rules

    rules = all_rules()
    width = max(len(rule.name) for rule in rules)
    for rule in rules:
        off = "" if rule.default_enabled else " (off by default)"
        click.echo(
            f"{rule.code}  {rule.name:<{width}}  {rule.severity.label:<7}  {rule.summary}{off}"
        )


@cli.command("rule")
@click.argument("name")
def show_rule(name: str) -> None:
    """Show the documentation of a rule, by NAME or CODE."""
    from imagelint.core.rulebook import find

    rule = find(name)
    if rule is None:
        raise click.UsageError(f"unknown rule {name!r}; 'imagelint rules' lists them")
    state = "on" if rule.default_enabled else "off"
    click.echo(f"# {rule.name} ({rule.code})\n")
    click.echo(f"Default severity: {rule.severity.label}. Enabled by default: {state}.\n")
    click.echo(rule.doc)
    if rule.options:
        click.echo("\n## Options")
        for option, spec in rule.options.items():
            click.echo(f"- `{option}` (default {spec.default!r}): {spec.help}")


@cli.command("config")
@_config_options
def show_config(config_path: str | None, isolated: bool) -> None:
    """Print the effective configuration and where each value comes from."""
    import json

    effective = _effective({"config_path": config_path, "isolated": isolated})
    width = max(len(key) for key in effective.values)
    for key, value in effective.values.items():
        shown = json.dumps(value, ensure_ascii=False)
        click.echo(f"{key + ':':<{width + 1}} {shown}  # {effective.origins[key]}")


@cli.command("init")
@click.argument("path", default=".imagelint.yaml", type=click.Path())
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool) -> None:
    """Write a commented starter configuration (default: .imagelint.yaml)."""
    from imagelint.data import read_text

    if os.path.exists(path) and not force:
        raise click.UsageError(f"{path} exists; use --force to overwrite it")
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(read_text("starter.imagelint.yaml"))
    except OSError as error:
        raise click.UsageError(f"cannot write {path}: {error.strerror}") from None
    click.echo(f"wrote {path}")


def script() -> None:
    """The ``imagelint`` command and ``python -m imagelint``: :func:`main`, then exit.

    Before exiting, what the run made is frozen out of the garbage collector's sight: the
    interpreter's last collection would traverse every record of the run only to free them
    (0.65 s after 10,000 files). In-process callers use :func:`main`, which leaves the
    collector as it was."""
    code = main()
    gc.freeze()
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    """Console entry point; returns the exit code instead of raising on errors."""
    try:
        cli.main(args=argv, prog_name="imagelint", standalone_mode=True)
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_ERROR)
    except BrokenPipeError:
        # The reader went away (imagelint check | head); not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as error:
        if os.environ.get("IMAGELINT_DEBUG"):
            import traceback

            traceback.print_exc()
        click.echo(
            f"imagelint: internal error: {type(error).__name__}: {error} (please report it; "
            "IMAGELINT_DEBUG=1 shows the traceback)",
            err=True,
        )
        return EXIT_ERROR
    return EXIT_CLEAN
