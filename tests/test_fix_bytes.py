"""Fixing keeps every byte outside the fixed scalar: line ends, byte-order marks, a missing final
newline, anchors and aliases, several documents; and a fix whose text would read back as other
objects is abandoned."""

from __future__ import annotations

import codecs

from imagelint.core.fixes import SAFE, Edit
from imagelint.fixing.texts import fix_text
from imagelint.fixing.verify import differences
from imagelint.reading.loader import load
from tests.fixing import fix, pod

BAD, GOOD = "registry.acme.io/Shop/web:2.4", "registry.acme.io/shop/web:2.4"


def test_crlf_line_ends(tmp_path):
    text = pod(BAD + "  # web").replace("\n", "\r\n")
    fixed, result = fix(tmp_path / "pod.yaml", text)
    assert fixed == text.replace(BAD, GOOD).encode(), result.output


def test_no_final_newline(tmp_path):
    text = pod(BAD).rstrip("\n")
    fixed, _ = fix(tmp_path / "pod.yaml", text)
    assert fixed == text.replace(BAD, GOOD).encode()


def test_utf8_byte_order_mark(tmp_path):
    text = pod(BAD)
    fixed, result = fix(tmp_path / "pod.yaml", codecs.BOM_UTF8 + text.encode())
    assert fixed == codecs.BOM_UTF8 + text.replace(BAD, GOOD).encode(), result.output


def test_utf16_with_its_byte_order_mark(tmp_path):
    text = pod(BAD)
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    fixed, result = fix(tmp_path / "pod.yaml", data)
    assert fixed == codecs.BOM_UTF16_LE + text.replace(BAD, GOOD).encode("utf-16-le")


def test_an_aliased_value_is_edited_once_where_anchored(tmp_path):
    text = pod(f"&web {BAD}") + "    - name: d\n      image: *web  # the same image\n"
    fixed, result = fix(tmp_path / "pod.yaml", text)
    assert fixed.decode() == text.replace(BAD, GOOD), result.output
    assert "fixed 1 finding(s)" in result.output


def test_several_documents_with_source_comments(tmp_path):
    one = "---\n# Source: web/templates/web.yaml\n" + pod(BAD)
    two = "---\n# Source: web/templates/job.yaml\n" + pod("'k8s.gcr.io/pause:3.9'")
    fixed, result = fix(tmp_path / "rendered.yaml", one + two)
    assert fixed.decode() == (
        one.replace(BAD, GOOD) + two.replace("k8s.gcr.io", "registry.k8s.io")
    ), result.output


def test_a_tagged_value_keeps_its_tag(tmp_path):
    fixed, result = fix(tmp_path / "pod.yaml", pod(f"!!str '{BAD}'"))
    assert fixed.decode() == pod(f"!!str '{GOOD}'"), result.output


def test_a_block_scalar_is_left_alone(tmp_path):
    text = pod(f"|-\n        {BAD}")
    fixed, result = fix(tmp_path / "pod.yaml", text)
    assert fixed.decode() == text
    assert "fix not made" in result.output and "block scalar" in result.output


def test_a_plain_value_that_cannot_stay_plain_is_double_quoted():
    text = "image: x\nother: a\n"
    loaded = load("f.yaml", text)
    node = loaded.documents[0].node.value[0][1]
    edit = Edit("f.yaml", 1, 8, 0, "x", "y: #z", SAFE, "t")
    result = fix_text("f.yaml", text, [edit])
    assert result.text == 'image: "y: #z"\nother: a\n'
    assert node.value == "x"


def test_a_fixed_text_that_reads_back_as_other_objects_is_refused():
    before = load("f.yaml", "a: x\nb: y\n")
    node = before.documents[0].node.value[0][1]
    assert differences(before, "a: z\nb: y\n", {id(node): "z"}) is None
    assert differences(before, "a: z\nb: w\n", {id(node): "z"}) is not None  # b changed
    assert differences(before, "a: 1\nb: y\n", {id(node): "1"}) is not None  # now a number
    assert differences(before, "a: z\n", {id(node): "z"}) is not None  # a key lost


def test_a_value_that_changed_since_the_check_is_not_edited():
    edit = Edit("f.yaml", 1, 8, 0, "x", "y", SAFE, "t")
    result = fix_text("f.yaml", "image: w\n", [edit])
    assert result.text is None
    assert "not the one checked" in result.abandoned[0][1]
