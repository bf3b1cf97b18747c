"""Baselines: record today's findings, report only new ones, survive moved lines."""

from __future__ import annotations

import json

from click.testing import CliRunner

from imagelint.cli import cli

POD = "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers:\n    - name: c\n      image: {image}\n---\n"


def test_adopt_then_report_only_new_findings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    manifest = tmp_path / "app.yaml"
    manifest.write_text(
        POD.format(name="a", image="nginx:latest") + POD.format(name="b", image="Redis:7")
    )
    written = CliRunner().invoke(cli, ["check", "--write-baseline", "baseline.json", "app.yaml"])
    assert written.exit_code == 0
    assert "wrote a baseline of 2 finding(s) to baseline.json" in written.stderr
    document = json.loads((tmp_path / "baseline.json").read_text())
    assert document["version"] == 1 and {e["rule"] for e in document["findings"]} == {
        "latest-tag",
        "uppercase-repository",
    }
    assert set(document["findings"][0]) == {"fingerprint", "rule", "path"}  # nothing else is stored

    # Lines move (a comment and a new object on top); the old findings stay hidden.
    manifest.write_text(
        "# moved\n\n" + POD.format(name="c", image="busybox") + manifest.read_text()
    )
    result = CliRunner().invoke(
        cli, ["check", "--baseline", "baseline.json", "--format", "json", "app.yaml"]
    )
    found = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["object"]["name"]) for f in found] == [("missing-tag", "c")]
    assert "2 finding(s) hidden by the baseline" in result.stderr
    assert result.exit_code == 1


def test_a_bad_baseline_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.yaml").write_text(POD.format(name="a", image="nginx:1"))
    (tmp_path / "b.json").write_text("{not json")
    result = CliRunner().invoke(cli, ["check", "--baseline", "b.json", "app.yaml"])
    assert result.exit_code == 2 and "the baseline b.json is not valid JSON" in result.output
    (tmp_path / "b.json").write_text('{"version": 9}')
    result = CliRunner().invoke(cli, ["check", "--baseline", "b.json", "app.yaml"])
    assert (
        result.exit_code == 2 and "b.json is not an imagelint baseline (version 1)" in result.output
    )
