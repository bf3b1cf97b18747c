"""JSON Schemas and validation with jsonschema (imported on first use: it costs more start-up
time than a one-file run has to spare). Shipped schemas are read by name from imagelint/data."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from imagelint.data import read_text


@functools.cache
def load(name: str) -> dict[str, Any]:
    import json  # here, not at the top: keeps json off the one-file start-up path

    schema: dict[str, Any] = json.loads(read_text(name))
    return schema


def compiled(schema: Mapping[str, Any]) -> Any:
    """A jsonschema validator of ``schema`` (itself checked first)."""
    # Here, not at the top: see the module's docstring. jsonschema ships no type information.
    import jsonschema  # type: ignore[import-untyped]

    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@functools.cache
def validator(name: str) -> Any:
    return compiled(load(name))


def sorted_errors(checker: Any, instance: Any) -> list[Any]:
    """A validator's errors for ``instance``, shallowest first."""
    return sorted(checker.iter_errors(instance), key=lambda e: (len(e.path), str(e.path)))


def errors(name: str, instance: Any) -> list[Any]:
    """jsonschema's errors for ``instance`` against a shipped schema, shallowest first."""
    return sorted_errors(validator(name), instance)
