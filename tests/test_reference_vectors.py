"""The parser agrees with every ParseNormalizedNamed / ParseDockerRef vector transcribed from
distribution/reference's own tests (../shared/reference-vectors.tsv)."""

from __future__ import annotations

import csv

import pytest

from imagelint.images.reference import InvalidReference, Reference, parse
from tests.helpers import shared_dir

APIS = ("ParseNormalizedNamed", "ParseDockerRef")


def _rows() -> list[dict[str, str]]:
    shared = shared_dir()
    if shared is None:
        return []
    with open(shared / "reference-vectors.tsv", newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [row for row in rows if row["api"] in APIS]


ROWS = _rows()


def test_vectors_are_present(shared):
    assert len(ROWS) >= 100  # 99 + 11 in the transcription of 2026-04


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['api']}:{r['input'][:60]}" for r in ROWS])
def test_vector(row):
    text = row["input"].replace("\\n", "\n").replace("\\t", "\t")
    result = parse(text)
    if row["valid"] == "no":
        assert isinstance(result, InvalidReference), result
        assert result.upstream == row["normalized_full_name_or_error"]
        return
    assert isinstance(result, Reference), result
    tag, digest = result.tag, result.digest
    if row["api"] == "ParseDockerRef":  # the digest wins; a bare name gets latest
        docker_ref = result.docker_ref()
        assert docker_ref.startswith(result.name)
        tag = None if digest else result.pull_tag
    assert (result.name, result.domain, result.path, tag or "", digest or "") == (
        row["normalized_full_name_or_error"],
        row["domain"],
        row["path"],
        row["tag"],
        row["digest"],
    )
