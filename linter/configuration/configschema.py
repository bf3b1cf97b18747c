"""The JSON Schema of configuration files, derived from the option declarations
(:mod:`imagelint.core.options`). Configuration files are validated with it; the copy shipped
for editors, ``data/config.schema.json``, is its text (tests/test_config.py checks they agree).

Regenerate the shipped copy: ``.venv/bin/python -m imagelint.configuration.configschema``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any

from imagelint import data
from imagelint.configuration import schemas
from imagelint.core.options import DEFINITIONS, OPTIONS

SHIPPED = "config.schema.json"  # its name in imagelint/data
_HEADER = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://imagelint.dev/schemas/config.json",
    "title": "imagelint configuration (.imagelint.yaml or [tool.imagelint] in pyproject.toml)",
    "type": "object",
    "additionalProperties": False,
}


def _plain(value: Any) -> Any:
    """A fresh copy of a schema fragment in JSON's own types (dicts and lists)."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


@functools.cache
def schema() -> dict[str, Any]:
    """The schema; cached, so never to be changed by its callers."""
    properties = {
        option.name: {**_plain(option.kind.schema), "description": option.doc} for option in OPTIONS
    }
    return {**_HEADER, "$defs": _plain(DEFINITIONS), "properties": properties}


@functools.cache
def text() -> str:
    """The schema as the shipped file holds it."""
    import json  # here, not at the top: keeps json off the one-file start-up path

    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


def errors(values: Any) -> list[Any]:
    """jsonschema's errors for a configuration's values, shallowest first."""
    return schemas.sorted_errors(_validator(), values)


@functools.cache
def _validator() -> Any:
    return schemas.compiled(schema())


def shipped_path() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(data.__file__)), SHIPPED)


if __name__ == "__main__":
    with open(shipped_path(), "w", encoding="utf-8") as handle:
        handle.write(text())
    print(f"wrote {shipped_path()}")
