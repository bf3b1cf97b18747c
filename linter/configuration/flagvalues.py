"""Values of list flags as ``imagelint check`` takes them, before they meet the configuration
file's: rule lists split at commas (``--select latest-tag,missing-tag``, as ruff takes them),
and pull-secret globs refused unless they are ``NAMESPACE/NAME``.
"""

from __future__ import annotations

from collections.abc import Iterable

from imagelint.core.options import RULES, Option


class FlagValueError(ValueError):
    """A flag's value that cannot be taken; the message is ready for the user."""


def listed(option: Option, values: Iterable[str]) -> list[str]:
    """The values of a repeatable flag; a rule list's are split at commas."""
    if option.kind is not RULES:
        result = list(values)
    else:
        result = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if option.name == "external-secrets":
        for value in result:
            check_secret_glob(value, option.flag.name if option.flag else option.name)
    return result


def check_secret_glob(value: str, where: str) -> None:
    """Refuse a pull secret given without its namespace: 'regcred' alone would match nothing
    (a Secret is always in a namespace), and reading it as every namespace's would hide a
    misspelt namespace; '*/regcred' says so explicitly."""
    parts = value.split("/")
    if len(parts) != 2 or not all(part.strip() for part in parts):
        hint = f" ('*/{parts[-1]}' for every namespace)" if parts[-1].strip() else ""
        raise FlagValueError(
            f"{where} {value!r}: a pull secret is NAMESPACE/NAME, globs allowed{hint}"
        )
