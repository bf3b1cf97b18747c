"""The rule contract: what a rule module of ``imagelint.rules`` is, one Protocol per scope.

Every rule module carries its identity and documentation as constants (``NAME``, ``CODE``,
``SEVERITY``, ``SUMMARY``, ``SCOPE``; its docstring is the page ``imagelint rule NAME`` shows)
and, by scope:

- ``input``: no ``check``. The readers report these while reading files (a file that cannot be
  read or decoded, YAML that does not parse, a Helm template, a repeated key, an unused
  suppression) and take the rule's ``NAME`` from its module, never from a string of their own.
- ``image``: ``check(use, settings)`` once per image reference, with the YAML at hand; yields
  :class:`~imagelint.core.model.Violation`.
- ``run``: ``check(run, settings)`` once, after every file, on records that no longer hold YAML
  (cross-object checks); yields ``(subject, violation)``, where a ``None`` subject makes the
  violation a note about the run rather than a finding.

Optional constants: ``SUPERSEDES`` (names of rules whose finding on the same image this one's
replaces), ``DEFAULT_ENABLED`` (default true), ``ONLINE`` (run rules that report on the
registries' answers, which only ``--online`` asks for: an offline run skips them), ``PURE``
(image rules whose verdict depends only on the image string, computed once per distinct string),
``FIX`` (``"safe"`` or ``"unsafe"`` for a rule whose violations can carry a
:class:`~imagelint.core.fixes.Fix`; default None: it cannot fix), ``NEEDS`` (run rules: what a
run must hold for the rule to report anything; for a run without it the engine neither runs nor
imports the rule; one of :data:`NEEDS`).
The options a rule reads are declared in :mod:`imagelint.core.options`.

Two lists name every rule module: ``rules/_contract.py`` puts each under the Protocol of its
scope, so that mypy checks it against it; ``rules/_index.py`` holds each rule's
:class:`Identity`, which the rulebook reads without importing the modules (tests check both
against the modules' own constants).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from imagelint.core.frozen import FrozenRecord, set_field
from imagelint.core.model import ImageRecord, NameRef, SecretRecord, Settings, Violation

if TYPE_CHECKING:
    # For annotations only: the stages that make these depend on the core, not the reverse.
    from imagelint.kube.workloads import ImageUse
    from imagelint.running.runindex import RunIndex

# What a run rule may need (its NEEDS): "pull-secrets", a Secret or an imagePullSecrets name (of a
# pod or a ServiceAccount) in the run. Most one-file runs hold neither, and the rules on pull
# secrets are a third of those a run imports (tests/test_rule_needs.py holds them to it).
PULL_SECRETS = "pull-secrets"
NEEDS = (PULL_SECRETS,)

# What a run rule reports on: an image, a reference by name (a pull secret, a ServiceAccount), or
# a Secret.
RunSubject = ImageRecord | NameRef | SecretRecord


class ImageCheck(Protocol):
    def __call__(self, use: ImageUse, settings: Settings, /) -> Iterator[Violation]: ...


class RunCheck(Protocol):
    def __call__(
        self, run: RunIndex, settings: Settings, /
    ) -> Iterator[tuple[RunSubject | None, Violation]]: ...


class InputRuleModule(Protocol):
    NAME: str
    CODE: str
    SEVERITY: str
    SUMMARY: str
    SCOPE: str


class ImageRuleModule(InputRuleModule, Protocol):
    def check(self, use: ImageUse, settings: Settings, /) -> Iterator[Violation]: ...


class RunRuleModule(InputRuleModule, Protocol):
    def check(
        self, run: RunIndex, settings: Settings, /
    ) -> Iterator[tuple[RunSubject | None, Violation]]: ...


class Identity(FrozenRecord):
    """A rule's identity as ``rules/_index.py`` records it: the constants of its module (``NAME``,
    ``CODE``, ``SEVERITY``, ``SCOPE``, ``SUMMARY``, ``DEFAULT_ENABLED``, ``ONLINE``, ``FIX``,
    ``NEEDS``)."""

    __slots__ = (
        "name",
        "code",
        "severity",
        "scope",
        "summary",
        "default_enabled",
        "online",
        "fix",
        "needs",
    )
    name: str
    code: str
    severity: str  # a label: error, warning or info
    scope: str
    summary: str
    default_enabled: bool
    online: bool
    fix: str | None  # "safe", "unsafe" or None: what its fixes are, if it has any
    needs: str | None  # one of NEEDS: what a run must hold for the rule to report

    def __init__(
        self,
        name: str,
        code: str,
        severity: str,
        scope: str,
        summary: str,
        default_enabled: bool = True,
        online: bool = False,
        fix: str | None = None,
        needs: str | None = None,
    ) -> None:
        if needs is not None and needs not in NEEDS:
            raise ValueError(f"{name}: NEEDS is one of {NEEDS}, not {needs!r}")
        set_field(self, "name", name)
        set_field(self, "code", code)
        set_field(self, "severity", severity)
        set_field(self, "scope", scope)
        set_field(self, "summary", summary)
        set_field(self, "default_enabled", default_enabled)
        set_field(self, "online", online)
        set_field(self, "fix", fix)
        set_field(self, "needs", needs)
