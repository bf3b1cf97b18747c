"""What ``imagelint kinds`` shows: for each kind, the fields read and whether the pull-secret
and platform checks apply to their images."""

from __future__ import annotations

from typing import Any

from imagelint.kube.kinds import declared, table
from imagelint.kube.kinds.table import AUTO, CONTAINER, CONTAINERS, POD, Kind, Read

GENERIC = (
    "any other custom resource: a walk through spec for pod specs (a mapping with a "
    "containers list: pull secrets and platform apply) and lists of containers (a mapping "
    "with a name and a string image: they do not)"
)
_WHAT = {
    POD: "pod spec",
    CONTAINERS: "containers",
    CONTAINER: "container",
    "image": "image",
    AUTO: "by shape",
}


def field_text(entry: Read) -> str:
    """The field as a path to the image values (a pod spec as itself)."""
    if entry.what == CONTAINERS:
        return f"{entry.path}[*].image"
    if entry.what == CONTAINER:
        return f"{entry.path}.image"
    return entry.path


def rows() -> list[dict[str, Any]]:
    """One row per kind: the declared ones (``image-fields``) first, then the built-in table."""
    kinds = declared() + sorted(table().values(), key=lambda k: (k.group, k.kind))
    return [_row(kind, kind in declared()) for kind in kinds]


def _row(kind: Kind, from_config: bool) -> dict[str, Any]:
    return {
        "group": kind.group,
        "kind": kind.kind,
        "source": "image-fields" if from_config else "built-in",
        "runtimeParameters": kind.runtime,
        "fields": [
            {
                "path": field_text(entry),
                "reads": entry.what,
                # A declared path's shape decides: pod specs have them, other shapes do not.
                "pullSecrets": entry.pulls_known if entry.what != AUTO else "if a pod spec",
                "platform": entry.pulls_known if entry.what != AUTO else "if a pod spec",
                "podLevel": entry.pod if entry.pod is not None or entry.what != POD else entry.path,
            }
            for entry in kind.reads
        ],
    }


def text_lines() -> list[str]:
    """The table as ``imagelint kinds`` prints it."""
    lines = []
    for row in rows():
        name = f"{row['group']}/{row['kind']}" if row["group"] else row["kind"]
        extra = " (image-fields)" if row["source"] == "image-fields" else ""
        if row["runtimeParameters"]:
            extra += f" (images with {row['runtimeParameters']}...) are filled in at run time)"
        lines.append(name + extra)
        for field in row["fields"]:
            checks = field["pullSecrets"]
            if checks is True:
                said = f"pull secrets and platform from {field['podLevel']}"
            elif checks is False:
                said = (
                    "pull secrets and platform not in the manifest (its controller makes the pod)"
                )
            else:
                said = f"pull secrets and platform {checks}"
            lines.append(f"  {field['path']}  [{_WHAT[field['reads']]}]  {said}")
    lines.append(f"* {GENERIC}")
    return lines
