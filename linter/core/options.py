"""The settings of a run, each declared once: its configuration key, the values it takes, its
default, what it means, its flag of ``imagelint check`` and the rules it configures.

Everything else is derived from :data:`OPTIONS`: the JSON Schema that configuration files are
validated with (``imagelint.configuration.configschema``, shipped as
``data/config.schema.json`` for editors), the defaults and what ``imagelint config`` shows
(``imagelint.configuration.effective``), the ``Options`` of ``imagelint rule NAME``
(``imagelint.core.rulebook``), the defaults a rule reads through ``Settings.option`` and the
flags of ``imagelint check`` (``imagelint.cli.flags``, which also declares the flags no file
may set, such as ``--format``).

Standard library only (and imagelint.core.frozen): every run imports this module, and every
stage may.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from imagelint.core.frozen import ValueRecord, set_field


def _frozen(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(schema))


class Kind(ValueRecord):
    """The values an option takes: their JSON Schema (empty for an option no configuration file
    may set) and how its flag takes them."""

    __slots__ = ("schema", "many", "switch", "choices", "number", "minimum")
    schema: Mapping[str, Any]
    many: bool  # a list: the flag is repeatable
    switch: bool  # true or false: the flag takes no value
    choices: tuple[str, ...]  # the flag takes one of these
    number: type[float] | None  # the flag takes a number of this type
    minimum: int | None  # ... no smaller than this

    def __init__(
        self,
        schema: Mapping[str, Any],
        many: bool = False,
        switch: bool = False,
        choices: tuple[str, ...] = (),
        number: type[float] | None = None,
        minimum: int | None = None,
    ) -> None:
        set_field(self, "schema", schema)
        set_field(self, "many", many)
        set_field(self, "switch", switch)
        set_field(self, "choices", choices)
        set_field(self, "number", number)
        set_field(self, "minimum", minimum)


def one_of(*choices: str, many: bool = False) -> Kind:
    """A kind whose values are one of ``choices`` (a list of them with ``many``)."""
    return Kind(_frozen({"enum": list(choices)}), many=many, choices=choices)


class Flag(ValueRecord):
    """How an option is given to ``imagelint check``."""

    __slots__ = ("name", "help", "metavar", "short", "dest", "path", "adds", "show_default")
    name: str  # as typed: --private-registry
    help: str
    metavar: str | None
    short: str | None  # another name: a one-letter alias (-j), or --output-format
    dest: str | None  # the parameter's name, when not the flag's (--select: select_)
    path: bool  # the value is a path (click.Path)
    adds: bool  # a list: its values add to the configuration file's, not replace them
    show_default: bool

    def __init__(
        self,
        name: str,
        help: str,
        metavar: str | None = None,
        short: str | None = None,
        dest: str | None = None,
        path: bool = False,
        adds: bool = False,
        show_default: bool = False,
    ) -> None:
        set_field(self, "name", name)
        set_field(self, "help", help)
        set_field(self, "metavar", metavar)
        set_field(self, "short", short)
        set_field(self, "dest", dest)
        set_field(self, "path", path)
        set_field(self, "adds", adds)
        set_field(self, "show_default", show_default)

    @property
    def parameter(self) -> str:
        """The name of the flag's parameter of the ``check`` command."""
        return self.dest or self.name.lstrip("-").replace("-", "_")


class Option(ValueRecord):
    """One setting. ``default`` is immutable (a tuple for a list, a read-only mapping);
    :meth:`value` gives it as a configuration file would (a list, a dict)."""

    __slots__ = ("name", "kind", "default", "doc", "flag", "rules", "rule_doc")
    name: str  # its configuration key (for a command-line-only option, its flag without --)
    kind: Kind
    default: Any
    doc: str  # what it means: its description in the JSON Schema
    flag: Flag | None  # its flag of `imagelint check`, if it has one
    rules: tuple[str, ...]  # the rules it configures: handed to them in Settings.options
    rule_doc: str  # what `imagelint rule NAME` says of it, under Options

    def __init__(
        self,
        name: str,
        kind: Kind,
        default: Any,
        doc: str,
        flag: Flag | None = None,
        rules: tuple[str, ...] = (),
        rule_doc: str = "",
    ) -> None:
        set_field(self, "name", name)
        set_field(self, "kind", kind)
        set_field(self, "default", default)
        set_field(self, "doc", doc)
        set_field(self, "flag", flag)
        set_field(self, "rules", rules)
        set_field(self, "rule_doc", rule_doc)

    def value(self) -> Any:
        """The default, as a fresh value of the shapes a configuration file gives."""
        if isinstance(self.default, tuple):
            return list(self.default)
        if isinstance(self.default, Mapping):
            return dict(self.default)
        return self.default


# The JSON Schema definitions the kinds refer to ("#/$defs/rules").
DEFINITIONS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "rules": _frozen({"type": "array", "items": {"type": "string", "minLength": 1}}),
        "strings": _frozen({"type": "array", "items": {"type": "string", "minLength": 1}}),
        "severity": _frozen({"enum": ["error", "warning", "info"]}),
    }
)
RULES = Kind(_frozen({"$ref": "#/$defs/rules"}), many=True)  # names, codes, prefixes or ALL
STRINGS = Kind(_frozen({"$ref": "#/$defs/strings"}), many=True)
BOOLEAN = Kind(_frozen({"type": "boolean"}), switch=True)
NAME = Kind(_frozen({"type": "string", "minLength": 1}))
SECONDS = Kind(_frozen({"type": "number", "exclusiveMinimum": 0}), number=float)
SIZE = Kind(
    _frozen(
        {
            "type": ["string", "integer"],
            "exclusiveMinimum": 0,
            "pattern": r"^\s*(?=[0-9.]*[1-9])[0-9]+(\.[0-9]+)?\s*([bB]|[kKmMgG][bB]?"
            r"|[kKmMgGtT][iI][bB]?|[tT][bB])?\s*$",
        }
    )
)
SEVERITIES = Kind(_frozen({"type": "object", "additionalProperties": {"$ref": "#/$defs/severity"}}))
RULES_BY_GLOB = Kind(_frozen({"type": "object", "additionalProperties": {"$ref": "#/$defs/rules"}}))
_GLOB = {"type": "string"}
# NAMESPACE/NAME globs: a name alone ('regcred') is refused, not read as any namespace's.
SECRET_GLOBS = Kind(
    _frozen(
        {
            "type": "array",
            "items": {
                "type": "string",
                "pattern": "^[^/]+/[^/]+$",
                "description": "NAMESPACE/NAME, globs allowed: '*/regcred' for every namespace",
            },
        }
    ),
    many=True,
)
EXEMPTION_LIST = Kind(
    _frozen(
        {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "properties": {
                    "kind": _GLOB,
                    "namespace": _GLOB,
                    "name": _GLOB,
                    "container": _GLOB,
                    "image": _GLOB,
                    "path": _GLOB,
                    "rules": {"$ref": "#/$defs/rules"},
                    "reason": {"type": "string"},
                },
            },
        }
    )
)
# One key of a field path, with [*] or [N] for list items (imagelint.kube.kinds.paths).
_SEGMENT = r"[^.\[\]]+(\[(\*|[0-9]+)\])*"
_IMAGE_FIELD = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "paths"],
    "oneOf": [{"required": ["apiVersion"]}, {"required": ["group"]}],
    "properties": {
        "apiVersion": {"type": "string", "minLength": 1},
        "group": {"type": "string"},
        "kind": {"type": "string", "minLength": 1},
        "paths": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "pattern": f"^{_SEGMENT}(\\.{_SEGMENT})*$"},
        },
    },
}
IMAGE_FIELDS = Kind(_frozen({"type": "array", "items": _IMAGE_FIELD}))
FAIL_ON = ("error", "warning", "info", "never")
NO_SCHEMA: Mapping[str, Any] = MappingProxyType({})  # of options no configuration file sets
_NONE: Mapping[str, Any] = MappingProxyType({})

# Every configuration key, in the order of the JSON Schema and of `imagelint config`.
OPTIONS: tuple[Option, ...] = (
    Option(
        "select",
        RULES,
        None,
        "Rules to run instead of the default set: names, codes, code prefixes or ALL.",
        Flag(
            "--select",
            "Run only these rules: names, codes, code prefixes (IL2) or ALL (repeatable).",
            metavar="RULE",
            dest="select_",
        ),
    ),
    Option(
        "extend-select",
        RULES,
        (),
        "Rules to run in addition to the default (or selected) set.",
        Flag(
            "--extend-select",
            "Also run these rules, e.g. off-by-default ones (repeatable).",
            metavar="RULE",
            adds=True,
        ),
    ),
    Option(
        "ignore",
        RULES,
        (),
        "Rules not to run.",
        Flag("--ignore", "Do not run these rules (repeatable).", metavar="RULE", adds=True),
    ),
    Option(
        "severity",
        SEVERITIES,
        _NONE,
        "Severity per rule name or code, replacing the rule's default.",
    ),
    Option(
        "fail-on",
        one_of(*FAIL_ON),
        "warning",
        "Lowest severity that makes the exit code 1.",
        Flag("--fail-on", "Lowest severity that makes the exit code 1 (default warning)."),
    ),
    Option(
        "exclude",
        STRINGS,
        (),
        "Paths not to read (globs).",
        Flag("--exclude", "Skip paths matching GLOB (repeatable).", metavar="GLOB", adds=True),
    ),
    # issue 20, conventions: git's ignore files, as ruff respects them.
    Option(
        "respect-gitignore",
        BOOLEAN,
        True,
        "Skip what git ignores (.gitignore, .git/info/exclude) when walking folders of a git "
        "work tree; files named on the command line are always read.",
        Flag(
            "--respect-gitignore",
            "Skip what git ignores when walking folders of a git work tree (default: yes).",
            dest="respect_gitignore",
        ),
    ),
    Option(
        "context",
        STRINGS,
        (),
        "Paths read for cross-file facts (Secrets, ServiceAccounts) but not reported on.",
        Flag(
            "--context",
            "Read PATH for Secrets, ServiceAccounts and other workloads, without reporting on it "
            "(e.g. the repository, when a pre-commit hook passes only changed files).",
            metavar="PATH",
            path=True,
            adds=True,
        ),
    ),
    Option(
        "per-file-ignores",
        RULES_BY_GLOB,
        _NONE,
        "Rules ignored in the files matching each glob.",
    ),
    Option(
        "namespace",
        NAME,
        "default",
        "Namespace of objects without metadata.namespace.",
        Flag(
            "--namespace",
            "Namespace of objects that do not set metadata.namespace (as kubectl apply -n).",
            metavar="NS",
        ),
    ),
    Option(
        "private-registries",
        STRINGS,
        (),
        "Registries that need credentials.",
        Flag(
            "--private-registry",
            "A registry that needs credentials: host, *.domain or host/path (repeatable).",
            metavar="HOST",
            adds=True,
        ),
        rules=("missing-pull-secret", "pull-secret-registry-mismatch"),
        rule_doc="Registries that need credentials: hosts, '*.example.com', or host/path prefixes.",
    ),
    Option(
        "allowed-registries",
        STRINGS,
        (),
        "The only registries images may come from.",
        Flag(
            "--allowed-registry",
            "Allow only images from these registries (repeatable; see allowed-registries).",
            metavar="HOST",
            adds=True,
        ),
        rules=("registry-not-allowed",),
        rule_doc="The only registries images may come from: hosts, '*.example.com', "
        "host/path prefixes.",
    ),
    Option(
        "external-secrets",
        SECRET_GLOBS,
        (),
        "Pull secrets made outside the manifests, as NAMESPACE/NAME globs.",
        Flag(
            "--external-secret",
            "A pull secret created outside the manifests; globs allowed, e.g. '*/regcred'.",
            metavar="NS/NAME",
            adds=True,
        ),
        rules=("pull-secret-not-found",),
        rule_doc="Secrets created outside the manifests, as NAMESPACE/NAME globs ('*/regcred').",
    ),
    Option(
        "require-secrets",
        BOOLEAN,
        False,
        "Report missing pull secrets even with no Secret in the inputs.",
        Flag(
            "--require-secrets",
            "Report missing pull secrets even when the inputs hold no Secret at all.",
        ),
        rules=("pull-secret-not-found",),
        rule_doc="Report missing pull secrets even when the run holds no Secret at all.",
    ),
    Option(
        "platforms",
        STRINGS,
        ("linux/amd64",),
        "Platforms pods run on (online checks), e.g. linux/amd64.",
        Flag(
            "--platform",
            "A platform of the cluster's nodes, for pods that choose none (repeatable; "
            "default linux/amd64).",
            metavar="OS/ARCH",
        ),
        rules=("platform-missing",),
        rule_doc="Platforms of the cluster's nodes (os/arch[/variant]), for pods that do not "
        "choose one.",
    ),
    Option(
        "max-image-size",
        SIZE,
        "1GiB",
        "Largest compressed image size (online checks), e.g. 1GiB.",
        rules=("image-too-large",),
        rule_doc="Largest compressed image size, e.g. 1GiB, 500MB, 750Mi.",
    ),
    Option(
        "insecure-registries",
        STRINGS,
        (),
        "Registries that may be reached over plain HTTP (online checks); loopback hosts "
        "always may.",
        Flag(
            "--insecure-registry",
            "A registry that may be reached over plain HTTP (repeatable; loopback always may).",
            metavar="HOST",
            adds=True,
        ),
    ),
    Option(
        "ca-files",
        STRINGS,
        (),
        "Extra CA certificates for private registries (online checks).",
        Flag(
            "--ca-file",
            "Also trust this CA (PEM) for registries' certificates (repeatable).",
            metavar="FILE",
            path=True,
            adds=True,
        ),
    ),
    Option(
        "online",
        BOOLEAN,
        False,
        "Ask the registries (the --online checks).",
        Flag(
            "--online",
            "Ask each registry whether every image exists, with the credentials its pod would use.",
        ),
    ),
    Option(
        "timeout",
        SECONDS,
        60,
        "Seconds the online checks may take.",
        Flag(
            "--timeout", "Time the online checks may take in all (default 60).", metavar="SECONDS"
        ),
    ),
    Option(
        "allow-link-local",
        BOOLEAN,
        False,
        "Let the online checks connect to link-local and cloud metadata addresses (refused by "
        "default).",
    ),
    Option(
        "image-fields",
        IMAGE_FIELDS,
        (),
        "Where in-house custom resources hold images: apiVersion (or group), kind and field "
        "paths such as spec.steps[*].image, spec.steps or spec.workers[*].template.",
    ),
    Option(
        "fix",
        BOOLEAN,
        False,
        "Apply the fixes of findings that have one (safe fixes; see unsafe-fixes).",
        Flag(
            "--fix", "Apply the safe fixes, writing the files (standard input: to standard output)."
        ),
    ),
    Option(
        "unsafe-fixes",
        BOOLEAN,
        False,
        "Also apply the unsafe fixes (likely repairs a person should review), with fix or --diff.",
        Flag("--unsafe-fixes", "Also apply (or show) the unsafe fixes."),
    ),
    Option(
        "exemptions",
        EXEMPTION_LIST,
        (),
        "Findings not to report for matching objects (third-party charts); globs in every field.",
    ),
)

BY_NAME: Mapping[str, Option] = MappingProxyType({option.name: option for option in OPTIONS})
# The options rules read through Settings.option, with their defaults.
RULE_SETTINGS: tuple[Option, ...] = tuple(option for option in OPTIONS if option.rules)


def setting_default(name: str) -> Any:
    """The default of an option the rules read (a fresh value: a list, not the tuple)."""
    option = BY_NAME.get(name)
    if option is None or not option.rules:
        raise KeyError(f"no rule reads the option {name!r}")
    return option.value()
