"""JSON Schemas shipped with imagelint, and validation with jsonschema (imported on first use:
it costs more start-up time than a one-file run has to spare)."""

from __future__ import annotations

import functools
from typing import Any

from imagelint.data import read_text


@functools.cache
def load(name: str) -> dict[str, Any]:
    import json

    return json.loads(read_text(name))


@functools.cache
def validator(name: str) -> Any:
    import jsonschema

    schema = load(name)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def errors(name: str, instance: Any) -> list[Any]:
    """jsonschema's errors for ``instance``, shallowest first."""
    return sorted(validator(name).iter_errors(instance), key=lambda e: (len(e.path), str(e.path)))
