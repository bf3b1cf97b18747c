"""The settings a run actually uses: defaults, then the configuration file, then the command line.

Every value remembers where it came from, for ``imagelint config``. Lists whose flag says so
(``--exclude``, ``--private-registry``...) add to the file's; other flags replace the file's
value (``--select`` replaces the file's ``select``). Keys, defaults and flags are those of
:data:`imagelint.core.options.OPTIONS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from imagelint.configuration.files import Config
from imagelint.core.options import OPTIONS, RULE_SETTINGS


class Effective:
    """Every configuration key's value and where it came from (``default``, the file and its
    line, a flag), in the order of the declarations."""

    __slots__ = ("values", "origins", "config")

    def __init__(
        self, values: dict[str, Any], origins: dict[str, str], config: Config | None = None
    ) -> None:
        self.values = values
        self.origins = origins
        self.config = config  # the file read, if any: its folder anchors exclude and the like

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def options(self) -> dict[str, Any]:
        """The values the rules read, for ``Settings.options``."""
        return {option.name: self.values[option.name] for option in RULE_SETTINGS}


def resolve(config: Config, flags: Mapping[str, tuple[str, Any]]) -> Effective:
    """``flags``: key -> (the flag as typed, value), only for flags the user gave."""
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for option in OPTIONS:
        key = option.name
        value, origin = option.value(), "default"
        if key in config.values:
            value, origin = config.values[key], config.origin(key)
        if key in flags:
            flag, given = flags[key]
            adds = option.flag is not None and option.flag.adds
            if adds and origin != "default":
                value, origin = [*value, *given], f"{origin} and {flag}"
            else:
                value, origin = given, flag
        values[key] = value
        origins[key] = origin
    return Effective(values, origins, config)
