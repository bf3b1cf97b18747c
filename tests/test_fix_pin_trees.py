"""Pinning (``unpinned-tag``'s unsafe fix) where a tree sets the image: a kustomize ``images:``
entry, a chart's values. The exact bytes of each file afterwards, and ``kubectl kustomize``
(kustomize v5) building the pinned image from the edited overlay.

The registry is a stand-in here (each image "resolves" to the sha256 of its own name), so the
placement of every kind of edit is tested without a network; tests/test_fix_online.py and the
end of this file pin through a real ``docker-registry`` on loopback.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from imagelint.core.fixes import Edit, Entry
from imagelint.core.selection import select
from imagelint.fixing.apply import applicable, prepare, write_files
from imagelint.fixing.texts import fix_text
from imagelint.online.answers import FOUND, Answer, Answers
from imagelint.reading.sources import discover
from imagelint.running.engine import Engine
from tests.fixing import invoke
from tests.kustomize_truth import kubectl_build

RULE = "unpinned-tag"


def digest_of(image: str) -> str:
    """The digest the stand-in registry gives for ``image`` (as the overlay builds it)."""
    return "sha256:" + hashlib.sha256(image.encode()).hexdigest()


def _resolving(run, records):
    answers = Answers()
    for record in run.images if records is None else records:
        if record.image:
            answers.set(
                record, Answer(FOUND, "registry", record.image, digest=digest_of(record.image))
            )
    return answers


def findings(root: Path):
    engine = Engine(rules=select(extend_select=[RULE]), online=_resolving)
    report = engine.check(discover([str(root)]), named=[str(root)])
    return [f for f in report.findings if f.rule == RULE]


def pin(root: Path, passes: int = 3) -> list[str]:
    """``check --fix --unsafe-fixes`` with the stand-in registry: the notes of what was not
    fixed."""
    notes: list[str] = []
    for _ in range(passes):
        edits = applicable(findings(root), unsafe=True)
        if not edits:
            break
        fixes = prepare(edits, lambda display: display)
        notes.extend(fixes.notes)
        if not write_files(fixes, [str(root.resolve())]):
            break
    return notes


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def images(root: Path) -> list[str]:
    built = kubectl_build(root)
    assert built is not None, "kubectl kustomize fails on the fixed overlay"
    return [c["image"] for obj in built for c in obj["spec"]["containers"]]


# -- kustomize ---------------------------------------------------------------------------------

BASE = {
    "base/kustomization.yaml": "resources: [pod.yaml]\n",
    "base/pod.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        "    - {name: a, image: acme.io/app:0.9}\n"
    ),
}


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, BASE)
    return Path("overlay")


def overlay(root: Path, text: str) -> Path:
    write(root, {"kustomization.yaml": text})
    return root / "kustomization.yaml"


def test_a_new_tag_gets_the_digest_after_it(tree):
    text = (
        "resources: [../base]\nimages:\n  - name: acme.io/app  # the shop\n"
        "    newTag: '1.0'   # the release\n"
    )
    path = overlay(tree, text)
    assert pin(tree) == []
    d = digest_of("acme.io/app:1.0")
    assert path.read_text() == text.replace("'1.0'", f"'1.0@{d}'")
    assert images(tree) == [f"acme.io/app:1.0@{d}"]
    assert Path("base/pod.yaml").read_text() == BASE["base/pod.yaml"]  # left alone


def test_an_empty_digest_of_the_entry_is_filled(tree):
    text = (
        'resources: [../base]\nimages:\n  - name: acme.io/app\n    newTag: "1.0"\n'
        '    digest: ""  # pinned by imagelint\n'
    )
    path = overlay(tree, text)
    assert pin(tree) == []
    d = digest_of("acme.io/app:1.0")
    assert path.read_text() == text.replace('digest: ""', f'digest: "{d}"')
    assert images(tree) == [f"acme.io/app:1.0@{d}"]  # kustomize v5 writes both


def test_new_tag_latest_becomes_the_digest(tree):
    text = (
        "resources: [../base]\nimages:\n  - name: acme.io/app\n    newName: acme.io/shop/app\n"
        "    newTag: latest # moves\n"
    )
    path = overlay(tree, text)
    assert pin(tree) == []
    d = digest_of("acme.io/shop/app:latest")
    assert path.read_text() == text.replace("newTag: latest", f"digest: {d}")
    assert images(tree) == [f"acme.io/shop/app@{d}"]


def test_new_tag_latest_in_a_flow_entry(tree):
    text = 'resources: [../base]\nimages: [{name: acme.io/app, newTag: "latest"}]\n'
    path = overlay(tree, text)
    assert pin(tree) == []
    d = digest_of("acme.io/app:latest")
    assert path.read_text() == text.replace('newTag: "latest"', f'digest: "{d}"')
    assert images(tree) == [f"acme.io/app@{d}"]


def test_new_tag_latest_beside_an_empty_digest_keeps_the_tag(tree):
    text = "resources: [../base]\nimages:\n  - name: acme.io/app\n    newTag: latest\n    digest:\n"
    path = overlay(tree, text)
    assert pin(tree) == []
    d = digest_of("acme.io/app:latest")
    assert path.read_text() == text.replace("digest:\n", f"digest: {d}\n")
    assert images(tree) == [f"acme.io/app:latest@{d}"]


def test_a_new_name_over_an_untagged_image_gets_the_digest(tree, tmp_path):
    write(tmp_path, {"base/pod.yaml": BASE["base/pod.yaml"].replace("app:0.9", "app")})
    text = "resources: [../base]\nimages:\n  - name: acme.io/app\n    newName: mirror.acme.io/app\n"
    path = overlay(tree, text)
    assert pin(tree) == []
    d = digest_of("mirror.acme.io/app")
    assert path.read_text() == text.replace("mirror.acme.io/app\n", f"mirror.acme.io/app@{d}\n")
    assert images(tree) == [f"mirror.acme.io/app@{d}"]


def test_a_new_name_over_a_base_tag_is_left_to_a_person(tree):
    """The digest belongs to the overlay's name and the base's tag: the base is shared with
    builds of other names, and a newTag or digest in the entry would retag every image it
    matches. No edit; the finding stays."""
    text = "resources: [../base]\nimages:\n  - name: acme.io/app\n    newName: mirror.acme.io/app\n"
    path = overlay(tree, text)
    [finding] = findings(tree)
    assert finding.edit is None
    assert pin(tree) == []
    assert path.read_text() == text
    assert Path("base/pod.yaml").read_text() == BASE["base/pod.yaml"]


def test_a_base_image_no_overlay_changes_is_pinned_in_the_base(tree, tmp_path):
    # Where it is set: the base (as every fix of a value written there whole).
    text = "resources: [../base]\n"
    overlay(tree, text)
    assert pin(tree) == []
    d = digest_of("acme.io/app:0.9")
    assert Path("base/pod.yaml").read_text() == BASE["base/pod.yaml"].replace("0.9", f"0.9@{d}")
    assert images(tree) == [f"acme.io/app:0.9@{d}"]


def test_one_new_tag_shared_by_two_names_is_not_pinned(tree, tmp_path):
    """An entry whose name (a regular expression to kustomize) matches two images: one newTag,
    two digests. Pinning it to either would be wrong for the other."""
    write(
        tmp_path,
        {
            "base/pod.yaml": BASE["base/pod.yaml"]
            + "    - {name: w, image: acme.io/app-worker:0.9}\n"
        },
    )
    text = "resources: [../base]\nimages:\n  - name: acme.io/app.*\n    newTag: '1.0'\n"
    path = overlay(tree, text)
    assert images(tree) == ["acme.io/app:1.0", "acme.io/app-worker:1.0"]
    notes = pin(tree)
    assert path.read_text() == text
    assert len(notes) == 2 and all("another value" in note for note in notes), notes


def test_new_tag_latest_in_a_flow_entry_written_plain(tree):
    # A plain digest in a flow mapping: go-yaml (kubectl) reads it, libyaml (imagelint's C
    # composer) does not; the digest is written double-quoted (tests/test_fix_flow_quoting.py).
    text = "resources: [../base]\nimages: [{name: acme.io/app, newTag: latest}]\n"
    path = overlay(tree, text)
    assert pin(tree) == []
    d = digest_of("acme.io/app:latest")
    assert path.read_text() == text.replace("newTag: latest", f'digest: "{d}"')
    assert images(tree) == [f"acme.io/app@{d}"]


def test_a_root_new_tag_over_a_base_kustomizations_new_name(tmp_path, monkeypatch):
    # The root's newTag comes last in every build of it: the digest goes there.
    monkeypatch.chdir(tmp_path)
    write(tmp_path, BASE)
    middle = (
        "resources: [../base]\nimages:\n  - name: acme.io/app\n    newName: mirror.acme.io/app\n"
    )
    root = "resources: [../middle]\nimages:\n  - name: mirror.acme.io/app\n    newTag: '1.0'\n"
    write(tmp_path, {"middle/kustomization.yaml": middle, "overlay/kustomization.yaml": root})
    assert pin(Path("overlay")) == []
    d = digest_of("mirror.acme.io/app:1.0")
    assert Path("overlay/kustomization.yaml").read_text() == root.replace("'1.0'", f"'1.0@{d}'")
    assert Path("middle/kustomization.yaml").read_text() == middle
    assert images(Path("overlay")) == [f"mirror.acme.io/app:1.0@{d}"]


def test_a_base_kustomizations_new_tag_under_a_root_new_name_is_left(tmp_path, monkeypatch):
    # The middle's newTag serves builds without the root's newName: the root's digest would be
    # wrong there. No edit.
    monkeypatch.chdir(tmp_path)
    write(tmp_path, BASE)
    middle = "resources: [../base]\nimages:\n  - name: acme.io/app\n    newTag: '1.0'\n"
    root = (
        "resources: [../middle]\nimages:\n  - name: acme.io/app\n    newName: mirror.acme.io/app\n"
    )
    write(tmp_path, {"middle/kustomization.yaml": middle, "overlay/kustomization.yaml": root})
    [finding] = findings(Path("overlay"))
    assert finding.image == "mirror.acme.io/app:1.0" and finding.edit is None
    assert pin(Path("overlay")) == []
    assert Path("middle/kustomization.yaml").read_text() == middle


# -- Helm --------------------------------------------------------------------------------------

TEMPLATE = (
    "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
    '    - name: web\n      image: "{{ .Values.image.repository }}:'
    '{{ .Values.image.tag | default .Chart.AppVersion }}"\n'
)
CHART = "apiVersion: v2\nname: web\nversion: 1.0.0\nappVersion: 2.1.0  # the app\n"


@pytest.fixture
def chart(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"web/Chart.yaml": CHART, "web/templates/pod.yaml": TEMPLATE})
    return Path("web")


def values(chart: Path, text: str) -> Path:
    write(chart, {"values.yaml": text})
    return chart / "values.yaml"


def pinned_values(chart: Path, text: str) -> str:
    path = values(chart, text)
    assert pin(chart) == []
    assert (chart / "Chart.yaml").read_text() == CHART
    assert findings(chart) == []  # pinned: nothing left to report
    return path.read_text()


@pytest.mark.parametrize(
    ("tag", "pinned"),
    [("1.2", "1.2@{d}"), ('"1.2"', '"1.2@{d}"'), ("latest", "latest@{d}"), ("'v3'", "'v3@{d}'")],
)
def test_a_tag_value_gets_the_digest_after_it(chart, tag, pinned):
    # The template writes repository:tag, so latest stays (latest@sha256:... pulls the digest).
    text = f"image:\n  repository: acme.io/web  # the app\n  tag: {tag}\n  pullPolicy: Always\n"
    image = f"acme.io/web:{tag.strip(chr(34) + chr(39))}"
    expected = text.replace(f"tag: {tag}", "tag: " + pinned.format(d=digest_of(image)))
    assert pinned_values(chart, text) == expected


@pytest.mark.parametrize("tag", ["1.2.3", "latest"])
def test_an_empty_digest_value_is_filled(chart, tag):
    # Bitnami's values: the template writes @digest instead of :tag when one is set.
    text = (
        "image:\n  registry: docker.io\n  repository: bitnami/web\n"
        f'  tag: {tag}\n  digest: ""\n  pullPolicy: IfNotPresent\n'
    )
    d = digest_of(f"docker.io/bitnami/web:{tag}")
    assert pinned_values(chart, text) == text.replace('digest: ""', f'digest: "{d}"')


def test_the_app_version_is_pinned_in_the_empty_tag(chart):
    text = "image:\n  repository: acme.io/web\n  tag: ''  # appVersion\n"
    d = digest_of("acme.io/web:2.1.0")
    assert pinned_values(chart, text) == text.replace("''", f"'2.1.0@{d}'")


def test_the_app_version_is_pinned_in_an_empty_digest(chart):
    text = "image:\n  repository: acme.io/web\n  tag:\n  digest:\n"
    d = digest_of("acme.io/web:2.1.0")
    assert pinned_values(chart, text) == text.replace("digest:\n", f"digest: {d}\n")


def test_the_app_version_with_no_tag_in_the_values_is_left_to_a_person(chart):
    # The values say nothing of a tag: nothing shows the template reads one.
    text = "image:\n  repository: acme.io/web\n  pullPolicy: Always\n"
    path = values(chart, text)
    [note] = pin(chart)
    assert note.endswith("there is no tag field beside it"), note
    assert path.read_text() == text and (chart / "Chart.yaml").read_text() == CHART


def test_a_tag_shared_through_an_alias_by_two_images_is_not_pinned(chart):
    text = (
        "image:\n  repository: acme.io/web\n  tag: &version 1.2\n"
        "sidecar:\n  image:\n    repository: acme.io/proxy\n    tag: *version\n"
    )
    path = values(chart, text)
    notes = pin(chart)
    assert path.read_text() == text
    assert len(notes) == 2 and all("another value" in note for note in notes), notes


def test_a_values_variant_sets_the_tag_or_the_name(chart):
    """A variant (values-*.yaml) is layered over values.yaml in its build: its tag is pinned in
    it; a tag of values.yaml under the variant's repository is not (values.yaml is every
    build's), and is pinned for values.yaml's own build."""
    text = "image:\n  repository: acme.io/web\n  tag: '1.0'\n"
    path = values(chart, text)
    prod = "image:\n  tag: '2.0'\n"
    dev = "image:\n  repository: dev.acme.io/web\n"
    write(chart, {"values-prod.yaml": prod, "values-dev.yaml": dev})
    dev_finding = [f for f in findings(chart) if f.image == "dev.acme.io/web:1.0"]
    assert [f.edit for f in dev_finding] == [None]
    assert pin(chart) == []
    assert path.read_text() == text.replace("'1.0'", f"'1.0@{digest_of('acme.io/web:1.0')}'")
    pinned = prod.replace("'2.0'", f"'2.0@{digest_of('acme.io/web:2.0')}'")
    assert (chart / "values-prod.yaml").read_text() == pinned
    assert (chart / "values-dev.yaml").read_text() == dev


def test_a_global_registry_and_a_tag(chart):
    text = "global:\n  imageRegistry: mirror.acme.io\nimage:\n  registry: docker.io\n"
    text += "  repository: acme/web\n  tag: 1.2\n"
    d = digest_of("mirror.acme.io/acme/web:1.2")
    assert pinned_values(chart, text) == text.replace("tag: 1.2", f"tag: 1.2@{d}")


# -- through a real registry -------------------------------------------------------------------

PIN = ("--online", "--no-cache", "--extend-select", RULE, "--fix", "--unsafe-fixes")


def test_a_real_registry_pins_an_overlay_and_a_chart(tmp_path, registry_plain, monkeypatch):
    monkeypatch.chdir(tmp_path)
    host = registry_plain.host
    latest = registry_plain.push("shop/app", "latest", "oci").digest
    release = registry_plain.push("shop/web", "2.1.0", "index").digest
    write(tmp_path, BASE)
    kustomization = (
        f"resources: [../base]\nimages:\n  - name: acme.io/app\n    newName: {host}/shop/app\n"
        "    newTag: latest\n"
    )
    write(tmp_path, {"overlay/kustomization.yaml": kustomization})
    chart_values = f"image:\n  registry: {host}\n  repository: shop/web\n  tag: ''\n  digest: ''\n"
    write(tmp_path, {"web/Chart.yaml": CHART, "web/templates/pod.yaml": TEMPLATE})
    write(tmp_path, {"web/values.yaml": chart_values})
    result = invoke(*PIN, "overlay", "web")
    assert Path("overlay/kustomization.yaml").read_text() == kustomization.replace(
        "newTag: latest", f"digest: {latest}"
    ), result.output
    assert Path("web/values.yaml").read_text() == chart_values.replace(
        "digest: ''", f"digest: '{release}'"
    )
    assert Path("web/Chart.yaml").read_text() == CHART
    assert "fixed 2 finding(s) in 2 file(s)" in result.output
    assert images(Path("overlay")) == [f"{host}/shop/app@{latest}"]


# -- the edits of an entry, in a file's text ---------------------------------------------------

D = "sha256:" + "5e" * 32


def entry_edit(line, column, old, new, entry, otherwise=None):
    return Edit("k.yaml", line, column, 0, old, new, "unsafe", "pin", entry, otherwise)


def fixed(text, *edits):
    result = fix_text("k.yaml", text, edits)
    return result.text, [why for _, why in result.abandoned]


def test_an_entry_is_changed_only_beside_the_field_named():
    text = "images:\n  - name: app\n    newTag: latest\n    digest: ''\n"
    digest = Entry(("newTag",), "digest")
    assert fixed(text, entry_edit(3, 13, "", D, digest)) == (text.replace("''", f"'{D}'"), [])
    # Pointed at the name: not a newTag field.
    assert fixed(text, entry_edit(2, 11, "", D, digest)) == (
        None,
        ["the value is not a newTag field (the file changed?)"],
    )
    # Not the value the finding saw.
    assert fixed(text, entry_edit(3, 13, "x", D, digest))[1] == [
        "the digest field beside it is not 'x'"
    ]


def test_a_rename_needs_the_new_key_free():
    text = "images:\n  - name: app\n    newTag: latest\n    digest: sha256:old\n"
    rename = Entry(("newTag",), "newTag", rename="digest")
    assert fixed(text, entry_edit(3, 13, "latest", D, rename)) == (
        None,
        ["there is a digest field beside it already"],
    )
    text = 'images:\n  - "name": app\n    "newTag": latest  # moves\n'
    assert fixed(text, entry_edit(3, 15, "latest", D, rename)) == (
        text.replace('"newTag": latest', f'"digest": {D}'),
        [],
    )


def test_the_first_edit_of_the_chain_that_can_be_made_is_made():
    text = "image:\n  repository: web\n  tag: latest\n"
    after = Edit("k.yaml", 3, 8, 6, "", f"@{D}", "unsafe", "pin")
    rename = entry_edit(3, 8, "latest", D, Entry(("newTag",), "newTag", "digest"), after)
    chain = entry_edit(3, 8, "", D, Entry(("newTag", "tag"), "digest"), rename)
    assert chain.chain() == [chain, rename, after]
    assert fixed(text, chain) == (text.replace("latest", f"latest@{D}"), [])
    # None can be: the last one's reason.
    assert fixed(text.replace("latest", "v1"), chain)[1] == [
        "the value written there is not the one checked (the file changed?)"
    ]


def test_an_empty_value_is_written_after_its_key():
    text = "a:\n  tag: 1\n  digest:   # pinned here\nb: {tag: 2, digest: }\n"
    block = entry_edit(2, 8, "", D, Entry(("tag",), "digest"))
    flow = entry_edit(4, 10, "", D, Entry(("tag",), "digest"))
    assert fixed(text, block, flow) == (
        text.replace("digest:   #", f"digest: {D}   #").replace("digest: }", f'digest: "{D}"}}'),
        [],
    )


def test_an_entry_of_an_aliased_value_is_not_guessed():
    # The anchor scalar is the value of two mappings: which one's digest is meant is unknown.
    text = "a: {tag: &t '1', digest: ''}\nb: {tag: *t, digest: ''}\n"
    assert fixed(text, entry_edit(1, 11, "", D, Entry(("tag",), "digest")))[1] == [
        "the value is not the entry of one mapping"
    ]
