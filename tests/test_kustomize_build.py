"""The kustomize builder against kubectl's built-in kustomize (v5), on every kustomization of
tests/data/trees/kustomize and the real trees of tests/data/kustomize-real: the same objects
in the same order, and per container the same image, per pod the same pull secrets and
service account, per ServiceAccount the same pull secrets, per Secret the same type and keys.
A kustomization kubectl refuses gives a broken-kustomization finding, and only then."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagelint.trees.kustomize import Builder, find_kustomization
from tests.kustomize_truth import kubectl_build, plain, summary

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "trees" / "kustomize"
REAL = ROOT / "tests" / "data" / "kustomize-real"
# Trees kubectl would build only with the network or plugins: never given to kubectl.
OFFLINE_ONLY = {"notfollowed"}


def _kustomizations() -> list[Path]:
    found = []
    for base in (FIXTURES, REAL):
        for path in sorted(base.rglob("*")):
            if not path.is_dir() or find_kustomization(str(path)) is None:
                continue
            relative = path.relative_to(base).parts
            if relative and relative[0] in OFFLINE_ONLY:
                continue
            text = Path(find_kustomization(str(path)) or "").read_text()
            if "kind: Component" in text:
                continue
            found.append(path)
    return found


@pytest.fixture(scope="module")
def builder() -> Builder:
    return Builder()


@pytest.mark.parametrize(
    "folder", _kustomizations(), ids=lambda p: str(p.relative_to(ROOT)).replace("/", ":")
)
def test_build_matches_kubectl(folder: Path, builder: Builder) -> None:
    expected = kubectl_build(folder)
    build = builder.build(str(folder), str(folder.relative_to(ROOT)))
    broken = [p for p in build.problems if p[1].rule == "broken-kustomization"]
    if expected is None:
        assert broken, "kubectl refuses this kustomization; the build should say why"
        return
    assert not broken, broken
    assert summary([plain(d) for d in build.documents]) == summary(expected)
