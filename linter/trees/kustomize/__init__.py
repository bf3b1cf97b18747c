"""Kustomize trees built in Python (kustomize v5 semantics), every value remembering the
line that set it: :class:`Builder`, and :func:`uses` for what one kustomization refers to."""

from __future__ import annotations

from imagelint.trees.kustomize.build import Builder
from imagelint.trees.kustomize.kustomization import find_kustomization
from imagelint.trees.kustomize.uses import Uses, uses

__all__ = ["Builder", "Uses", "find_kustomization", "uses"]
