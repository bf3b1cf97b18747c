"""The object a chart's values become for the engine: ``imagelint.dev/v1`` ``ChartValues``,
its pod spec at ``spec``, one container per image setting.

Every node in it is either a values file's own node (a whole image string, a pull policy, a
pull-secret name) or a new node at the line that set its value (a composed reference is a
:class:`~imagelint.trees.origins.SplicedScalar`); the structure around them (``apiVersion``,
``kind``, keys) points at the start of the chart's ``Chart.yaml``.
"""

from __future__ import annotations

from ruamel.yaml.nodes import Node

from imagelint.reading.yamlnodes import string_value
from imagelint.trees.helm.images import Found
from imagelint.trees.origins import mapping, scalar, sequence

API_VERSION = "imagelint.dev/v1"
KIND = "ChartValues"


def chart_values(name: Node, found: Found, anchor: Node) -> Node:
    """The ChartValues object of one chart (``name``: the node that names it; ``anchor``:
    where the object's own structure points)."""

    def key(text: str, like: Node = anchor) -> Node:
        return scalar(text, like)

    secrets: list[Node] = []
    seen: set[str] = set()
    for secret in found.secrets:
        text = string_value(secret)
        if text is None or text in seen:
            continue
        seen.add(text)
        secrets.append(mapping([(key("name", secret), secret)], secret))
    containers: list[Node] = []
    for setting in found.images:
        like = setting.node
        fields = [
            (key("name", like), scalar(setting.path, like)),
            (key("image", setting.image), setting.image),
        ]
        if setting.pull_policy is not None:
            fields.append((key("imagePullPolicy", setting.pull_policy), setting.pull_policy))
        containers.append(mapping(fields, like))
    spec: list[tuple[Node, Node]] = []
    if secrets:
        spec.append((key("imagePullSecrets"), sequence(secrets, anchor)))
    spec.append((key("containers"), sequence(containers, anchor)))
    metadata = mapping([(key("name", name), name)], name)
    return mapping(
        [
            (key("apiVersion"), scalar(API_VERSION, anchor)),
            (key("kind"), scalar(KIND, anchor)),
            (key("metadata"), metadata),
            (key("spec"), mapping(spec, anchor)),
        ],
        anchor,
    )
