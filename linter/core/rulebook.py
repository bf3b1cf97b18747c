"""The rules: one module each in ``imagelint.rules``, found by name, imported on demand.

A rule module carries its identity and its documentation (the module docstring, shown by
``imagelint rule NAME``) as module-level constants:

``NAME``        stable kebab-case name, the public interface
``CODE``        stable code such as ``IL101`` (families: IL0xx input, IL1xx image references)
``SEVERITY``    default severity: ``error``, ``warning`` or ``info``
``SUMMARY``     one line for ``imagelint rules``
``SCOPE``       ``input``: reported while reading files, no ``check``;
                ``image``: ``check(use: ImageUse, settings) -> Iterator[Violation]`` per image, with
                the YAML at hand;
                ``run``: ``check(run: RunIndex, settings) -> Iterator[(record, Violation)]`` once,
                after every file, on records that no longer hold YAML (cross-object checks);
                a ``None`` record makes the violation a note about the run, not a finding
``SUPERSEDES``  names of rules whose finding on the same image this rule's finding replaces
``DEFAULT_ENABLED`` whether it runs without being selected (default true)
``PURE``        for image rules: for a non-empty image string, the violations depend only on
                the string, whether it is resolved at run time and whether the document came
                from Helm, so the engine computes them once per distinct string

The options that configure a rule are declared with the other options, in
``imagelint.core.options`` (each names the rules it configures), not in the rule's module.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, NamedTuple

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
    check: Callable[..., Iterator[Any]] | None
    options: dict[str, Declared]  # the options that configure it, by name (core.options)
    pure: bool = False


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
        check=check,
        options={option.name: option for option in RULE_SETTINGS if module.NAME in option.rules},
        pure=bool(getattr(module, "PURE", False)),
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
