"""Helm chart folders as trees: a chart's values files, as the engine checks them.

A chart's templates are not rendered here; its values are read where charts put images and
pull secrets, layered as Helm layers them, and each variant (``values.yaml``, then each of
``values-*.yaml``, ``values.*.yaml`` and ``ci/*values*.yaml`` over it) is one
:class:`~imagelint.trees.origins.Build` of ``ChartValues`` objects whose values name the
lines that set them.
"""

from __future__ import annotations

from imagelint.trees.helm.builds import chart_builds
from imagelint.trees.helm.chart import is_chart

__all__ = ["chart_builds", "is_chart"]
