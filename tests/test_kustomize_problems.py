"""What the kustomize builder reports about a tree: broken trees (what kubectl kustomize
refuses), what it does not follow, and overrides that match nothing; each at the line that
asks for it, with the message users read. Plus :func:`uses` and the bounds on hostile trees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from imagelint.trees.kustomize import Builder, find_kustomization, uses
from imagelint.trees.kustomize.build import MAX_DEPTH

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/data/trees/kustomize"


def problems(folder: Path | str, display: str = "kz") -> list[tuple[str, str, int, int, str]]:
    built = Builder().build(str(folder), display)
    return [(f, p.rule, p.line, p.column, p.message) for f, p in built.problems]


def brief(found: list[tuple[str, str, int, int, str]]) -> list[tuple[str, str, int, int]]:
    return [entry[:4] for entry in found]


def test_missing_file() -> None:
    assert problems(FIXTURES / "broken/missing-file") == [
        (
            "kz/kustomization.yaml",
            "broken-kustomization",
            3,
            5,
            "the resource servce.yaml does not exist: kustomize stops; fix the path or remove "
            "the entry",
        )
    ]


def test_cycle_is_reported_where_it_closes() -> None:
    assert problems(FIXTURES / "broken/cycle/a", "kz/a") == [
        (
            "kz/b/kustomization.yaml",
            "broken-kustomization",
            3,
            5,
            "../a is a kustomization this one is built from: the chain of kustomizations "
            "loops, and kustomize stops ('cycle detected'); remove the entry",
        )
    ]


def test_invalid_yaml_resource_and_kustomization() -> None:
    assert brief(problems(FIXTURES / "broken/invalid-resource")) == [
        ("kz/pod.yaml", "yaml-syntax", 8, 23),
        ("kz/kustomization.yaml", "broken-kustomization", 2, 5),
    ]
    assert brief(problems(FIXTURES / "broken/invalid-kustomization")) == [
        ("kz/kustomization.yaml", "yaml-syntax", 5, 15),
        ("kz/kustomization.yaml", "broken-kustomization", 1, 1),
    ]


def test_file_outside_the_kustomization_folder() -> None:
    found = problems(FIXTURES / "broken/escaping/app", "kz/app")
    assert brief(found) == [("kz/app/kustomization.yaml", "broken-kustomization", 2, 5)]
    assert "default load restrictor refuses it" in found[0][4]


def test_unknown_field_folder_without_kustomization_and_unmatched_patch() -> None:
    assert problems(FIXTURES / "broken/unknown-field")[0][:4] == (
        "kz/kustomization.yaml",
        "broken-kustomization",
        3,
        1,
    )
    assert problems(FIXTURES / "broken/no-kustomization") == [
        (
            "kz/kustomization.yaml",
            "broken-kustomization",
            2,
            5,
            "the resource empty is a folder without kustomization.yaml, kustomization.yml or "
            "Kustomization: kustomize stops; add one, or list the files themselves",
        )
    ]
    assert brief(problems(FIXTURES / "broken/smp-unmatched")) == [
        ("kz/kustomization.yaml", "broken-kustomization", 4, 5)
    ]


def test_not_followed() -> None:
    found = problems(FIXTURES / "notfollowed")
    assert brief(found) == [
        ("kz/kustomization.yaml", "kustomize-not-followed", 3, 5),
        ("kz/kustomization.yaml", "kustomize-not-followed", 4, 5),
        ("kz/kustomization.yaml", "kustomize-not-followed", 10, 5),
        ("kz/kustomization.yaml", "kustomize-not-followed", 5, 1),
    ]
    assert found[0][4] == (
        "the remote resource https://github.com/acme/platform//deploy/base?ref=v1.2.0 is not "
        "followed: kustomize would fetch it, imagelint never fetches anything, so its objects "
        "are not checked"
    )
    assert found[2][4].startswith("the RegistryRewriter transformer is not followed")
    assert found[3][4].startswith("helmCharts: kustomize renders Helm charts")


def test_overrides_that_match_nothing() -> None:
    found = problems(FIXTURES / "unmatched")
    assert brief(found) == [
        ("kz/kustomization.yaml", "override-matches-nothing", 10, 7),
        ("kz/kustomization.yaml", "override-matches-nothing", 17, 7),
        ("kz/kustomization.yaml", "override-matches-nothing", 6, 11),
        ("kz/kustomization.yaml", "override-matches-nothing", 28, 11),
    ]
    assert found[2][4] == (
        "no container image of this build matches 'acme/typo': kustomize ignores this images "
        "entry without a word, so the override never happens; write the name as the image "
        "appears in the manifests (repository without tag)"
    )
    # nginx is docker.io/library/nginx in the base: kustomize compares the strings as written
    assert brief(problems(FIXTURES / "shop/overlays/dev", "kz/dev")) == [
        ("kz/dev/kustomization.yaml", "override-matches-nothing", 8, 11)
    ]


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: acme/c:1\n"


def test_generator_input_cap_and_symlink_out_of_the_tree(tmp_path: Path) -> None:
    write(
        tmp_path / "app",
        {
            "kustomization.yaml": "secretGenerator:\n  - name: big\n    files:\n      - big.bin\n"
            "  - name: link\n    files:\n      - linked.txt\n",
        },
    )
    (tmp_path / "app/big.bin").write_bytes(b"x" * (1024 * 1024 + 1))
    (tmp_path / "outside.txt").write_text("secret")
    os.symlink(tmp_path / "outside.txt", tmp_path / "app/linked.txt")
    found = problems(tmp_path / "app")
    assert brief(found) == [
        ("kz/kustomization.yaml", "broken-kustomization", 4, 9),
        ("kz/kustomization.yaml", "broken-kustomization", 7, 9),
    ]
    assert "1,048,577 bytes, more than imagelint reads" in found[0][4]
    assert "is outside the kustomization's folder" in found[1][4]


def test_nesting_is_bounded(tmp_path: Path) -> None:
    for level in range(MAX_DEPTH + 5):
        write(tmp_path / f"k{level}", {"kustomization.yaml": f"resources:\n  - ../k{level + 1}\n"})
    write(
        tmp_path / f"k{MAX_DEPTH + 5}",
        {"kustomization.yaml": "resources:\n  - pod.yaml\n", "pod.yaml": POD},
    )
    found = problems(tmp_path / "k0")
    assert [entry[1] for entry in found] == ["broken-kustomization"]
    assert f"more than {MAX_DEPTH} levels deep" in found[0][4]


def test_two_namespaces_clash(tmp_path: Path) -> None:
    namespaces = "".join(
        f"---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {n}\n" for n in ("a", "b")
    )
    write(
        tmp_path,
        {"kustomization.yaml": "namespace: t\nresources:\n  - ns.yaml\n", "ns.yaml": namespaces},
    )
    assert brief(problems(tmp_path)) == [("kz/kustomization.yaml", "broken-kustomization", 1, 12)]


def test_uses() -> None:
    prod = uses(str(FIXTURES / "shop/overlays/prod"))
    assert prod.folders == (str(FIXTURES / "shop/base"),)
    assert prod.files == (
        str(FIXTURES / "shop/overlays/prod/namespace.yaml"),
        str(FIXTURES / "shop/overlays/prod/dockerconfig.json"),
    )
    app = uses(str(FIXTURES / "components/app"))
    assert app.folders == tuple(
        str(FIXTURES / f"components/{n}") for n in ("base", "sidecar", "debug")
    )
    patches = uses(str(FIXTURES / "patches/overlay"))
    assert {Path(f).name for f in patches.files} == {
        "api-patch.yaml",
        "db-patch.yaml",
        "rollout-patch.yaml",
        "api-json.json",
    }
    assert uses(str(FIXTURES)).folders == ()
    assert find_kustomization(str(FIXTURES / "images")) == str(
        FIXTURES / "images/kustomization.yaml"
    )


@pytest.mark.parametrize("name", ["kustomization.yml", "Kustomization"])
def test_other_kustomization_names(tmp_path: Path, name: str) -> None:
    write(tmp_path, {name: "resources:\n  - pod.yaml\n", "pod.yaml": POD})
    built = Builder().build(str(tmp_path), "kz")
    assert built.display == f"kz/{name}"
    assert built.via == "kz"
    assert len(built.documents) == 1
    assert str(tmp_path / "pod.yaml") in built.read
