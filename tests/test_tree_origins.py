"""Built trees keep the line that set each value: named marks, spliced values, sites with
parts, findings listing the trees they were built through, and one cluster view a tree."""

from __future__ import annotations

from imagelint.core.model import Finding, ImageRecord, ObjectId, SecretRecord, Severity, Site
from imagelint.running.engine import Engine, _unique
from imagelint.running.runindex import RunIndex
from imagelint.trees.built import BuiltFile
from imagelint.trees.origins import Build, file_of, load_tree_file, scalar, splice

BASE = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: app\n      image: app\n"
OVERLAY = "images:\n  - name: app\n    newName: registry.acme.io/shop/app\n    newTag: latest\n"


def _nodes():
    base = load_tree_file("kz/base/pod.yaml", BASE)
    overlay = load_tree_file("kz/prod/kustomization.yaml", OVERLAY)
    entry = overlay.documents[0].node.value[0][1].value[0]
    pairs = {key.value: value for key, value in entry.value}
    return base, overlay, pairs["newName"], pairs["newTag"]


def test_nodes_of_a_tree_file_name_their_file():
    base, _, new_name, _ = _nodes()
    assert file_of(base.documents[0].node) == "kz/base/pod.yaml"
    assert file_of(new_name) == "kz/prod/kustomization.yaml"
    assert file_of(scalar("x", new_name)) == "kz/prod/kustomization.yaml"


def test_a_spliced_value_points_each_part_at_the_line_that_wrote_it():
    base, overlay, new_name, new_tag = _nodes()
    image = splice(
        [
            (new_name.value, new_name, 0),
            (":", new_name, len(new_name.value)),
            (new_tag.value, new_tag, 0),
        ]
    )
    assert image.value == "registry.acme.io/shop/app:latest"
    built = BuiltFile(
        Build(
            "kz/prod/kustomization.yaml",
            "kz/prod",
            [],
            {"kz/base/pod.yaml": base, "kz/prod/kustomization.yaml": overlay},
        )
    )
    site = built.site(image, None)
    assert site.via == "kz/prod"
    # The repository at the newName line, the tag at the newTag line.
    assert site.locate(0) == ("kz/prod/kustomization.yaml", 3, 14)
    assert site.locate(17) == ("kz/prod/kustomization.yaml", 3, 31)
    assert site.locate(len("registry.acme.io/shop/app:")) == ("kz/prod/kustomization.yaml", 4, 13)
    assert site.locate(len("registry.acme.io/shop/app:la")) == ("kz/prod/kustomization.yaml", 4, 15)


def test_a_finding_of_a_built_tree_points_at_the_file_that_set_the_value():
    base, overlay, _, _ = _nodes()
    build = Build(
        "kz/base/kustomization.yaml",
        "kz/base",
        [base.documents[0].node],
        {"kz/base/pod.yaml": base},
    )
    report = Engine().check_loaded(BuiltFile(build))
    [finding] = [f for f in report.findings if f.rule == "missing-tag"]
    assert (finding.path, finding.line, finding.column, finding.via) == (
        "kz/base/pod.yaml",
        6,
        14,
        ("kz/base",),
    )


def _finding(via: tuple[str, ...]) -> Finding:
    return Finding("latest-tag", "IL104", Severity.WARNING, "base/pod.yaml", 5, 14, "m", via=via)


def test_the_same_defect_built_through_several_roots_is_one_finding_listing_them():
    merged = _unique(
        [_finding(("overlays/prod",)), _finding(("overlays/dev",)), _finding(("overlays/prod",))]
    )
    assert [f.via for f in merged] == [("overlays/prod", "overlays/dev")]


def _image(via: str | None) -> ImageRecord:
    obj = ObjectId("Pod", "default", "p", "v1")
    return ImageRecord("a:1", Site("f.yaml", 1, 1, True, None, via), obj, "a", "spec", False)


def _secret(via: str | None) -> SecretRecord:
    obj = ObjectId("Secret", "default", "s", "v1")
    return SecretRecord(
        "s", "default", "Secret", None, None, None, (), obj, Site("s.yaml", 1, 1, True, None, via)
    )


def test_each_tree_is_a_cluster_view_of_its_own():
    run = RunIndex()
    run.add([_image(None), _image("a"), _image("b")], (), [_secret("a")])
    views = run.views()
    assert sorted((len(v.images), len(v.secrets)) for v in views) == [(1, 0), (1, 0), (1, 1)]
    plain = RunIndex()
    plain.add([_image(None)])
    assert plain.views() == [plain]


def _shape(loaded):  # every node's kind, value and marks, and the file's problems
    shape = []
    for document in loaded.documents:
        stack = [document.node]
        while stack:
            node = stack.pop()
            start, end = node.start_mark, node.end_mark
            value = node.value if isinstance(node.value, str) else len(node.value)
            shape.append((type(node).__name__, value, start.line, start.column, start.index))
            shape.append((end.line, end.column, end.index))
            if isinstance(node.value, list):
                for item in node.value:
                    stack.extend(item if isinstance(item, tuple) else [item])
    return shape, [(d.index, d.source) for d in loaded.documents], loaded.problems


TEXTS = [
    BASE,
    OVERLAY + "---\n" + BASE,
    "\ufeff" + BASE,  # a byte-order mark: the loader drops it
    "a: [\n---\nb: 1\n",  # a broken document, then one read on its own
    "x: '{{ not a template }}'\n---\ny: 2\n",  # the template check reads the text too
    "a: &x [1, 2]\nb: *x\n",
    "# Source: chart/templates/pod.yaml\n" + BASE,
    "",
]


def test_files_composed_named_are_composed_as_any_file():
    """load_tree_file has the parser name the marks (NamedText): the same nodes, positions
    and problems as a plain load, each node naming the file, however the loader read it."""
    from imagelint.reading.loader import load

    for text in TEXTS:
        named = load_tree_file("kz/f.yaml", text)
        assert _shape(named) == _shape(load("kz/f.yaml", text)), text
        assert named.text == load("kz/f.yaml", text).text and type(named.text) is str
        for document in named.documents:
            stack = [document.node]
            while stack:
                node = stack.pop()
                assert file_of(node) == "kz/f.yaml"
                if isinstance(node.value, list):
                    for item in node.value:
                        stack.extend(item if isinstance(item, tuple) else [item])
