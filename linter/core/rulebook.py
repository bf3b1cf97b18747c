"""The rulebook: every rule of ``imagelint.rules`` as a :class:`Rule`; what a rule module must
carry, per scope, is :mod:`imagelint.core.contract`.

A rule is known by its identity (name, code, severity, scope, summary, whether it is on by
default, whether it needs ``--online``, whether it can fix), which ``rules/_index.py`` lists for
every rule, and by what its module carries (its documentation, its check, the optional ``SUPERSEDES`` and
``PURE``). The rulebook reads the index alone: listing, finding and selecting rules import no
rule module, and a rule's module is imported the first time its documentation or check is asked
for. A run therefore imports only the modules of the rules it runs (an offline run skips the
``ONLINE`` rules), while ``imagelint rules``, ``imagelint rule NAME``, SARIF's rule list and
rule selection still see every rule.

A new rule is a new file in ``rules/``, an entry in ``rules/_index.py`` and a line in
``rules/_contract.py`` (which mypy checks); tests/test_registry.py checks that the three agree.
The options that configure it are declared with the other options, in
``imagelint.core.options`` (each names the rules it configures), not in the rule's module.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from imagelint.core.contract import ImageCheck, RunCheck
from imagelint.core.frozen import FrozenRecord, set_field
from imagelint.core.model import Severity
from imagelint.core.options import RULE_SETTINGS
from imagelint.core.options import Option as Declared
from imagelint.rules._index import RULES

SCOPES = ("input", "image", "run")


class ModuleParts(FrozenRecord):
    """What a rule's module carries besides its identity (the constants that rules/_index.py
    repeats)."""

    __slots__ = ("doc", "supersedes", "pure", "image_check", "run_check")
    doc: str  # the module's docstring: the page `imagelint rule NAME` shows
    supersedes: tuple[str, ...]
    pure: bool
    image_check: ImageCheck | None  # scope "image" only
    run_check: RunCheck | None  # scope "run" only

    def __init__(
        self,
        doc: str,
        supersedes: tuple[str, ...],
        pure: bool,
        image_check: ImageCheck | None,
        run_check: RunCheck | None,
    ) -> None:
        set_field(self, "doc", doc)
        set_field(self, "supersedes", supersedes)
        set_field(self, "pure", pure)
        set_field(self, "image_check", image_check)
        set_field(self, "run_check", run_check)


class Rule(FrozenRecord):
    """A rule: its identity, and what its module carries (``parts``: read from the module the
    first time it is needed, unless given)."""

    __slots__ = (
        "name",
        "code",
        "severity",
        "summary",
        "scope",
        "default_enabled",
        "online",
        "options",
        "fix",
        "needs",
        "parts",
    )
    name: str
    code: str
    severity: Severity
    summary: str
    scope: str
    default_enabled: bool
    online: bool  # reports on the registries' answers: run with --online only
    options: dict[str, Declared]  # the options that configure it, by name (core.options)
    fix: str | None  # "safe" or "unsafe" when its findings can carry a fix (core.fixes)
    needs: str | None  # what a run must hold for it to report (core.contract.NEEDS)
    parts: ModuleParts | None

    def __init__(
        self,
        name: str,
        code: str,
        severity: Severity,
        summary: str,
        scope: str,
        default_enabled: bool,
        online: bool,
        options: dict[str, Declared],
        fix: str | None = None,
        needs: str | None = None,
        parts: ModuleParts | None = None,
    ) -> None:
        set_field(self, "name", name)
        set_field(self, "code", code)
        set_field(self, "severity", severity)
        set_field(self, "summary", summary)
        set_field(self, "scope", scope)
        set_field(self, "default_enabled", default_enabled)
        set_field(self, "online", online)
        set_field(self, "options", options)
        set_field(self, "fix", fix)
        set_field(self, "needs", needs)
        set_field(self, "parts", parts)

    def module_parts(self) -> ModuleParts:
        """What the rule's module carries, importing the module the first time."""
        parts = self.parts
        if parts is None:
            parts = _module_parts(self.name, self.scope)
            # Filled in once, as it would have been at construction: the rule reads the same.
            set_field(self, "parts", parts)
        return parts

    @property
    def doc(self) -> str:
        return self.module_parts().doc

    @property
    def supersedes(self) -> tuple[str, ...]:
        return self.module_parts().supersedes

    @property
    def pure(self) -> bool:
        return self.module_parts().pure

    @property
    def image_check(self) -> ImageCheck | None:
        return self.module_parts().image_check

    @property
    def run_check(self) -> RunCheck | None:
        return self.module_parts().run_check

    def replace(self, **changes: Any) -> Rule:
        """A copy with some fields changed, those of :class:`ModuleParts` included (for tests
        and tools that make a variant of a rule)."""
        fields = dict(zip(self.__match_args__, self._field_values(self), strict=True))
        loaded = self.module_parts()
        changed = {name: changes.pop(name) for name in ModuleParts.__slots__ if name in changes}
        if changed:
            parts = dict(zip(loaded.__match_args__, loaded._field_values(loaded), strict=True))
            fields["parts"] = ModuleParts(**{**parts, **changed})
        return Rule(**{**fields, **changes})


def _module_parts(name: str, scope: str) -> ModuleParts:
    module = importlib.import_module(f"imagelint.rules.{name.replace('-', '_')}")
    check = getattr(module, "check", None)
    if (scope == "input") != (check is None):
        raise ValueError(f"{module.__name__}: scope {scope!r} and check() disagree")
    if hasattr(module, "OPTIONS"):
        raise ValueError(f"{module.__name__}: options are declared in imagelint.core.options")
    return ModuleParts(
        doc=(module.__doc__ or "").strip(),
        supersedes=tuple(getattr(module, "SUPERSEDES", ())),
        pure=bool(getattr(module, "PURE", False)),
        image_check=check if scope == "image" else None,
        run_check=check if scope == "run" else None,
    )


@functools.cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule, ordered by code (their modules are imported when first needed)."""
    rules = []
    for entry in RULES:
        if entry.scope not in SCOPES:
            raise ValueError(f"{entry.name}: unknown scope {entry.scope!r}")
        options = {option.name: option for option in RULE_SETTINGS if entry.name in option.rules}
        rules.append(
            Rule(
                name=entry.name,
                code=entry.code,
                severity=Severity.from_label(entry.severity),
                summary=entry.summary,
                scope=entry.scope,
                default_enabled=entry.default_enabled,
                online=entry.online,
                options=options,
                fix=entry.fix,
                needs=entry.needs,
            )
        )
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
