"""imagelint reads every file of the shared corpus of real manifests without a crash."""

from __future__ import annotations

from imagelint.engine import Engine
from imagelint.sources import discover


def test_whole_corpus_without_internal_errors(shared):
    refs = discover([str(shared / "corpus")])
    assert len(refs) >= 1800
    report = Engine().check(refs)
    assert report.internal_errors == []
    assert report.objects > 4000 and report.images > 2500
    lines = {}
    for ref in refs:
        if ref.path:
            with open(ref.path, "rb") as handle:
                lines[ref.display] = handle.read().count(b"\n") + 1
    for finding in report.findings:  # every finding points inside its file
        assert 1 <= finding.line <= lines[finding.path], finding
        assert finding.column >= 1
