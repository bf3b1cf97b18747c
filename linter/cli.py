"""The command line: ``imagelint check``, ``imagelint rules``, ``imagelint rule NAME``.

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 usage, configuration or internal
error. A traceback is a bug: unexpected errors are reported in one line (``IMAGELINT_DEBUG=1``
shows the traceback).
"""

from __future__ import annotations

import os
import sys

import click
from imagelint import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_ON = ("error", "warning", "info", "never")


def _use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="imagelint")
def cli() -> None:
    """Catch Kubernetes image-pull failures in manifests before they reach a cluster."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--namespace",
    default="default",
    show_default=True,
    metavar="NS",
    help="Namespace of objects that do not set metadata.namespace (as kubectl apply -n).",
)
@click.option(
    "--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable)."
)
@click.option(
    "--stdin-filename",
    metavar="NAME",
    help="Name to show for standard input ('-') in findings.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="warning",
    show_default=True,
    help="Lowest severity that makes the exit code 1.",
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
    "--external-secret",
    multiple=True,
    metavar="NS/NAME",
    help="A pull secret created outside the manifests; globs allowed, e.g. '*/regcred' (repeatable).",
)
@click.option(
    "--require-secrets",
    is_flag=True,
    help="Report missing pull secrets even when the inputs hold no Secret at all.",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text output (auto: only on a terminal, and not with NO_COLOR).",
)
def check(
    paths: tuple[str, ...],
    output_format: str,
    namespace: str,
    exclude: tuple[str, ...],
    stdin_filename: str | None,
    fail_on: str,
    exit_zero: bool,
    fail_if_empty: bool,
    select_: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    private_registry: tuple[str, ...],
    external_secret: tuple[str, ...],
    require_secrets: bool,
    color: str,
) -> None:
    """Check manifests in PATHS (files, directories, or - for standard input; default: .)."""
    from imagelint.engine import Engine
    from imagelint.formatters import render
    from imagelint.model import Settings, Severity
    from imagelint.selection import UnknownRule, select
    from imagelint.sources import PathNotFound, discover

    try:
        rules = select(select_ or None, extend_select, ignore)
    except UnknownRule as error:
        raise click.UsageError(str(error)) from None
    options = {
        "private-registries": list(private_registry),
        "external-secrets": list(external_secret),
        "require-secrets": require_secrets,
    }

    try:
        refs = discover(paths or (".",), exclude, stdin_filename)
    except PathNotFound as error:
        raise click.UsageError(str(error)) from None
    if paths.count("-") > 1:
        raise click.UsageError("'-' (standard input) may be given only once")
    report = Engine(Settings(namespace=namespace, options=options), rules).check(refs)
    click.echo(render(output_format, report, _use_color(color)), nl=False, color=True)

    if not refs:
        click.echo(
            f"imagelint: no manifest files (*.yaml, *.yml, *.json) found in {' '.join(paths or ('.',))}",
            err=True,
        )
    elif report.objects == 0 and not report.findings:
        click.echo(f"imagelint: no Kubernetes objects found in {len(refs)} file(s)", err=True)
    for note in report.notes:
        click.echo(f"imagelint: note: {note}", err=True)
    for message in report.internal_errors:
        click.echo(
            f"imagelint: internal error while checking {message} (please report it; "
            "IMAGELINT_DEBUG=1 shows more)",
            err=True,
        )
    if report.internal_errors:
        sys.exit(EXIT_ERROR)
    if exit_zero:
        sys.exit(EXIT_CLEAN)
    if fail_if_empty and report.objects == 0:
        sys.exit(EXIT_FINDINGS)
    if fail_on != "never":
        threshold = Severity.from_label(fail_on)
        if any(finding.severity >= threshold for finding in report.findings):
            sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)


@cli.command("rules")
def list_rules() -> None:
    """List every rule: code, name, default severity and what it finds."""
    from imagelint.registry import all_rules

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
    from imagelint.registry import find

    rule = find(name)
    if rule is None:
        raise click.UsageError(f"unknown rule {name!r}; 'imagelint rules' lists them")
    state = "on" if rule.default_enabled else "off"
    click.echo(f"# {rule.name} ({rule.code})\n")
    click.echo(f"Default severity: {rule.severity.label}. Enabled by default: {state}.\n")
    click.echo(rule.doc)


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
