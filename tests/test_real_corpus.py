"""Pinned findings on a chosen set of real manifests from ../shared/corpus/real.

The files are not copied into the project: tests/data/real-files.txt names them and
tests/data/real-expected.tsv lists the findings they must give, checked by hand (every
error-level one is a real defect: an image that cannot be pulled as written).
"""

from __future__ import annotations

import csv
import json

from click.testing import CliRunner

from imagelint.cli import cli
from tests.helpers import ROOT

DATA = ROOT / "tests" / "data"


def test_pinned_findings_on_real_manifests(shared, monkeypatch):
    files = [line for line in (DATA / "real-files.txt").read_text().split() if line]
    with open(DATA / "real-expected.tsv", newline="") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        expected = sorted((r["path"], int(r["line"]), int(r["column"]), r["rule"]) for r in rows)
    monkeypatch.chdir(shared / "corpus" / "real")
    result = CliRunner().invoke(cli, ["check", "--format", "json", *files])
    found = sorted(
        (f["path"], f["line"], f["column"], f["rule"])
        for f in json.loads(result.stdout)["findings"]
    )
    assert found == expected
