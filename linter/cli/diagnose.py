"""The ``diagnose`` command: why pulls are failing in a cluster, from what the cluster says
(a ``kubectl get`` dump, or the cluster itself with ``--cluster``). Registered on the click
group of :mod:`imagelint.cli.commands` when imported, which :mod:`imagelint.cli` does only when
the command is run or described (help, a mistyped command name): a ``check`` does without it.

Exit codes: 0 no pull failing, 1 some pull failing, 2 unusable input (or usage error).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from imagelint.cli.commands import cli
from imagelint.cli.flags import config_options, effective
from imagelint.cli.output import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from imagelint.core.model import Settings


@cli.command("diagnose")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--cluster",
    is_flag=True,
    help="Read the cluster itself with 'kubectl get ... -o json' (kubectl on PATH).",
)
@click.option("--context", metavar="NAME", help="With --cluster: the kubeconfig context.")
@click.option(
    "-n", "--namespace", metavar="NS", help="With --cluster: one namespace (default: all)."
)
@click.option(
    "-A", "--all-namespaces", "all_namespaces", is_flag=True, help="With --cluster: all (default)."
)
@click.option("--kubeconfig", metavar="FILE", help="With --cluster: the kubeconfig file.")
@click.option(
    "--online",
    is_flag=True,
    help="Also ask the registries now, with each pod's credentials.",
)
@click.option("--timeout", type=float, help="With --online: seconds for all the questions.")
@click.option(
    "--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@config_options()
def diagnose(paths: tuple[str, ...], **opts: Any) -> None:
    """Explain failing image pulls from what the cluster says: PATHS hold what 'kubectl get
    pods,events,nodes,serviceaccounts,secrets -A -o yaml' (or -o json) prints (- for standard
    input), or --cluster reads it with kubectl."""
    from imagelint.cluster import dump as dumps
    from imagelint.cluster import kubectl, report
    from imagelint.cluster.diagnose import diagnoses
    from imagelint.cluster.explain import explain

    cluster_flags = [opts["context"], opts["namespace"], opts["kubeconfig"]]
    if opts["cluster"] and paths:
        raise click.UsageError("give PATHS or --cluster, not both")
    if not opts["cluster"] and (any(cluster_flags) or opts["all_namespaces"]):
        raise click.UsageError("--context, --namespace, -A and --kubeconfig go with --cluster")
    if opts["namespace"] and opts["all_namespaces"]:
        raise click.UsageError("--namespace and -A cannot go together")
    if not opts["cluster"] and not paths:
        raise click.UsageError(
            "give the files kubectl wrote (or - for standard input), or --cluster"
        )
    if paths.count("-") > 1:
        raise click.UsageError("'-' (standard input) may be given only once")

    notes: list[str] = []
    try:
        if opts["cluster"]:
            target = kubectl.Target(opts["context"], opts["namespace"], opts["kubeconfig"])
            dump = kubectl.read(target, notes)
        else:
            dump = dumps.read(paths)
    except dumps.DumpError as error:
        click.echo(f"imagelint: {error}", err=True)
        sys.exit(EXIT_ERROR)

    settings, step = _settings(opts)
    explained = explain(dump, settings, step)
    found = diagnoses(dump, explained)
    clean = report.Redactor(dump.sensitive)
    if opts["format_"] == "json":
        click.echo(report.as_json(found, clean), nl=False)
    else:
        click.echo(report.as_text(found, clean, dump.pods), nl=False)
    if dump.failing and not dump.secrets:
        notes.append(
            "the input holds no Secret: the pods' pull secrets were not checked (add secrets "
            "to the 'kubectl get')"
        )
    for note in dict.fromkeys([*notes, *explained.notes, *getattr(step, "notes", [])]):
        click.echo(f"imagelint: note: {clean(note)}", err=True)
    sys.exit(EXIT_FINDINGS if found else EXIT_CLEAN)


def _settings(opts: dict[str, Any]) -> tuple[Settings, Any]:
    """The rules' settings from the configuration, and the online step with --online (the
    registry client of 'check --online', with its cache and the user's registry logins)."""
    settings_in_effect = effective(
        {"config_path": opts["config_path"], "isolated": opts["isolated"]}
    )
    options = {**settings_in_effect.options(), "image-fields": settings_in_effect["image-fields"]}
    settings = Settings(namespace=settings_in_effect["namespace"], options=options)
    if not opts["online"]:
        return settings, None
    # Here, not at the top: the online checks bring httpx, which an offline run does without.
    from imagelint.cli.output import ProgressBar
    from imagelint.online.step import OnlineSettings, OnlineStep, validate

    timeout = opts["timeout"] if opts["timeout"] is not None else settings_in_effect["timeout"]
    online = OnlineSettings(
        timeout=float(timeout),
        ca_files=settings_in_effect["ca-files"],
        insecure_registries=settings_in_effect["insecure-registries"],
        allow_link_local=settings_in_effect["allow-link-local"],
    )
    try:
        validate(settings, online)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    from imagelint.cluster.explain import rules

    progress = ProgressBar() if sys.stderr.isatty() else None
    enabled = {rule.name for rule in rules(True)}
    return settings, OnlineStep(settings, online, enabled, progress=progress)
