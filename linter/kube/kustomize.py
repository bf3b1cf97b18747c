"""Kustomize strategic-merge patches among the inputs.

A patch looks like a Deployment but is partial by design: its containers often carry no image.
Files that a ``kustomization.yaml`` of the run names as patches are read as partial, so a
container without an image there is not a finding (an image that is written is still checked);
so are files whose name or folder says they are patches.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from imagelint.core.patterns import pattern
from imagelint.reading.loader import load
from imagelint.reading.sources import SourceRef, decode, read_bytes
from imagelint.reading.yamlnodes import as_mapping, as_sequence, string_value

# The file names that make a folder a kustomization, in the order kustomize looks for them (the
# one list: trees.plan and trees.kustomize read it from here).
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# "patch" as a word of the path: patch.yaml, patches/, set-replicas-patch.yml (not dispatcher/).
_PATCH_WORD = r"(?:^|[/_.-])patch(?:es)?(?:[/_.-]|$)"


def patch_files(refs: Iterable[SourceRef]) -> frozenset[str]:
    """Real paths of the files that the run's kustomizations use as patches."""
    patches: set[str] = set()
    for ref in refs:
        if ref.path is None or os.path.basename(ref.path) not in KUSTOMIZATION_NAMES:
            continue
        data = read_bytes(ref)
        text = decode(data) if isinstance(data, bytes) else None
        if not isinstance(text, str):
            continue  # reported when the file itself is checked
        loaded = load(ref.display, text)
        root = as_mapping(loaded.documents[0].node) if loaded.documents else None
        if root is None:
            continue
        base = os.path.dirname(ref.path)
        names = [string_value(n) for n in as_sequence(root.get("patchesStrategicMerge"))]
        for entry in as_sequence(root.get("patches")):
            patch = as_mapping(entry)
            names.append(patch.text("path") if patch else string_value(entry))
        for name in names:
            if name and "\n" not in name:  # multi-line entries are inline patches
                patches.add(os.path.realpath(os.path.join(base, name)))
    return frozenset(patches)


def is_patch(ref: SourceRef, kustomize_patches: frozenset[str]) -> bool:
    """Whether a file holds partial objects: a patch of a kustomization in the run, or a file
    whose name or folder says it is a patch (kustomize, kubeadm and kind name them so)."""
    named = "/".join(ref.display.split("/")[-2:])  # file name and its folder
    if "patch" in named.lower() and pattern(_PATCH_WORD, re.IGNORECASE).search(named):
        return True
    return (
        bool(kustomize_patches)
        and ref.path is not None
        and os.path.realpath(ref.path) in kustomize_patches
    )
