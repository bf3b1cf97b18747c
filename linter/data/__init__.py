"""Data files shipped with imagelint (curated lists, JSON Schemas)."""

from __future__ import annotations

import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def read_text(name: str) -> str:
    """The text of a data file. Plain file access: importlib.resources would add several
    milliseconds to every start-up for the same result with a regular or editable install."""
    with open(os.path.join(_HERE, name), encoding="utf-8") as handle:
        return handle.read()
