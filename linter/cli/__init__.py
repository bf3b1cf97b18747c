"""The command line (``imagelint``, ``python -m imagelint``): :func:`script` runs :func:`main`,
which runs the click group :data:`cli` (its commands are in :mod:`imagelint.cli.commands`).

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 usage, configuration or internal
error. A traceback is a bug: unexpected errors are reported in one line (``IMAGELINT_DEBUG=1``
shows the traceback).
"""

from __future__ import annotations

import gc

# While the command line imports (click, ruamel.yaml and imagelint's own modules), the cyclic
# garbage collector waits: it would otherwise run dozens of young collections over the classes
# and functions being defined, which live as long as the process, and free nothing. Once they
# are imported they are frozen (out of the collector's sight) before the threshold is restored:
# the first allocation after would otherwise start a collection over everything imported, to
# free a few hundred objects. The run unfreezes everything when it ends (running.engine), and
# tunes the threshold meanwhile (running.collect).
_threshold = gc.get_threshold()
gc.set_threshold(0)  # 0: no automatic collection
try:
    import os
    import sys
    from typing import Any

    import click

    from imagelint.cli.commands import cli
    from imagelint.cli.output import EXIT_ERROR
finally:
    gc.freeze()
    gc.set_threshold(*_threshold)

__all__ = ["cli", "main", "script"]


class _Diagnose(click.Command):
    """``diagnose``, registered by name: its module (and the options it declares) is imported
    when the command is run or described (help lists it, a mistyped name is matched against
    it), not on every ``check``. Importing the module registers the real command in this one's
    place; this one hands the work to it."""

    def __init__(self) -> None:
        super().__init__("diagnose")

    @staticmethod
    def _command() -> click.Command:
        # Here, not at the top: a 'check' run does without the diagnose command.
        from imagelint.cli.diagnose import diagnose

        return diagnose

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        return self._command().make_context(info_name, args, parent, **extra)

    def get_short_help_str(self, limit: int = 45) -> str:
        return self._command().get_short_help_str(limit)

    def to_info_dict(self, ctx: click.Context) -> dict[str, Any]:
        return self._command().to_info_dict(ctx)


if "diagnose" not in cli.commands:  # not when imagelint.cli.diagnose was imported first
    cli.add_command(_Diagnose())


def script() -> None:
    """The ``imagelint`` command and ``python -m imagelint``: :func:`main`, then exit.

    The process then ends without the interpreter's teardown, which would free every record
    of the run one by one (and run a last collection over them) only for the memory to be
    handed back anyway: what the command wrote is flushed first; its files are closed where
    they are written, and imagelint registers no exit handler. In-process callers use
    :func:`main`, which returns."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):  # no stream, a reader gone, a closed one
            pass
    os._exit(code)


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
            import traceback  # here, not at the top: it costs start-up time, and is rarely asked

            traceback.print_exc()
        click.echo(
            f"imagelint: internal error: {type(error).__name__}: {error} (please report it; "
            "IMAGELINT_DEBUG=1 shows the traceback)",
            err=True,
        )
        return EXIT_ERROR
