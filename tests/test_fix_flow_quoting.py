"""A fix never leaves a file libyaml (ruamel's C composer, which imagelint checks with) no longer
reads. libyaml refuses a plain scalar holding a ':' inside a flow collection
(``{name: a, image: app@sha256:...}``: "found unexpected ':'"), although kubectl reads it; a
fix that brings a ':' into such a scalar writes the value double-quoted instead, and only that
scalar's text changes. Elsewhere (block context, or a value that still reads plain) nothing is
quoted. Exact bytes of each file afterwards; the pinning uses the stand-in registry of
tests/test_fix_pin_trees.py (each image "resolves" to the sha256 of its own name).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml.cyaml import CSafeLoader
from ruamel.yaml.error import YAMLError

from imagelint.core.fixes import Edit, Entry
from imagelint.fixing.texts import fix_text
from imagelint.fixing.verify import differences
from imagelint.reading.loader import load
from tests.fixing import fix, invoke
from tests.test_fix_pin_trees import digest_of, images, pin, write

HEAD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"


def libyaml_reads(text: str) -> bool:
    """Whether the C composer, alone (no fallback), reads every document of ``text``."""
    loader = CSafeLoader(text)
    try:
        while loader.check_node():
            loader.get_node()
    except YAMLError:
        return False
    finally:
        loader.dispose()
    return True


def checked_clean(path: Path) -> None:
    """``imagelint check`` of the fixed file: no yaml-syntax finding, and libyaml reads it."""
    result = invoke("--extend-select", "yaml-syntax", str(path))
    assert "yaml-syntax" not in result.output, result.output
    assert libyaml_reads(path.read_text())


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- a pin in a plain manifest -----------------------------------------------------------------


def test_a_flow_mapping_container_is_pinned_in_double_quotes(here):
    text = HEAD + "    - {name: a, image: acme.io/app}  # the app\n"
    write(here, {"pod.yaml": text})
    assert pin(Path(".")) == []
    d = digest_of("acme.io/app")
    assert Path("pod.yaml").read_text() == HEAD + (
        f'    - {{name: a, image: "acme.io/app@{d}"}}  # the app\n'
    )
    checked_clean(Path("pod.yaml"))


def test_a_flow_sequence_of_containers_is_pinned_in_double_quotes(here):
    text = HEAD.replace("  containers:\n", "  containers: [{name: a, image: app}, {name: b}]\n")
    write(here, {"pod.yaml": text})
    assert pin(Path(".")) == []
    d = digest_of("app")
    assert Path("pod.yaml").read_text() == text.replace("image: app}", f'image: "app@{d}"}}')
    checked_clean(Path("pod.yaml"))


def test_a_block_plain_scalar_stays_plain(here):
    text = HEAD + "    - name: a\n      image: acme.io/app   # the app\n"
    write(here, {"pod.yaml": text})
    assert pin(Path(".")) == []
    d = digest_of("acme.io/app")
    assert Path("pod.yaml").read_text() == text.replace("acme.io/app ", f"acme.io/app@{d} ")
    checked_clean(Path("pod.yaml"))


# -- a pin in a kustomize images: entry written in flow style ------------------------------------

BASE = {
    "base/kustomization.yaml": "resources:\n  - pod.yaml\n",
    "base/pod.yaml": HEAD + "    - name: a\n      image: app:0.9\n",
}


def test_new_tag_latest_in_a_flow_entry_becomes_a_quoted_digest(here):
    write(here, BASE)
    text = "resources: [../base]\nimages: [{name: app, newTag: latest}]  # moves\n"
    write(here, {"overlay/kustomization.yaml": text})
    assert pin(Path("overlay")) == []
    d = digest_of("app:latest")
    path = Path("overlay/kustomization.yaml")
    assert path.read_text() == text.replace("newTag: latest", f'digest: "{d}"')
    assert images(Path("overlay")) == [f"app@{d}"]
    assert Path("base/pod.yaml").read_text() == BASE["base/pod.yaml"]
    checked_clean(path)


def test_a_new_tag_in_a_flow_entry_gets_the_digest_in_quotes(here):
    write(here, BASE)
    text = "resources: [../base]\nimages:\n  - {name: app, newTag: v1.0}\n"
    write(here, {"overlay/kustomization.yaml": text})
    assert pin(Path("overlay")) == []
    d = digest_of("app:v1.0")
    path = Path("overlay/kustomization.yaml")
    assert path.read_text() == text.replace("newTag: v1.0", f'newTag: "v1.0@{d}"')
    assert images(Path("overlay")) == [f"app:v1.0@{d}"]
    checked_clean(path)


# -- the rule, edit by edit --------------------------------------------------------------------

D = "sha256:" + "5e" * 32


def fixed(text: str, *edits: Edit) -> tuple[str | None, list[str]]:
    result = fix_text("k.yaml", text, edits)
    return result.text, [why for _, why in result.abandoned]


def edit(line: int, column: int, start: int, old: str, new: str) -> Edit:
    return Edit("k.yaml", line, column, start, old, new, "unsafe", "pin")


def test_quotes_and_backslashes_are_escaped():
    # A plain value may hold '"' and '\' (not first); double-quoted, they are escaped.
    text = 'x: [a"b\\c, d]\n'
    assert fixed(text, edit(1, 5, 5, "", ":1")) == ('x: ["a\\"b\\\\c:1", d]\n', [])
    assert libyaml_reads(str(fixed(text, edit(1, 5, 5, "", ":1"))[0]))


def test_a_value_that_still_reads_plain_in_flow_stays_plain():
    text = "x: {image: Acme.io/app, tag: v1}\n"
    assert fixed(text, edit(1, 12, 0, "A", "a")) == (text.replace("Acme", "acme"), [])


def test_a_value_libyaml_already_refused_keeps_its_style():
    """A plain 'host:port' or ':tag' the user wrote in a flow mapping (kubectl reads it;
    imagelint reads that document with ruamel's pure-Python parser): the fix changes nothing
    libyaml reads or not, so the value's style is kept."""
    text = "x: {image: K8S.gcr.io/pause:3.9}\n"
    assert fixed(text, edit(1, 12, 0, "K8S", "k8s")) == (text.replace("K8S", "k8s"), [])


def test_a_fix_that_removes_the_only_colon_libyaml_refused():
    # The original document was read by the pure-Python parser, the fixed one is read by
    # libyaml: the same objects still (the node classes of the two composers differ).
    text = "x: {image: https://acme.io/app, tag: v1}\n"
    assert not libyaml_reads(text)
    after, why = fixed(text, edit(1, 12, 0, "https://", ""))
    assert (after, why) == ("x: {image: acme.io/app, tag: v1}\n", [])
    assert libyaml_reads(str(after))


def test_an_empty_flow_value_is_filled_in_quotes_a_block_one_plain():
    text = "a: {tag: 2, digest: }\nb:\n  tag: 3\n  digest:\n"
    beside_tag = Entry(("tag",), "digest")
    flow = Edit("k.yaml", 1, 10, 0, "", D, "unsafe", "pin", beside_tag)
    block = Edit("k.yaml", 3, 8, 0, "", D, "unsafe", "pin", beside_tag)
    assert fixed(text, flow, block) == (
        f'a: {{tag: 2, digest: "{D}"}}\nb:\n  tag: 3\n  digest: {D}\n',
        [],
    )


@pytest.mark.parametrize("lean", [True, False])
def test_the_checker_refuses_a_fixed_text_libyaml_does_not_read(lean, monkeypatch):
    """Whatever writes the text, a fix that makes libyaml refuse a document it read is
    abandoned (the checker would read it only through the pure-Python fallback). Told by the
    node classes the loader made; without lean nodes, by composing the text again."""
    if not lean:
        monkeypatch.setattr("imagelint.fixing.verify.c_module", lambda: None)
    before = load("k.yaml", "x: [app]\n---\ny: [b]\n")
    [_, second] = before.documents
    [scalar] = second.node.value[0][1].value
    problem = differences(before, "x: [app]\n---\ny: [b:1]\n", {id(scalar): "b:1"})
    assert problem == (
        "libyaml (the C composer imagelint reads with) refuses the fixed text at line 3, "
        "although it read the original"
    )
    # A document libyaml refused already may stay refused (its other values are not the fix's).
    before = load("k.yaml", "x: [a:1]\n---\ny: [b]\n")
    [first, _] = before.documents
    [scalar] = first.node.value[0][1].value
    assert differences(before, "x: [a:12]\n---\ny: [b]\n", {id(scalar): "a:12"}) is None


def test_the_fixed_file_is_checked_clean_by_the_command_line(here):
    text = HEAD + "    - {name: a, image: HTTPS://acme.io/app}\n"
    after, result = fix(Path("pod.yaml"), text)
    assert after.decode() == text.replace("HTTPS://", ""), result.output
    checked_clean(Path("pod.yaml"))
