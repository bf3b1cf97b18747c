"""The rulebook: every rule module of ``imagelint.rules``, found by file name and loaded into
:class:`Rule` values; what a module must carry, per scope, is :mod:`imagelint.core.contract`.

A rule is a new file in ``rules/`` (and a line in ``rules/_contract.py``, which mypy checks);
the options that configure it are declared with the other options, in
``imagelint.core.options`` (each names the rules it configures), not in the rule's module.
"""

from __future__ import annotations

import functools
import importlib
import os
from types import ModuleType
from typing import NamedTuple

from imagelint.core.contract import ImageCheck, RunCheck
from imagelint.core.model import Severity
from imagelint.core.options import RULE_SETTINGS
from imagelint.core.options import Option as Declared

SCOPES = ("input", "image", "run")


class Rule(NamedTuple):
    name: str
    code: str
    severity: Severity
    summary: str
    scope: str
    doc: str
    supersedes: tuple[str, ...]
    default_enabled: bool
    options: dict[str, Declared]  # the options that configure it, by name (core.options)
    pure: bool = False
    image_check: ImageCheck | None = None  # scope "image" only
    run_check: RunCheck | None = None  # scope "run" only


def _from_module(module: ModuleType) -> Rule:
    scope = module.SCOPE
    if scope not in SCOPES:
        raise ValueError(f"{module.__name__}: unknown SCOPE {scope!r}")
    check = getattr(module, "check", None)
    if (scope == "input") != (check is None):
        raise ValueError(f"{module.__name__}: scope {scope!r} and check() disagree")
    if hasattr(module, "OPTIONS"):
        raise ValueError(f"{module.__name__}: options are declared in imagelint.core.options")
    return Rule(
        name=module.NAME,
        code=module.CODE,
        severity=Severity.from_label(module.SEVERITY),
        summary=module.SUMMARY,
        scope=scope,
        doc=(module.__doc__ or "").strip(),
        supersedes=tuple(getattr(module, "SUPERSEDES", ())),
        default_enabled=bool(getattr(module, "DEFAULT_ENABLED", True)),
        options={option.name: option for option in RULE_SETTINGS if module.NAME in option.rules},
        pure=bool(getattr(module, "PURE", False)),
        image_check=check if scope == "image" else None,
        run_check=check if scope == "run" else None,
    )


@functools.cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule, ordered by code."""
    package = importlib.import_module("imagelint.rules")
    names = {
        entry.name[: -len(".py")]
        for folder in package.__path__
        for entry in os.scandir(folder)
        if entry.name.endswith(".py") and not entry.name.startswith("_")
    }
    rules = [_from_module(importlib.import_module(f"imagelint.rules.{name}")) for name in names]
    return tuple(sorted(rules, key=lambda rule: rule.code))


@functools.cache
def by_name() -> dict[str, Rule]:
    return {rule.name: rule for rule in all_rules()}


def find(name_or_code: str) -> Rule | None:
    key = name_or_code.strip()
    rule = by_name().get(key.lower())
    if rule is not None:
        return rule
    for rule in all_rules():
        if rule.code == key.upper():
            return rule
    return None
