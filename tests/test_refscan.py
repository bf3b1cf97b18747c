"""The hand-written matcher of the reference pattern (images.refscan) gives the groups the
regular expression upstream writes (images.grammar) gives: on every input of the reference
vectors, on hand-picked edges, and on generated strings built from the characters that matter."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imagelint.images.grammar import patterns
from imagelint.images.refscan import match_reference
from tests.helpers import shared_dir


def _oracle(text: str) -> tuple[str | None, str, str | None, str | None] | None:
    match = patterns().reference.fullmatch(text)
    if match is None:
        return None
    _, domain, path, tag, digest = match.groups()
    return domain, path, tag, digest


def _vector_inputs() -> list[str]:
    shared = shared_dir()
    if shared is None:
        return []
    with open(shared / "reference-vectors.tsv", newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        texts = [row["input"].replace("\\n", "\n").replace("\\t", "\t") for row in rows]
    # As the parser asks: the normalized form has a domain in front.
    return sorted({t for text in texts for t in (text, f"docker.io/{text}", text.lower())})


EDGES = [
    "",
    "a",
    "a/b",
    "docker.io/library/nginx:1.25",
    "localhost:5000/app:1",
    "[::1]:5000/app:tag",
    "[fe80::1]/app",
    "[]/app",
    "[::1/app",
    "host:/app",
    "host:99a/app",
    "a.-b/app",
    "-a/app",
    "a-/app",
    "a__b",
    "a___b",
    "a---b",
    "a-_b",
    "a._b",
    "a..b",
    "a/b:",
    "a/b:-tag",
    "a/b:_tag",
    "a/b:" + "t" * 128,
    "a/b:" + "t" * 129,
    "a/b@sha256:" + "a" * 64,
    "a/b:1@sha256:" + "A" * 32,
    "a/b@sha256:" + "a" * 31,
    "a/b@sha256+b.c:" + "a" * 32,
    "a/b@sha256+:" + "a" * 32,
    "a/b@1sha:" + "a" * 32,
    "a/b@:" + "a" * 32,
    "a/b@sha:256:" + "a" * 32,
    "a/b@sha256:" + "a" * 64 + "@x",
    "Host.IO/app",
    "host.io/App",
    "a/b/c/d:e",
    "a:b/c",
    "a:1/b:c",
    "a/b:c/d",
    "a.b:1:2/c",
    "a b",
    "a/b\n",
    "a/b:tag\x00",
]


@pytest.mark.parametrize("text", EDGES + _vector_inputs())
def test_same_groups_as_the_pattern(text):
    assert match_reference(text) == _oracle(text)


_ALPHABET = "ab0Z._-_:/@[]+9f"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=24))
def test_same_groups_on_generated_strings(text):
    assert match_reference(text) == _oracle(text)


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(st.text(alphabet="ab1.-_", min_size=0, max_size=6), min_size=1, max_size=4),
    st.one_of(st.none(), st.text(alphabet="ab1.-_:", max_size=8)),
    st.one_of(st.none(), st.text(alphabet="sha256+.:aF0", min_size=30, max_size=40)),
)
def test_same_groups_on_reference_shaped_strings(parts, tag, digest):
    text = "/".join(parts) + (f":{tag}" if tag is not None else "")
    text += f"@{digest}" if digest is not None else ""
    assert match_reference(text) == _oracle(text)


def test_the_parser_matches_the_same_before_and_after_compiling_the_pattern(monkeypatch):
    from imagelint.images import reference

    texts = EDGES + _vector_inputs()
    monkeypatch.setattr(reference, "_scanned", 0)
    monkeypatch.setattr(reference, "SCANS_BEFORE_PATTERN", len(texts) * 2)
    scanned = [reference._match(text) for text in texts]
    monkeypatch.setattr(reference, "SCANS_BEFORE_PATTERN", 0)
    assert [reference._match(text) for text in texts] == scanned
