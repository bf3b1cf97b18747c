"""The flags of ``imagelint check``: the click options derived from the option declarations, and
the configuration in effect once the user's flags are laid over the configuration file.

The options a configuration file may set are declared in :mod:`imagelint.core.options`; the
ones only the command line gives (output, exit status, caching, the configuration file itself)
are declared here, in the same form.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

from imagelint.configuration import files as configs
from imagelint.configuration import userconfig
from imagelint.configuration.effective import Effective, resolve
from imagelint.core.options import NO_SCHEMA, OPTIONS, Flag, Kind, Option, one_of
from imagelint.reporting.formatters import FORMATS

FORMAT_ENV = "IMAGELINT_FORMAT"
_F = TypeVar("_F", bound=Callable[..., Any])
_TEXT = Kind(NO_SCHEMA)
_SWITCH = Kind(NO_SCHEMA, switch=True)
_TEXTS = Kind(NO_SCHEMA, many=True)

# Command-line only: no configuration file sets these.
COMMAND_LINE: tuple[Option, ...] = (
    Option(
        "config",
        _TEXT,
        None,
        "",
        Flag(
            "--config",
            "Use this configuration file instead of the nearest .imagelint.yaml / pyproject.toml.",
            metavar="PATH",
            dest="config_path",
            path=True,
        ),
    ),
    Option("isolated", _SWITCH, False, "", Flag("--isolated", "Ignore every configuration file.")),
    Option(
        "format",
        one_of(*FORMATS, many=True),
        (),
        "",
        Flag(
            "--format",
            f"Output format: {', '.join(FORMATS)} (repeatable, paired in order with --output; "
            f"default text, or ${FORMAT_ENV}).",
            metavar="FORMAT",
            short="--output-format",
            dest="formats",
        ),
    ),
    Option(
        "output",
        _TEXTS,
        (),
        "",
        Flag(
            "--output",
            "Write the matching --format to FILE instead of standard output (repeatable).",
            metavar="FILE",
            dest="outputs",
            path=True,
        ),
    ),
    Option(
        "statistics",
        _SWITCH,
        False,
        "",
        Flag("--statistics", "Also print how many findings each rule gave."),
    ),
    Option(
        "stdin-filename",
        _TEXT,
        None,
        "",
        Flag("--stdin-filename", "Name to show for standard input ('-').", metavar="NAME"),
    ),
    Option(
        "jobs",
        Kind(NO_SCHEMA, number=int, minimum=1),
        None,
        "",
        Flag(
            "--jobs",
            "Processes checking the files, this one and N-1 workers (default: the CPUs available; 1 for standard input).",
            metavar="N",
            short="-j",
        ),
    ),
    Option(
        "exit-zero", _SWITCH, False, "", Flag("--exit-zero", "Exit 0 even when there are findings.")
    ),
    Option(
        "fail-if-empty",
        _SWITCH,
        False,
        "",
        Flag("--fail-if-empty", "Exit 1 when no Kubernetes object was found."),
    ),
    Option(
        "cache-dir",
        _TEXT,
        None,
        "",
        Flag(
            "--cache-dir",
            "Where registry answers are kept between runs (default: the user's cache folder).",
            metavar="DIR",
            path=True,
        ),
    ),
    Option(
        "no-cache",
        _SWITCH,
        False,
        "",
        Flag("--no-cache", "Ask the registries again, and keep nothing."),
    ),
    Option(
        "baseline",
        _TEXT,
        None,
        "",
        Flag(
            "--baseline",
            "Report only findings that are not in this baseline file.",
            metavar="FILE",
            path=True,
        ),
    ),
    Option(
        "write-baseline",
        _TEXT,
        None,
        "",
        Flag(
            "--write-baseline",
            "Record today's findings in FILE (and exit 0) to adopt imagelint on an existing repo.",
            metavar="FILE",
            path=True,
        ),
    ),
    Option(
        "diff",
        _SWITCH,
        False,
        "",
        Flag("--diff", "Print the fixes as a unified diff and write nothing (exit 1 if any)."),
    ),
    Option(
        "fix-only",
        _SWITCH,
        False,
        "",
        Flag("--fix-only", "Apply the fixes and report nothing else (implies --fix)."),
    ),
    Option(
        "exit-non-zero-on-fix",
        _SWITCH,
        False,
        "",
        Flag("--exit-non-zero-on-fix", "Exit 1 when something was fixed, even if nothing is left."),
    ),
    Option(
        "color",
        one_of("auto", "always", "never"),
        "auto",
        "",
        Flag(
            "--color",
            "Colour the text output (auto: only on a terminal, and not with NO_COLOR).",
            show_default=True,
        ),
    ),
)
# issue 20, conventions: how much is said (ruff's -q and -s) and what would be read.
COMMAND_LINE += (
    Option(
        "quiet",
        _SWITCH,
        False,
        "",
        Flag("--quiet", "Print the findings only: no summary line, no notes.", short="-q"),
    ),
    Option(
        "silent",
        _SWITCH,
        False,
        "",
        Flag(
            "--silent",
            "Print nothing (files given with --output are still written); the exit code says it.",
            short="-s",
        ),
    ),
    Option(
        "show-files",
        _SWITCH,
        False,
        "",
        Flag(
            "--show-files",
            "List the files that would be read, and what a folder walk skips and why; check "
            "nothing.",
        ),
    ),
)
_BY_NAME = {option.name: option for option in (*OPTIONS, *COMMAND_LINE)}
_SETTINGS = frozenset(option.name for option in OPTIONS)
# The flags of `imagelint check`, by option name, in the order its --help lists them.
CHECK_ORDER = (
    "isolated",
    "config",
    "format",
    "output",
    "statistics",
    "quiet",
    "silent",
    "show-files",
    "namespace",
    "exclude",
    "respect-gitignore",
    "context",
    "stdin-filename",
    "jobs",
    "fail-on",
    "exit-zero",
    "fail-if-empty",
    "select",
    "extend-select",
    "ignore",
    "private-registries",
    "allowed-registries",
    "external-secrets",
    "require-secrets",
    "online",
    "timeout",
    "platforms",
    "ca-files",
    "insecure-registries",
    "cache-dir",
    "no-cache",
    "baseline",
    "write-baseline",
    "fix",
    "unsafe-fixes",
    "diff",
    "fix-only",
    "exit-non-zero-on-fix",
    "color",
)
_CONFIG_ORDER = ("isolated", "config")  # the flags that choose the configuration file


def _click_option(option: Option) -> Callable[[_F], _F]:
    flag = option.flag
    assert flag is not None, option.name
    kind = option.kind
    name = flag.name
    if kind.switch and option.default is True:  # on by default: --no-NAME turns it off
        name = f"{name}/--no-{name[2:]}"
    names = [name, *([flag.short] if flag.short else []), *([flag.dest] if flag.dest else [])]
    attrs: dict[str, Any] = {"help": flag.help}
    if flag.metavar:
        attrs["metavar"] = flag.metavar
    if kind.many:
        attrs["multiple"] = True
    if kind.switch:
        attrs["is_flag"] = True
    if kind.choices:
        attrs["type"] = click.Choice(kind.choices)
    elif kind.number is not None:
        attrs["type"] = click.IntRange(min=kind.minimum) if kind.minimum else kind.number
    elif flag.path:
        attrs["type"] = click.Path()
    if option.name in _SETTINGS and not kind.many:
        attrs["default"] = None  # not given: the configuration file's value (or default) stands
    elif flag.show_default:
        attrs["default"] = option.default
        attrs["show_default"] = True
    return click.option(*names, **attrs)


def _options(order: tuple[str, ...]) -> Callable[[_F], _F]:
    def decorate(function: _F) -> _F:
        for name in reversed(order):  # click lists the last one applied first
            function = _click_option(_BY_NAME[name])(function)
        return function

    return decorate


def check_options() -> Callable[[_F], _F]:
    """The options of ``imagelint check``."""
    return _options(CHECK_ORDER)


def config_options() -> Callable[[_F], _F]:
    """``--config`` and ``--isolated``, for the commands that read the configuration."""
    return _options(_CONFIG_ORDER)


def given(opts: Mapping[str, Any]) -> dict[str, tuple[str, Any]]:
    """The configuration keys the user gave a flag for: key -> (the flag as typed, value)."""
    flags: dict[str, tuple[str, Any]] = {}
    for option in OPTIONS:
        if option.flag is None:
            continue
        value = opts.get(option.flag.parameter)
        if option.kind.many:
            value = _listed(option, value) if value else []
        if value not in (None, []):
            typed = option.flag.name
            if option.kind.switch and value is False:  # --no-respect-gitignore
                typed = "--no-" + typed[2:]
            flags[option.name] = (typed, value)
    return flags


def _listed(option: Option, values: Any) -> list[str]:
    # Here, not at the top: a run without list flags has no values to split or check.
    from imagelint.configuration import flagvalues

    try:
        return flagvalues.listed(option, values)
    except flagvalues.FlagValueError as error:
        raise click.UsageError(str(error)) from None


def effective(opts: Mapping[str, Any]) -> Effective:
    """Defaults, the configuration file, then the flags the user gave."""
    try:
        if opts["isolated"]:
            config = configs.Config.empty()
        elif opts["config_path"]:
            if not os.path.isfile(opts["config_path"]):
                raise click.UsageError(f"no such configuration file: {opts['config_path']}")
            config = configs.load(opts["config_path"])
        else:
            found = configs.find() or userconfig.fallback()
            config = configs.load(found) if found else configs.Config.empty()
    except (configs.ConfigError, userconfig.MissingConfig) as error:
        raise click.UsageError(f"configuration error: {error}") from None
    return resolve(config, given(opts))
