"""A run rule that declares NEEDS is skipped (neither run nor imported) for a run that does not
hold what it needs; so it must never report on such a run. Checked on every file of the shared
corpus and the fixtures (each file a run, as a one-file pre-commit run sees it), with every rule
on, and on the engine's own decision."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from imagelint.core.contract import NEEDS, PULL_SECRETS
from imagelint.core.model import Settings
from imagelint.core.rulebook import all_rules
from imagelint.reading.sources import SourceRef
from imagelint.running.engine import Engine
from imagelint.running.runindex import RunIndex
from tests.helpers import check_text, shared_dir

ROOT = Path(__file__).resolve().parent.parent
NEEDING = [rule for rule in all_rules() if rule.needs is not None]


def _files() -> list[Path]:
    folders = [ROOT / "fixtures"]
    shared = shared_dir()
    if shared is not None:
        folders.append(shared / "corpus")
    return sorted(
        path for folder in folders for path in folder.rglob("*") if path.suffix in (".yaml", ".yml")
    )


def test_the_pull_secret_rules_declare_it():
    assert sorted(rule.name for rule in NEEDING) == [
        "pull-secret-malformed",
        "pull-secret-not-found",
        "pull-secret-registry-mismatch",
        "pull-secret-wrong-namespace",
        "pull-secret-wrong-type",
        "static-ecr-token",
        "unused-pull-secret",
    ]
    assert all(rule.scope == "run" and rule.needs in NEEDS for rule in NEEDING)


def test_no_rule_reports_on_a_run_without_what_it_needs():
    engine = Engine(Settings(), [rule for rule in all_rules() if not rule.online])
    settings = Settings(options={"require-secrets": True})
    without, with_ = 0, 0
    for path in _files():
        result = engine.check_file(SourceRef(str(path), str(path)))
        run = RunIndex()
        run.add(result.images, result.service_accounts, result.secrets)
        if run.holds(PULL_SECRETS):
            with_ += 1
            continue
        without += 1
        for rule in NEEDING:
            assert rule.run_check is not None
            for run_settings in (Settings(), settings):
                said = list(rule.run_check(run, run_settings))
                assert said == [], (rule.name, str(path), said)
    least = 100 if shared_dir() is not None else 10  # the corpus, or the fixtures alone
    assert without > least and with_ > 3, (without, with_)


def test_a_run_holds_pull_secrets_through_a_pod_an_account_or_a_secret():
    pod = check_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
        "  imagePullSecrets: [{name: gone}]\n  containers: [{name: c, image: ghcr.io/a/b:1}]\n"
    )
    assert [f.rule for f in pod.findings] == ["pull-secret-not-found"] or any(
        "imagePullSecrets names were not looked up" in note for note in pod.notes
    )
    account = check_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default}\n"
        "imagePullSecrets: [{name: gone}]\n"
    )
    assert any("imagePullSecrets names were not looked up" in note for note in account.notes)
    secret = check_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/dockerconfigjson\n"
        "data: {.dockerconfigjson: bm90IGpzb24=}\n"
    )
    assert "pull-secret-malformed" in [f.rule for f in secret.findings]


@pytest.mark.parametrize("with_secret", [False, True])
def test_a_one_file_run_imports_the_pull_secret_rules_only_when_it_names_a_secret(
    tmp_path, with_secret
):
    manifest = tmp_path / "pod.yaml"
    pull = "  imagePullSecrets: [{name: regcred}]\n" if with_secret else ""
    manifest.write_text(
        f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{pull}"
        "  containers: [{name: c, image: ghcr.io/a/b:1}]\n"
    )
    modules = sorted(f"imagelint.rules.{rule.name.replace('-', '_')}" for rule in NEEDING)
    code = (
        "import sys; from imagelint.cli import main; main(['check', sys.argv[1]]); "
        f"print(sorted(m for m in sys.modules if m in {modules!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(manifest)], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.stdout.splitlines()[-1] == (str(modules) if with_secret else "[]")
