"""Reading YAML: the C parser, positions, recovery, Helm sources, hostile shapes."""

from __future__ import annotations

import re
import time

from imagelint.kube.objects import iter_objects
from imagelint.reading.composer import parser_name
from imagelint.reading.loader import load
from tests.helpers import FIXTURES, check_text


def test_the_c_parser_is_in_use():
    # YAML(typ="safe", pure=False) silently falls back to pure Python without a C extension;
    # the C composer is 18x faster on large inputs, so make sure it is the one reading.
    assert "clib" in parser_name()


def test_the_c_parser_is_the_one_the_dependency_installs_from_wheels():
    """pyproject.toml asks for ``ruamel.yaml[oldlibyaml]``: ruamel.yaml.clib, which has wheels,
    rather than the ``libyaml`` extra's ruamel.yaml.clibz, which pip compiles at every fresh
    install. The parser reading is that module, and the lean nodes go into it."""
    from importlib.metadata import packages_distributions, requires

    from imagelint.reading import leannodes

    assert parser_name() == "ruamel.yaml.clib._ruamel_yaml"
    module = leannodes.c_module()
    assert module is not None and module.__name__ == "_ruamel_yaml"
    assert packages_distributions()["_ruamel_yaml"] == ["ruamel.yaml.clib"]
    declared = {re.match(r"[\w.-]+", r).group(): r for r in requires("imagelint") or []}
    assert declared["ruamel.yaml"].startswith("ruamel.yaml[oldlibyaml]")
    assert not any("clibz" in r for r in declared.values())
    brought = [
        r.split(";")[0] for r in requires("ruamel.yaml") or [] if 'extra == "oldlibyaml"' in r
    ]
    assert brought == ["ruamel.yaml.clib"]


def test_helm_sources_are_attached_per_document():
    text = (
        "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"
        "---\n# Source: c/templates/c.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
    )
    assert [d.source for d in load("x", text).documents] == [
        "c/templates/a.yaml",
        None,
        "c/templates/c.yaml",
    ]


def test_empty_documents_and_comment_only_files():
    from imagelint.reading.yamlnodes import tag_of

    assert [tag_of(d.node) for d in load("x", "---\n---\n# only a comment\n").documents] == [
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:null",
    ]
    assert load("x", "").documents == []
    assert check_text("").findings == []


def test_json_with_tabs():
    text = '{\n\t"apiVersion": "v1",\n\t"kind": "Pod",\n\t"metadata": {"name": "p"},\n\t"spec": {"containers": [{"name": "c", "image": "Bad"}]}\n}\n'
    [finding] = check_text(text).findings
    assert (finding.line, finding.column) == (5, 50)  # the B inside the quotes


def test_crlf_line_endings_keep_positions():
    text = "apiVersion: v1\r\nkind: Pod\r\nmetadata: {name: p}\r\nspec:\r\n  containers:\r\n    - name: c\r\n      image: Bad:1\r\n"
    [finding] = check_text(text).findings
    assert (finding.line, finding.column) == (7, 14)


def test_alias_bomb_is_refused_as_kubernetes_refuses_it():
    # "Billion laughs": counted without expanding it, refused as go-yaml refuses it.
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 12):
        lines.append(f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 9) + "]")
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        + "\n".join(lines)
        + ("\nspec:\n  containers: *a11\n")
    )
    started = time.process_time()
    report = check_text(text + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: q}\n")
    assert time.process_time() - started < 5  # generous: expanding would take forever
    assert report.objects == 1  # the other document is still read
    [finding] = report.findings
    assert (finding.rule, finding.line, finding.column) == ("yaml-syntax", 1, 1)
    assert finding.message == (
        "this document's aliases expand to 675,183,110,671 nodes (100% of them inside aliases): "
        "Kubernetes refuses it ('yaml: document contains excessive aliasing'); imagelint did "
        "not read it"
    )


def test_ordinary_anchors_are_read():
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n"
        "    spec:\n      containers:\n      - &c {name: a, image: nginx:1.27}\n      - *c\n"
    )
    report = check_text(text)
    assert report.objects == 1 and report.images == 2 and report.findings == []


def test_recursive_alias_and_merge_loop_are_refused():
    for text in (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: &s\n  template: *s\n",
        "apiVersion: v1\nkind: Pod\nmetadata: &m\n  <<: *m\n  name: p\n",
    ):
        report = check_text(text)
        [finding] = report.findings
        assert report.objects == 0 and finding.rule == "yaml-syntax"
        assert "contains an alias to itself" in finding.message


def test_deep_nesting():
    def pod(depth: int) -> str:
        return (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: "
            + "[" * depth
            + "]" * depth
            + "\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: q}\n"
        )

    assert check_text(pod(9_990)).findings == []
    # As deep as Kubernetes refuses (and, past 25,000, deeper than the C composer's stack):
    # a finding, and the other documents still read.
    for depth in (10_000, 40_000):
        report = check_text(pod(depth))
        [finding] = report.findings
        assert (finding.rule, finding.line, finding.column) == ("yaml-syntax", 1, 1)
        assert finding.message == (
            "this document nests more than 10,000 levels deep: Kubernetes refuses it ('yaml: "
            "exceeded max depth of 10000'); imagelint did not read it"
        )
        assert report.objects == 1


def test_namespace_defaults():
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: prod}\n---\n"
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: c, namespace: x}\n"
    )
    loaded = load("x", text)
    assert [(o.name, o.namespace) for o in iter_objects(loaded, "staging", [])] == [
        ("a", "staging"),
        ("b", "prod"),
        ("c", None),
    ]


def test_lists_are_unwrapped():
    text = """apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: a}
  - apiVersion: v1
    kind: List
    items:
      - {apiVersion: v1, kind: Pod, metadata: {name: b}}
---
apiVersion: apps/v1
kind: DeploymentList
items:
  - metadata: {name: c}
"""
    objects = list(iter_objects(load("x", text), "default", []))
    assert [(o.kind, o.name, o.path) for o in objects] == [
        ("Pod", "a", "items[0]"),
        ("Pod", "b", "items[1].items[0]"),
        ("Deployment", "c", "items[0]"),
    ]


def test_documents_that_are_not_objects_are_ignored():
    text = "replicaCount: 1\n---\nkind: Deployment\n---\napiVersion: 3\nkind: Pod\n---\n- 1\n---\ntext\n"
    assert list(iter_objects(load("x", text), "default", [])) == []


def test_colon_in_flow_scalars_is_read_as_kubernetes_reads_it():
    # libyaml refuses "nginx:1.27" inside {...}; go-yaml (kubectl) accepts it.
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: Nginx:1.27}]}\n"
    report = check_text(text)
    assert [(f.rule, f.line, f.column, f.image) for f in report.findings] == [
        ("uppercase-repository", 4, 38, "Nginx:1.27")
    ]


def test_lazy_tags_are_the_tags_the_resolver_gives(shared):
    """The composer leaves plain scalars unresolved; tag_of must then give exactly what the
    eager resolver would have, on every scalar of the fixtures and a slice of the corpus."""
    from ruamel.yaml.cyaml import CSafeLoader
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    from imagelint.reading.composer import Composer
    from imagelint.reading.yamlnodes import tag_of

    def scalars(node, seen):
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            yield node
        elif isinstance(node, SequenceNode):
            for item in node.value:
                yield from scalars(item, seen)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                yield from scalars(key, seen)
                yield from scalars(value, seen)

    def nodes(loader_class, text):
        loader = loader_class(text)
        try:
            while loader.check_node():
                yield loader.get_node()
        finally:
            loader.dispose()

    paths = (
        sorted(FIXTURES.rglob("*.yaml")) + sorted((shared / "corpus" / "real").rglob("*.yaml"))[:80]
    )
    compared = 0
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            eager = [str(n.tag) for d in nodes(CSafeLoader, text) for n in scalars(d, set())]
            lazy = [tag_of(n) for d in nodes(Composer, text) for n in scalars(d, set())]
        except Exception:  # noqa: BLE001 - a file the C parser refuses: nothing to compare
            continue
        assert lazy == eager, path
        compared += len(lazy)
    assert compared > 10_000


def test_untagged_nodes_share_four_tag_objects():
    """A Tag object per node was two fifths of composing time; the composer hands out four
    shared ones, which nothing may change (asking for a tag twice gives the same answer)."""
    from imagelint.reading.composer import Composer
    from imagelint.reading.yamlnodes import tag_of

    loader = Composer("a: [1, 'x', {b: true}]\nc: !custom d\n")
    root = loader.get_single_node()
    loader.dispose()
    a, c = root.value
    items = a[1].value
    untagged = [a[0], a[1], *items, items[2].value[0][0], items[2].value[0][1], c[0], root]
    assert len({id(node.ctag) for node in untagged}) == 4
    for _ in range(2):
        assert [tag_of(node) for node in items] == [
            "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:str",
            "tag:yaml.org,2002:map",
        ]
        assert tag_of(items[2].value[0][1]) == "tag:yaml.org,2002:bool"
    assert tag_of(c[1]) == "!custom"


def test_lean_nodes_are_made_and_ruamels_classes_put_back():
    """The loader's documents are made of lean nodes (a sixth of composing), and the C
    module's globals hold ruamel's classes again afterwards, after a syntax error too."""
    from ruamel.yaml import nodes

    from imagelint.reading import leannodes

    module = leannodes.c_module()
    assert module is not None, "ruamel's C composer no longer takes lean nodes"
    loaded = load("x.yaml", "a: [b, {c: d}]\n---\ne: [\n")
    (document,) = list(loaded.iter_documents())
    root = document.node
    sequence = root.value[0][1]
    assert type(root) is leannodes.LeanMappingNode
    assert type(sequence) is leannodes.LeanSequenceNode
    assert type(sequence.value[0]) is leannodes.LeanScalarNode
    assert isinstance(sequence.value[1], nodes.MappingNode)
    assert [p.rule for p in loaded.problems] == ["yaml-syntax"]
    assert (module.ScalarNode, module.SequenceNode, module.MappingNode) == (
        nodes.ScalarNode,
        nodes.SequenceNode,
        nodes.MappingNode,
    )


def test_only_documents_with_an_anchor_and_an_alias_are_walked_for_aliasing(monkeypatch):
    """Counting expanded nodes walks the whole document; a '&&' in a shell command made every
    document of its file pay for it (the costliest step on the real corpus)."""
    from imagelint.reading import loader

    walked = []

    def counting(root):
        walked.append(root.start_mark.line)
        return real(root)

    real = loader.expanded_counts
    monkeypatch.setattr(loader, "expanded_counts", counting)
    text = (
        "command: [sh, -c, 'make && make install']\n"
        "---\n"
        "args: ['ls *.txt']\n"
        "---\n"
        "a: &x [1]\n"
        "b: *x\n"
    )
    assert [d.index for d in load("x.yaml", text).iter_documents()] == [0, 1, 2]
    assert walked == [4]
    assert loader.expanded_counts(load("y.yaml", "a: [b, {c: d}]\n").documents[0].node) == (7, 0)


def test_a_root_whose_own_anchor_is_used_inside_it_is_refused():
    """go-yaml: "anchor 'a' value contains itself". The root is a cycle's start, which the
    count of paths did not see as one (the document was read, its image a mapping)."""
    for text, line, column in (
        ("--- &a\napiVersion: v1\nkind: Pod\nspec: {containers: [{image: *a}]}\n", 1, 5),
        ("&a [*a]\n", 1, 1),
        ("kind: ConfigMap\n--- &a\n- *a\n", 2, 5),
    ):
        loaded = load("x.yaml", text)
        documents = list(loaded.iter_documents())
        assert [(p.line, p.column) for p in loaded.problems] == [(line, column)], text
        assert "contains an alias to itself" in loaded.problems[0].message
        assert len(documents) == text.count("kind: ConfigMap")  # only the other document


def test_only_short_plain_values_are_remembered_when_their_tags_are_resolved():
    """Tags are resolved on demand, short values from a small cache; a long value (a hostile
    megabyte of digits) must not be kept alive by it."""
    from imagelint.reading import yamlnodes

    loaded = load("x.yaml", f"a: 80\nb: {'1' * 100_000}\nc: 1.5\n")
    (document,) = loaded.documents
    values = [value for _, value in document.node.value]
    yamlnodes._resolve_short.cache_clear()
    assert [yamlnodes.tag_of(v).rsplit(":", 1)[1] for v in values] == ["int", "int", "float"]
    assert yamlnodes._resolve_short.cache_info().currsize == 2  # '80' and '1.5' only
