"""The configuration file: where it is, what it says, and whether it says it right.

``.imagelint.yaml`` / ``.imagelint.yml``, or ``[tool.imagelint]`` in ``pyproject.toml``; the
nearest one from the current directory upwards wins. It is validated with the JSON Schema
derived from the option declarations (:mod:`imagelint.configuration.configschema`, shipped as
``imagelint/data/config.schema.json``); a mistake is a :class:`ConfigError` naming the file, the
key path and (for YAML) the line.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from typing import Any

from ruamel.yaml.cyaml import CSafeLoader
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, SequenceNode

from imagelint import __version__
from imagelint.core.selection import UnknownRule, matching, suggestion
from imagelint.data import read_text
from imagelint.reading.bounds import expanded_counts, may_nest_deeper, nests_deeper
from imagelint.reading.composer import close

CONFIG_NAMES = (".imagelint.yaml", ".imagelint.yml")
PYPROJECT = "pyproject.toml"
# Keys whose values are lists of rule tokens, or mappings keyed by rule tokens.
_RULE_LISTS = ("select", "extend-select", "ignore")
# Where a value is in the configuration: its keys and list indexes from the top; and the line
# each such path was written on.
KeyPath = tuple[str | int, ...]
Lines = dict[KeyPath, int]


class ConfigError(Exception):
    """A configuration mistake; the message is ready for the user."""


class Config:
    """A validated configuration file: its values and where each key was written."""

    __slots__ = ("path", "values", "_lines")

    def __init__(self, path: str | None, values: dict[str, Any], lines: Lines) -> None:
        self.path = path
        self.values = values
        self._lines = lines

    def origin(self, key: str) -> str:
        line = self._lines.get((key,))
        if self.path is None:
            return "default"
        return f"{self.path}:{line}" if line else self.path

    @classmethod
    def empty(cls) -> Config:
        return cls(None, {}, {})


def find(start: str | None = None) -> str | None:
    """The nearest configuration file from ``start`` (the current directory) upwards."""
    directory = os.path.abspath(start or os.getcwd())
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                return candidate
        pyproject = os.path.join(directory, PYPROJECT)
        if os.path.isfile(pyproject) and _has_tool_section(pyproject):
            return pyproject
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _has_tool_section(path: str) -> bool:
    """Whether a pyproject.toml has a [tool.imagelint] table (a header line; the same text in
    a comment or a string does not count, and does not cost reading the file as TOML)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return False
    if "[tool.imagelint" not in text:
        return False
    return any(line.lstrip().startswith("[tool.imagelint") for line in text.splitlines())


def load(path: str) -> Config:
    """Read and validate a configuration file."""
    shown = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise ConfigError(f"cannot read the configuration file {path}: {error.strerror}") from None
    lines: Lines = {}
    if os.path.basename(path) == PYPROJECT:
        values = _from_pyproject(data, shown)
    else:
        values, lines = _from_yaml(data, shown)
    _validate_once(data, values, lines, shown)
    return Config(shown, values, lines)


def _validate_once(data: bytes, values: dict[str, Any], lines: Lines, shown: str) -> None:
    """Validate, unless these very bytes passed before against this very schema: importing
    jsonschema costs more than a one-file run has to spare (a pre-commit hook runs on every
    commit, with the same configuration). Rule names are checked every time (they are cheap,
    and the set of rules changes with imagelint itself)."""
    # Here, not at the top: a run without a configuration file neither validates nor caches.
    from imagelint.configuration import cachedir as cache
    from imagelint.configuration import configschema

    # The shipped schema's text, read rather than derived (deriving it runs json's Python
    # encoder; tests/test_config.py keeps the shipped file equal to the derived schema).
    shipped = read_text(configschema.SHIPPED).encode("utf-8")
    memo = b"\0".join([__version__.encode(), shipped, data])
    if cache.remembers("valid-config", memo):
        _check_rule_names(values, lines, shown)
        return
    validate(values, lines, shown)
    cache.remember("valid-config", memo)


def _from_pyproject(data: bytes, shown: str) -> dict[str, Any]:
    # Imported here: tomllib costs start-up time, and only pyproject.toml needs it.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # tomli, a dependency on Python 3.10 only (so it may not be installed where mypy runs)
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{shown}: not valid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{shown}: nested too deeply to be read") from None
    tool = document.get("tool", {})
    if not isinstance(tool, dict):  # 'tool = "x"': valid TOML, and no [tool.imagelint] in it
        return {}
    section = tool.get("imagelint", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{shown}: [tool.imagelint] must be a table")
    return section


def _from_yaml(data: bytes, shown: str) -> tuple[dict[str, Any], Lines]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: not UTF-8 text") from None
    if may_nest_deeper(text, _MAX_DEPTH) and nests_deeper(text, _MAX_DEPTH):
        raise ConfigError(f"{shown}: nested more than {_MAX_DEPTH} levels deep")
    loader = CSafeLoader(text)
    try:
        node = loader.get_node() if loader.check_node() else None
        if node is not None and loader.check_node():
            raise ConfigError(f"{shown}: a configuration file holds one YAML document, not several")
        if node is not None and "&" in text:
            counts = expanded_counts(node)
            if counts is None or counts[0] > _MAX_EXPANDED:
                raise ConfigError(f"{shown}: its aliases expand without end, or nearly")
        lines: Lines = {}
        with warnings.catch_warnings():  # ruamel warns of YAML 1.1 quirks such as '1e3'
            warnings.simplefilter("ignore")
            values = {} if node is None else _python(loader, node, (), lines)
    except _Unreadable as error:
        raise ConfigError(f"{shown}:{error.line}: {error.problem}") from None
    except YAMLError as error:
        where = ""
        if isinstance(error, MarkedYAMLError) and error.problem_mark is not None:
            where = f":{error.problem_mark.line + 1}"
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"{shown}{where}: not valid YAML: {problem}") from None
    finally:
        close(loader)
    if not isinstance(values, dict):
        raise ConfigError(f"{shown}: the configuration must be a mapping of keys to values")
    return values, lines


# A configuration is a few screens of keys and lists: far below these.
_MAX_DEPTH = 64
_MAX_EXPANDED = 100_000


def _python(loader: Any, node: Any, path: KeyPath, lines: Lines) -> Any:
    """Python values of a node, remembering the line of every key path."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        result = {}
        for key_node, value_node in node.value:
            key = _construct(loader, key_node)
            if not isinstance(key, str):
                raise _Unreadable(key_node.start_mark.line + 1, "keys must be strings")
            lines[path + (key,)] = key_node.start_mark.line + 1
            result[key] = _python(loader, value_node, path + (key,), lines)
        return result
    if isinstance(node, SequenceNode):
        return [_python(loader, item, path + (i,), lines) for i, item in enumerate(node.value)]
    return _construct(loader, node)


class _Unreadable(Exception):
    """A value of the configuration that cannot be made into a Python value."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def _construct(loader: Any, node: Any) -> Any:
    try:
        return loader.construct_object(node)
    except (ArithmeticError, LookupError, TypeError, ValueError):
        # ruamel's constructors raise these on an explicitly tagged scalar that is not of
        # its tag ('!!int x', '!!bool maybe', '!!timestamp 2001-13-45').
        tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
        problem = f"{str(node.value)[:40]!r} is not a valid {tag} value"
        raise _Unreadable(node.start_mark.line + 1, problem) from None


def validate(values: dict[str, Any], lines: Lines, shown: str) -> None:
    """Check the values against the JSON Schema, then check every rule name."""
    # Here, not at the top: only a configuration file not validated before needs the schema.
    from imagelint.configuration import configschema

    errors = configschema.errors(values)
    if errors:
        error = errors[0]
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties":  # point at the unknown key itself
            allowed = error.schema.get("properties", {})
            path += (min(set(error.instance) - set(allowed)),)
        raise ConfigError(_where(shown, lines, path) + _explain(error, path))
    _check_rule_names(values, lines, shown)


def _check_rule_names(values: dict[str, Any], lines: Lines, shown: str) -> None:
    for path, token in _rule_tokens(values):
        try:
            matching(token)
        except UnknownRule:
            message = f"unknown rule {token!r}{suggestion(token)}"
            raise ConfigError(_where(shown, lines, path) + message) from None


def _rule_tokens(values: dict[str, Any]) -> Iterator[tuple[KeyPath, str]]:
    for key in _RULE_LISTS:
        for index, token in enumerate(values.get(key, [])):
            yield (key, index), token
    for token in values.get("severity", {}):
        yield ("severity", token), token
    for glob, tokens in values.get("per-file-ignores", {}).items():
        for index, token in enumerate(tokens):
            yield ("per-file-ignores", glob, index), token
    for number, exemption in enumerate(values.get("exemptions", [])):
        for index, token in enumerate(exemption.get("rules", [])):
            yield ("exemptions", number, "rules", index), token


def _where(shown: str, lines: Lines, path: KeyPath) -> str:
    line = None
    for length in range(len(path), -1, -1):  # the deepest written part of the path
        line = lines.get(path[:length])
        if line:
            break
    key = ".".join(str(part) for part in path) or "(top level)"
    return f"{shown}:{line}: {key}: " if line else f"{shown}: {key}: "


def _explain(error: Any, path: KeyPath) -> str:
    """jsonschema's error in words, with the keys that are allowed where it helps."""
    import difflib  # here, not at the top: it costs start-up time, and only mistakes need it

    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        close = difflib.get_close_matches(unknown[0], allowed, n=1) if unknown else []
        hint = f"; did you mean {close[0]!r}?" if close else f" (known keys: {', '.join(allowed)})"
        return f"unknown key {unknown[0]!r}{hint}"
    if error.validator == "type":
        wanted = error.validator_value
        names = {
            "array": "a list",
            "object": "a mapping",
            "string": "a string",
            "boolean": "true or false",
            "integer": "a whole number",
            "number": "a number",
        }
        if isinstance(wanted, list):
            want = " or ".join(names.get(w, str(w)) for w in wanted)
        else:
            want = names.get(wanted, str(wanted))
        return f"must be {want}, not {error.instance!r}"
    if error.validator == "enum":
        return (
            f"must be one of {', '.join(map(repr, error.validator_value))}, not {error.instance!r}"
        )
    if error.validator == "exclusiveMinimum":
        return f"must be more than {error.validator_value}, not {error.instance!r}"
    if error.validator == "pattern" and error.schema.get("description"):
        # The pattern itself is no explanation: the key's description is.
        shown = repr(error.instance)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return f"{shown} is not a valid value ({error.schema['description']})"
    return str(error.message)
