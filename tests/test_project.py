"""The project's promises about itself: README commands, CI, package layout."""

from __future__ import annotations

import re
import subprocess

from tests.helpers import ROOT

README = (ROOT / "README.md").read_text()


def _commands() -> list[str]:
    return re.findall(r"^    (python3 -m venv .+)$", README, re.MULTILINE)


def test_readme_starts_with_the_two_commands():
    head = README.split("## ", 1)[0]
    install_and_run, test = _commands()[:2]
    assert install_and_run in head and test in head
    assert install_and_run.endswith("imagelint check fixtures/")
    assert "pytest" in test


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert _commands()[1] in ci


def test_no_code_imports_the_source_folders_by_their_own_names():
    offenders = subprocess.run(
        [
            "grep",
            "-rnE",
            r"^\s*(from|import) (rules|linter)\b",
            "linter",
            "rules",
            "tests",
            "bench",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    assert offenders == ""


def test_every_rule_is_in_the_readme_table():
    from imagelint.core.rulebook import all_rules

    for rule in all_rules():
        assert f"| {rule.code} | `{rule.name}` | {rule.severity.label} |" in README


def test_readme_examples_are_the_real_output(monkeypatch):
    import json

    from click.testing import CliRunner

    from imagelint.cli import cli

    monkeypatch.chdir(ROOT)
    text = CliRunner().invoke(cli, ["check", "fixtures/helm-rendered.yaml"]).output
    assert "\n".join("    " + line for line in text.splitlines()) in README
    shown = json.loads(README.split("```json\n", 1)[1].split("```", 1)[0])
    real = json.loads(
        CliRunner().invoke(cli, ["check", "--format", "json", "fixtures/helm-rendered.yaml"]).stdout
    )
    assert shown == real


def test_readme_documents_every_config_key_and_format():
    from imagelint.configuration.schemas import load
    from imagelint.reporting.formatters import FORMATS

    for key in load("config.schema.json")["properties"]:
        assert f"`{key}`" in README, key
    for name in FORMATS:
        assert f"| `{name}` |" in README, name


def test_pre_commit_hooks_file():
    from ruamel.yaml import YAML

    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {hook["id"]: hook for hook in hooks}
    assert by_id["imagelint"]["types_or"] == ["yaml", "json"]
    assert "--online" not in by_id["imagelint"]["entry"]
    assert "--online" in by_id["imagelint-online"]["entry"]
    assert by_id["imagelint-online"]["require_serial"] is True


def test_every_package_folder_is_installed():
    """A folder of modules missing from [tool.setuptools] packages works in the checkout and
    breaks every installed copy (pip install ., pre-commit)."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {
        path.parent.relative_to(ROOT).as_posix()
        for top in ("linter", "rules")
        for path in (ROOT / top).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    # As setuptools maps them: a folder under a mapped folder is a subpackage of its package.
    roots = sorted(
        ((folder, package) for package, folder in setuptools["package-dir"].items()),
        key=lambda pair: -len(pair[0]),
    )

    def package_of(folder: str) -> str:
        for root, package in roots:
            if folder == root or folder.startswith(root + "/"):
                rest = folder[len(root) :].strip("/")
                return package + ("." + rest.replace("/", ".") if rest else "")
        raise AssertionError(f"{folder} is under no package-dir entry")

    missing = {package_of(folder) for folder in folders} - set(setuptools["packages"])
    assert not missing
