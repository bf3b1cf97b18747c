"""The settings a run actually uses: defaults, then the configuration file, then the command line.

Every value remembers where it came from, for ``imagelint config``. Lists given on the command
line add to the file's (``--exclude``, ``--private-registry``...); single values replace it;
``--select`` replaces the file's ``select``.
"""

from __future__ import annotations

from typing import Any

from imagelint.configuration.files import Config

DEFAULTS: dict[str, Any] = {
    "select": None,
    "extend-select": [],
    "ignore": [],
    "severity": {},
    "fail-on": "warning",
    "exclude": [],
    "context": [],
    "per-file-ignores": {},
    "namespace": "default",
    "private-registries": [],
    "allowed-registries": [],
    "external-secrets": [],
    "require-secrets": False,
    "platforms": ["linux/amd64"],
    "max-image-size": "1GiB",
    "insecure-registries": [],
    "ca-files": [],
    "online": False,
    "timeout": 60,
    "allow-link-local": False,
    "exemptions": [],
}
# The rule options among the keys: handed to the rules through Settings.options.
RULE_OPTIONS = (
    "private-registries",
    "allowed-registries",
    "external-secrets",
    "require-secrets",
    "platforms",
    "max-image-size",
)
_EXTENDING = {
    "extend-select",
    "ignore",
    "exclude",
    "context",
    "private-registries",
    "allowed-registries",
    "external-secrets",
    "insecure-registries",
    "ca-files",
}


class Effective:
    def __init__(self, values: dict[str, Any], origins: dict[str, str]) -> None:
        self.values = values
        self.origins = origins

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def options(self) -> dict[str, Any]:
        return {key: self.values[key] for key in RULE_OPTIONS}


def resolve(config: Config, flags: dict[str, tuple[str, Any]]) -> Effective:
    """``flags``: key -> (the flag as typed, value), only for flags the user gave."""
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for key, default in DEFAULTS.items():
        value, origin = default, "default"
        if key in config.values:
            value, origin = config.values[key], config.origin(key)
        if key in flags:
            flag, given = flags[key]
            if key in _EXTENDING and origin != "default":
                value, origin = [*value, *given], f"{origin} and {flag}"
            else:
                value, origin = given, flag
        values[key] = value
        origins[key] = origin
    return Effective(values, origins)
