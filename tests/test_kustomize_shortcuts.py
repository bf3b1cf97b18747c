"""The kustomize builder's short ways give what the general ways give: an images entry's name
matched without compiling it, a scalar's text without resolving its tag, display paths joined
without normalizing them, several metadata fields set in one pass, a patch value kept whole
when there is nothing to drop from it."""

from __future__ import annotations

import itertools
import posixpath
import random
import re

from ruamel.yaml.nodes import MappingNode, Node

from imagelint.reading.loader import load
from imagelint.reading.yamlnodes import is_null, tag_of
from imagelint.trees.kustomize.kustomization import joined_display
from imagelint.trees.kustomize.nodes import get, is_null_value, text, with_key
from imagelint.trees.kustomize.resources import _set_meta
from imagelint.trees.kustomize.smp import _clean
from imagelint.trees.kustomize.transforms import image_matcher
from imagelint.trees.origins import load_tree_file, mapping, scalar

TAIL = r"(?::[a-zA-Z0-9_.{}-]*)?(?:@sha256:[a-zA-Z0-9_.{}-]*)?\Z"


def _kustomize_match(name: str, value: str) -> bool:
    """kustomize's IsImageMatched, as the expression it builds."""
    try:
        compiled = re.compile(f"(?:{name}){TAIL}")
    except re.error:
        compiled = re.compile(re.escape(name) + TAIL)
    return compiled.match(value) is not None


def test_image_names_match_as_kustomize_matches_them() -> None:
    names = ["app", "registry.acme.io/shop/app", "a.b", "x*", "a(b", "foo|bar", "", "a\nb"]
    values = [
        "app",
        "app:1.2",
        "app@sha256:abc",
        "aXb:1",
        "a.b",
        "a\nb",
        "registry.acme.io/shop/app:1",
    ]
    rng = random.Random(15)
    for _ in range(3000):
        names.append("".join(rng.choice("ab./-x:@") for _ in range(rng.randint(0, 5))))
        value = "".join(rng.choice("ab.:/@-_x\n{}1") for _ in range(rng.randint(0, 9)))
        values.append(names[-1] + value if rng.random() < 0.4 else value)
    for name, value in zip(names, values, strict=False):
        assert image_matcher(name)(value) == _kustomize_match(name, value), (name, value)
    for name, value in itertools.product(names[:8], values[:7]):
        assert image_matcher(name)(value) == _kustomize_match(name, value), (name, value)


SCALARS = [
    "", "~", "null", "Null", "NULL", "nUll", "none", "nginx", "n", "no", "~x", "0", "true",
    "'null'", '"~"', '""', "!!null x", "!!str null", "null # a comment", "' '", "1.10",
]  # fmt: skip


def test_a_scalar_is_read_as_its_resolved_tag_says() -> None:
    for value in SCALARS:
        node = load("x.yaml", f"k: {value}\n").documents[0].node.value[0][1]
        assert text(node) == (None if is_null(node) else node.value), value
        assert is_null_value(node) == (tag_of(node) == "tag:yaml.org,2002:null"), value


def test_display_paths_are_joined_as_normpath_joins_them() -> None:
    folders = ["kz/overlays/prod", ".", "/", "", "a/./b", "a/../b", "a//b", "/abs", "x/", ".."]
    entries = ["patch.yaml", "", ".", "..", "x/y", "../base", "./p", ".hidden", "..x"]
    for folder, entry in itertools.product(folders, entries):
        expected = posixpath.normpath(posixpath.join(folder, entry))
        assert joined_display(folder, entry) == expected, (folder, entry)


def _plain(node: Node) -> object:
    if isinstance(node.value, list):
        return [
            (_plain(item[0]), _plain(item[1])) if isinstance(item, tuple) else _plain(item)
            for item in node.value
        ]
    return node.value


def test_metadata_fields_are_set_as_one_after_the_other() -> None:
    rng = random.Random(15)
    for _ in range(300):
        keys = [rng.choice(["name", "namespace", "labels", "x"]) for _ in range(rng.randint(0, 5))]
        body = "".join(f"  {key}: v{i}\n" for i, key in enumerate(keys)) or "  {}\n"
        node = load_tree_file("x.yaml", f"kind: A\nmetadata:\n{body}").documents[0].node
        assert isinstance(node, MappingNode)
        changes: list[tuple[str, Node]] = [
            ("namespace", scalar("ns", node)),
            ("name", scalar("nm", node)),
        ]
        metadata = get(node, "metadata")
        inner = metadata if isinstance(metadata, MappingNode) else mapping([], node)
        for key, value in changes:
            inner = with_key(inner, key, value)
        assert _plain(_set_meta(node, changes)) == _plain(with_key(node, "metadata", inner))


def test_a_patch_value_with_nothing_to_drop_is_kept_whole() -> None:
    kept = load_tree_file("p.yaml", "a:\n  b: [1, {c: 2}]\n  d: {e: f}\n").documents[0].node
    assert _clean(kept) is kept
    dropped = load_tree_file("p.yaml", "a:\n  b: [{$patch: delete, c: 1}, {c: 2}]\n  d: null\n")
    cleaned = _clean(dropped.documents[0].node)
    assert _plain(cleaned) == [("a", [("b", [[("c", "2")]])])]
