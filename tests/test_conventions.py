"""What a ruff or yamllint user expects (issue 20): the bugs it found, and the conventions.

Anchored globs, standard input by name, comma-separated rule lists, NAMESPACE/NAME pull secrets,
JUnit cases, the starter; .gitignore (in a real ``git init`` work tree, through a real
process), FORCE_COLOR, --quiet/--silent, --show-files, --output-format (alias, full, concise),
the user-level configuration and $IMAGELINT_CONFIG, rules as JSON, JSON fingerprints.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from imagelint.cli import cli
from imagelint.cli.output import use_color
from imagelint.core.options import OPTIONS
from imagelint.data import read_text
from tests.helpers import FIXTURES, ROOT

BAD_POD = (
    "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
    "    - name: c\n      image: Nginx:1\n"
)
LATEST_POD = BAD_POD.replace("Nginx:1", "nginx:latest")
UNTAGGED_POD = BAD_POD.replace("Nginx:1", "nginx")
SECRET_POD = BAD_POD.replace("Nginx:1", "registry.acme.io/app:1") + (
    "  imagePullSecrets:\n    - name: regcred\n"
)


def run(args: list[str], input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, args, input=input, env=env, catch_exceptions=False)


def paths_reported(result: Result) -> list[str]:
    return sorted({finding["path"] for finding in json.loads(result.stdout)["findings"]})


def rules_reported(result: Result) -> list[str]:
    return sorted({finding["rule"] for finding in json.loads(result.stdout)["findings"]})


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# -- Bugs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["regcred", "a/b/c", "shop/"])
def test_external_secret_without_namespace_is_refused(tmp_path, monkeypatch, value):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pod.yaml", SECRET_POD)
    result = run(["check", "--external-secret", value, "pod.yaml"])
    assert result.exit_code == 2
    assert "NAMESPACE/NAME" in result.stderr and repr(value) in result.stderr


def test_external_secrets_without_namespace_in_the_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pod.yaml", SECRET_POD)
    write(tmp_path / ".imagelint.yaml", "external-secrets: [regcred]\n")
    result = run(["check", "pod.yaml"])
    assert result.exit_code == 2
    assert ".imagelint.yaml:1: external-secrets.0:" in result.stderr
    assert "NAMESPACE/NAME" in result.stderr


def test_external_secret_with_a_namespace_glob_is_found(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pod.yaml", SECRET_POD)
    for args in (["--external-secret", "*/regcred"], ["--external-secret", "default/regcred"]):
        result = run(["check", "--format", "json", *args, "pod.yaml"])
        assert "pull-secret-not-found" not in rules_reported(result), args


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose configuration excludes chart templates and ignores latest-tag in apps/."""
    root = tmp_path / "project"
    write(
        root / ".imagelint.yaml",
        'exclude: ["charts/*/templates"]\nper-file-ignores: {"apps/*": [latest-tag]}\n',
    )
    write(root / "charts" / "web" / "templates" / "pod.yaml", BAD_POD)
    write(root / "apps" / "latest.yaml", LATEST_POD)
    write(root / "other" / "latest.yaml", LATEST_POD)
    return root


@pytest.mark.parametrize(
    ("where", "target", "shown"),
    [
        (".", ".", "other/latest.yaml"),
        (".", "{root}", "{root}/other/latest.yaml"),
        ("apps", "..", "../other/latest.yaml"),
        ("apps", "{root}", "{root}/other/latest.yaml"),
        ("other", ".", "latest.yaml"),
    ],
)
def test_globs_of_the_file_are_relative_to_its_folder(project, monkeypatch, where, target, shown):
    monkeypatch.chdir(project / where)
    root = str(project)
    result = run(["check", "--format", "json", target.format(root=root)])
    # Only other/latest.yaml: the chart's templates are excluded, apps/ ignores latest-tag.
    assert paths_reported(result) == [shown.format(root=root)]


def test_per_file_ignores_apply_from_a_subfolder(project, monkeypatch):
    monkeypatch.chdir(project / "apps")
    result = run(["check", "--format", "json", "."])
    assert result.exit_code == 0, result.stdout


def test_command_line_exclude_is_relative_to_the_current_directory(project, monkeypatch):
    monkeypatch.chdir(project)
    result = run(["check", "--format", "json", "--exclude", "other/*", str(project)])
    assert result.exit_code == 0, result.stdout
    monkeypatch.chdir(project / "apps")  # 'other/*' here is apps/other: nothing
    result = run(["check", "--format", "json", "--exclude", "other/*", ".."])
    assert paths_reported(result) == ["../other/latest.yaml"]


def test_globs_of_a_config_named_elsewhere_follow_its_folder(project, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    args = ["check", "--format", "json", "--config", str(project / ".imagelint.yaml")]
    result = run([*args, str(project)])
    assert paths_reported(result) == [f"{project}/other/latest.yaml"]


def test_stdin_filename_without_a_path_reads_standard_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "elsewhere.yaml", LATEST_POD)  # '.' would find this one
    result = run(["check", "--stdin-filename", "shop.yaml"], input=BAD_POD)
    assert result.exit_code == 1
    assert result.stdout.startswith("shop.yaml:7:14: IL102 ")
    assert "elsewhere.yaml" not in result.output


@pytest.mark.parametrize(
    ("args", "rules"),
    [
        (["--select", "latest-tag,missing-tag"], ["latest-tag", "missing-tag"]),
        (["--select", "IL104, IL105"], ["latest-tag", "missing-tag"]),
        (["--select", "IL102,IL104,IL105", "--ignore", "latest-tag,IL102"], ["missing-tag"]),
        (
            ["--select", "IL102,IL104", "--extend-select", "IL105,IL107"],
            ["latest-tag", "missing-tag", "uppercase-repository"],
        ),
    ],
)
def test_rule_flags_take_comma_separated_lists(tmp_path, monkeypatch, args, rules):
    monkeypatch.chdir(tmp_path)
    for name, text in (("a", BAD_POD), ("b", LATEST_POD), ("c", UNTAGGED_POD)):
        write(tmp_path / f"{name}.yaml", text)
    result = run(["check", "--format", "json", *args, "."])
    assert rules_reported(result) == rules


def test_an_unknown_rule_in_a_comma_list_is_named_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(["check", "--select", "latest-tag,no-such-rule", "."])
    assert result.exit_code == 2
    assert "'no-such-rule'" in result.stderr and "latest-tag," not in result.stderr


def test_junit_has_one_failure_per_test_case_over_the_fixtures():
    junit = run(["check", "--format", "junit", str(FIXTURES)])
    listed = run(["check", "--format", "json", str(FIXTURES)])
    suite = ET.fromstring(junit.stdout.encode()).find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert all(len(case.findall("failure")) <= 1 for case in cases)
    findings = json.loads(listed.stdout)["findings"]
    assert sum(len(case.findall("failure")) for case in cases) == len(findings) > 20
    assert suite.get("failures") == str(len(findings))


def test_init_writes_every_key_and_no_placeholder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(["init"]).exit_code == 0
    text = (tmp_path / ".imagelint.yaml").read_text()
    assert text == read_text("starter.imagelint.yaml")
    assert "https://" not in text and "docs:" not in text
    for option in OPTIONS:
        assert re.search(rf"^(# )?{re.escape(option.name)}:", text, re.M), option.name
    assert run(["config"]).exit_code == 0


def test_readme_says_which_flags_add_and_which_replace():
    readme = (ROOT / "README.md").read_text()
    assert "Lists given on the command line\nadd to the file's lists" not in readme
    assert "`--select` replaces the file's\n`select`" in readme
    adding = [o.flag.name for o in OPTIONS if o.flag is not None and o.flag.adds]
    section = readme.split("## Configuration", 1)[1].split("| key |", 1)[0]
    for flag in adding:
        assert f"`{flag}`" in section, flag
    helm = re.findall(r"helm template shop \S+ .*--stdin-filename (\S+)", readme)
    assert helm and set(helm) == {"shop.yaml"}


# -- .gitignore, in a real work tree and a real process --------------------------------------


@pytest.fixture
def work_tree(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    write(root / ".gitignore", "build/\n*.gen.yaml\n")
    write(root / ".git" / "info" / "exclude", "local.yaml\n")
    write(root / "sub" / ".gitignore", "skipme.yaml\n")
    for name in ("app.yaml", "build/out.yaml", "app.gen.yaml", "local.yaml", "sub/skipme.yaml"):
        write(root / name, BAD_POD)
    write(root / "sub" / "kept.yaml", BAD_POD)
    write(root / ".hidden.yaml", BAD_POD)
    return root


def imagelint(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imagelint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def json_paths(done: subprocess.CompletedProcess[str]) -> list[str]:
    return sorted({finding["path"] for finding in json.loads(done.stdout)["findings"]})


def test_a_walk_skips_what_git_ignores(work_tree):
    done = imagelint(["check", "--format", "json", "."], work_tree)
    assert json_paths(done) == ["app.yaml", "sub/kept.yaml"], done.stderr
    done = imagelint(["check", "--format", "json", str(work_tree / "sub")], work_tree.parent)
    assert json_paths(done) == [f"{work_tree}/sub/kept.yaml"]


def test_no_respect_gitignore_reads_everything(work_tree):
    everything = ["app.gen.yaml", "app.yaml", "build/out.yaml", "local.yaml", "sub/kept.yaml"]
    done = imagelint(["check", "--format", "json", "--no-respect-gitignore", "."], work_tree)
    assert json_paths(done) == sorted([*everything, "sub/skipme.yaml"])
    write(work_tree / ".imagelint.yaml", "respect-gitignore: false\n")
    done = imagelint(["check", "--format", "json", "."], work_tree)
    assert json_paths(done) == sorted([*everything, "sub/skipme.yaml"])
    done = imagelint(["check", "--format", "json", "--respect-gitignore", "."], work_tree)
    assert json_paths(done) == ["app.yaml", "sub/kept.yaml"]


def test_what_is_named_is_read_even_if_ignored(work_tree):
    done = imagelint(["check", "--format", "json", "build/out.yaml", "local.yaml"], work_tree)
    assert json_paths(done) == ["build/out.yaml", "local.yaml"]
    done = imagelint(["check", "--format", "json", "build"], work_tree)  # an ignored folder
    assert json_paths(done) == ["build/out.yaml"]


def test_gitignore_outside_a_work_tree_is_not_read(work_tree):
    shutil.rmtree(work_tree / ".git")
    done = imagelint(["check", "--format", "json", "."], work_tree)
    assert "build/out.yaml" in json_paths(done)


def test_show_files_lists_what_is_read_and_why_the_rest_is_not(work_tree):
    write(work_tree / ".imagelint.yaml", "exclude: [sub/kept.yaml]\n")
    done = imagelint(["check", "--show-files", "."], work_tree)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "app.yaml"
    assert ".hidden.yaml  (skipped: hidden)" in lines
    assert ".git/  (skipped: hidden)" in lines
    assert "build/  (skipped: ignored by git (.gitignore, .git/info/exclude))" in lines
    assert "app.gen.yaml  (skipped: ignored by git (.gitignore, .git/info/exclude))" in lines
    assert "local.yaml  (skipped: ignored by git (.gitignore, .git/info/exclude))" in lines
    assert "sub/kept.yaml  (skipped: excluded by 'sub/kept.yaml')" in lines
    assert "sub/skipme.yaml  (skipped: ignored by git (.gitignore, .git/info/exclude))" in lines
    assert not any("IL102" in line for line in lines)


# -- Colours, quiet, silent, formats ---------------------------------------------------------


@pytest.fixture
def bad(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write(tmp_path / "bad.yaml", BAD_POD)


@pytest.mark.parametrize(
    ("env", "flag", "colored"),
    [
        ({"FORCE_COLOR": "1"}, [], True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, [], True),
        ({"FORCE_COLOR": ""}, [], False),
        ({"NO_COLOR": "1"}, [], False),
        ({"FORCE_COLOR": "1"}, ["--color", "never"], False),
        ({}, ["--color", "always"], True),
    ],
)
def test_force_color(bad, env, flag, colored):
    result = run(["check", *flag, "bad.yaml"], env=env)
    assert ("\x1b[" in result.stdout) is colored


def test_use_color_order(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert use_color("auto", False) is True
    monkeypatch.setenv("FORCE_COLOR", "")
    assert use_color("auto", True) is True and use_color("auto", False) is False


def test_quiet_prints_the_findings_only(bad, tmp_path):
    result = run(["check", "--quiet", "bad.yaml"])
    assert result.exit_code == 1
    (only,) = result.stdout.splitlines()
    assert only.startswith("bad.yaml:7:14: IL102 ") and result.stderr == ""
    write(tmp_path / "empty" / "notes.txt", "")
    quiet = run(["check", "-q", "empty"])
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    assert "no manifest files" in run(["check", "empty"]).stderr


def test_silent_prints_nothing_but_writes_outputs(bad, tmp_path):
    result = run(["check", "--silent", "--statistics", "bad.yaml"])
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "")
    result = run(["check", "-s", "--format", "json", "--output", "out.json", "bad.yaml"])
    assert (result.exit_code, result.output) == (1, "")
    assert json.loads((tmp_path / "out.json").read_text())["findings"]


def test_output_format_is_an_alias_of_format(bad):
    assert json.loads(run(["check", "--output-format", "json", "bad.yaml"]).stdout)["findings"]
    concise = run(["check", "--output-format", "concise", "bad.yaml"]).stdout
    assert concise == run(["check", "bad.yaml"]).stdout
    env = run(["check", "bad.yaml"], env={"IMAGELINT_FORMAT": "full"}).stdout
    assert "^" in env


def test_full_puts_a_caret_under_the_column(bad):
    result = run(["check", "--output-format", "full", "bad.yaml"])
    lines = result.stdout.splitlines()
    assert lines[0].startswith("bad.yaml:7:14: IL102 ")
    assert lines[1:5] == ["  |", "7 |       image: Nginx:1", "  |              ^", "  |"]
    assert lines[2].index("N") == lines[3].index("^")
    assert lines[-1].startswith("1 error in 1 of 1 file")


def test_full_shows_standard_input_too(bad):
    result = run(["check", "--output-format", "full", "-", "--stdin-filename", "x.yaml"], BAD_POD)
    assert "7 |       image: Nginx:1" in result.stdout


def test_full_without_the_file_shows_the_finding_alone(tmp_path):
    from imagelint.core.model import Finding, Severity
    from imagelint.reporting.formatters import full
    from imagelint.running.results import Report

    report = Report()
    report.findings = [
        Finding("latest-tag", "IL104", Severity.WARNING, str(tmp_path / "gone.yaml"), 3, 2, "m")
    ]
    text = full.render(report, summary=False)
    assert text == f"{tmp_path}/gone.yaml:3:2: IL104 m [latest-tag]\n\n"


# -- The user-level configuration and $IMAGELINT_CONFIG --------------------------------------


@pytest.fixture
def xdg(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    write(home / "imagelint" / "config.yaml", "fail-on: never\n")
    return home


def test_user_level_config_when_no_project_file(bad, xdg):
    assert run(["check", "bad.yaml"]).exit_code == 0
    shown = run(["config"]).stdout
    assert "xdg/imagelint/config.yaml:1" in shown  # shown relative to the current directory
    assert run(["check", "--isolated", "bad.yaml"]).exit_code == 1


def test_a_project_file_wins_over_the_user_level_one(bad, xdg, tmp_path):
    write(tmp_path / ".imagelint.yaml", "fail-on: error\n")
    assert run(["check", "bad.yaml"]).exit_code == 1


def test_imagelint_config_comes_before_the_user_level_file(bad, xdg, tmp_path):
    named = write(tmp_path / "conf" / "mine.yaml", "fail-on: error\n")
    assert run(["check", "bad.yaml"], env={"IMAGELINT_CONFIG": str(named)}).exit_code == 1
    shown = run(["config"], env={"IMAGELINT_CONFIG": str(named)}).stdout
    assert "mine.yaml:1" in shown and "xdg" not in shown
    missing = run(["check", "bad.yaml"], env={"IMAGELINT_CONFIG": str(tmp_path / "no.yaml")})
    assert missing.exit_code == 2 and "IMAGELINT_CONFIG" in missing.stderr


def test_user_level_globs_follow_the_current_directory(tmp_path, monkeypatch, xdg):
    write(xdg / "imagelint" / "config.yaml", "exclude: [vendor/*]\nfail-on: warning\n")
    write(tmp_path / "a" / "vendor" / "bad.yaml", BAD_POD)
    write(tmp_path / "b" / "vendor" / "bad.yaml", BAD_POD)
    monkeypatch.chdir(tmp_path / "a")
    assert run(["check", "."]).exit_code == 0
    assert run(["check", "../b"]).exit_code == 1


# -- Data for tools ---------------------------------------------------------------------------


def test_rules_as_json():
    from imagelint.core.rulebook import all_rules

    document = json.loads(run(["rules", "--format", "json"]).stdout)
    assert [rule["name"] for rule in document["rules"]] == [rule.name for rule in all_rules()]
    not_found = next(rule for rule in document["rules"] if rule["code"] == "IL201")
    assert not_found["options"]["external-secrets"] == [] and "## Fix" in not_found["doc"]


def test_json_findings_carry_the_baseline_fingerprint(bad, tmp_path):
    result = run(["check", "--format", "json", "--write-baseline", "base.json", "bad.yaml"])
    (finding,) = json.loads(result.stdout)["findings"]
    assert re.fullmatch(r"[0-9a-f]{32}", finding["fingerprint"])
    assert finding["fingerprint"] in (tmp_path / "base.json").read_text()


def test_statistics_most_first(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", BAD_POD)
    write(tmp_path / "b.yaml", LATEST_POD)
    write(tmp_path / "c.yaml", LATEST_POD.replace("name: p", "name: q"))
    counts = run(["check", "-q", "--statistics", "."]).stdout.splitlines()[-2:]
    assert [line.split()[:2] for line in counts] == [["2", "IL104"], ["1", "IL102"]]


def test_readme_documents_module_version_completion_and_scope():
    readme = (ROOT / "README.md").read_text()
    for text in ("python -m imagelint", "imagelint --version", "_IMAGELINT_COMPLETE", "### Scope"):
        assert text in readme, text
    done = subprocess.run(
        [sys.executable, "-m", "imagelint", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("imagelint, version ")
    env = {**os.environ, "_IMAGELINT_COMPLETE": "bash_source"}
    done = subprocess.run(
        [sys.executable, "-m", "imagelint"], capture_output=True, text=True, env=env, check=False
    )
    assert "complete" in done.stdout
