"""What a one-file ``imagelint check`` leaves unimported (the tree checker, the ``diagnose``
command, the kinds' families, fixing, ``--show-files``, validating a configuration file), and
that ``diagnose``, registered by name, still behaves as a command: listed by help, run,
described, suggested for a typo."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from imagelint.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "clean" / "valid-references.yaml"
NOT_IMPORTED = [
    "imagelint.cli.diagnose",
    "imagelint.cli.fixflow",
    "imagelint.cli.ruleinfo",
    "imagelint.cli.showfiles",
    "imagelint.configuration.cachedir",
    "imagelint.configuration.configschema",
    "imagelint.configuration.flagvalues",
    "imagelint.reading.gitignore",
    "imagelint.running.fixes",
    "imagelint.cluster",
    "imagelint.running.treecheck",
    "imagelint.trees.built",
    "imagelint.trees.origins",
    "imagelint.kube.kinds.argo",
    "imagelint.kube.kinds.batch",
    "imagelint.kube.kinds.data",
    "imagelint.kube.kinds.platform",
    "imagelint.kube.kinds.tekton",
]


def test_a_one_file_check_imports_neither_trees_nor_diagnose_nor_families(tmp_path):
    code = (
        "import sys; from imagelint.cli import main; code = main(['check', sys.argv[1]]); "
        f"print(code, sorted(m for m in sys.modules if m in {NOT_IMPORTED!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(FIXTURE)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert done.stdout.splitlines()[-1] == "0 []"


def test_help_lists_diagnose():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "  diagnose  Explain failing image pulls" in result.output


def test_diagnose_describes_and_runs():
    runner = CliRunner()
    result = runner.invoke(cli, ["diagnose", "--help"])
    assert result.exit_code == 0
    assert result.output.startswith("Usage: cli diagnose [OPTIONS] [PATHS]...")
    assert "--cluster" in result.output
    result = runner.invoke(cli, ["diagnose"])
    assert result.exit_code == 2
    assert "give the files kubectl wrote" in result.output


def test_a_mistyped_command_is_matched_against_diagnose():
    result = CliRunner().invoke(cli, ["diagnos"])
    assert result.exit_code == 2
    assert "Did you mean 'diagnose'?" in result.output
