"""The command line: exit codes, formats, inputs, and the rule listings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from imagelint.cli import cli, main
from tests.helpers import FIXTURES, ROOT

BAD_POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: Nginx:1\n"
GOOD_POD = BAD_POD.replace("Nginx:1", "nginx:1")
INFO_ONLY = GOOD_POD.replace("image: nginx:1", "image: nginx:0\n      image: nginx:1")


def run(args, input=None, env=None):
    return CliRunner().invoke(cli, args, input=input, env=env, catch_exceptions=False)


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text(BAD_POD)
    (tmp_path / "good.yaml").write_text(GOOD_POD)
    (tmp_path / "info.yaml").write_text(INFO_ONLY)
    return tmp_path


def test_text_output_and_exit_1(files):
    result = run(["check", "bad.yaml", "good.yaml"])
    assert result.exit_code == 1
    assert result.output == (
        'bad.yaml:7:14: IL102 image "Nginx:1": the repository path "Nginx" has capital '
        'letters, which no registry accepts; use "nginx:1" [uppercase-repository]\n'
        "1 error in 1 of 2 files (2 objects, 2 images checked).\n"
    )


def test_clean_exit_0(files):
    result = run(["check", "good.yaml"])
    assert (result.exit_code, result.output) == (
        0,
        "No problems found in 1 file (1 object, 1 image checked).\n",
    )


def test_fail_on_and_exit_zero(files):
    assert run(["check", "info.yaml"]).exit_code == 0  # info is below the default threshold
    assert run(["check", "info.yaml", "--fail-on", "info"]).exit_code == 1
    assert run(["check", "bad.yaml", "--fail-on", "never"]).exit_code == 0
    assert run(["check", "bad.yaml", "--exit-zero"]).exit_code == 0


def test_json_format(files):
    result = run(["check", "--format", "json", "bad.yaml", "info.yaml"])
    document = json.loads(result.stdout)
    assert document["version"] == 1
    assert document["summary"] == {
        "files": 2,
        "files_with_findings": 2,
        "objects": 2,
        "images": 2,
        "errors": 1,
        "warnings": 0,
        "info": 1,
        "notes": [],
    }
    first = document["findings"][0]
    assert len(first.pop("fingerprint")) == 32  # as baselines compute it (issue 20)
    assert first == {
        "rule": "uppercase-repository",
        "code": "IL102",
        "severity": "error",
        "path": "bad.yaml",
        "line": 7,
        "column": 14,
        "message": 'image "Nginx:1": the repository path "Nginx" has capital letters, which no registry accepts; use "nginx:1"',
        "object": {"apiVersion": "v1", "kind": "Pod", "namespace": "default", "name": "p"},
        "container": "c",
        "image": "Nginx:1",
        "field": "spec.containers[0].image",
        "source": None,
        "via": [],
    }


def test_stdin_with_name_and_namespace():
    helm = "---\n# Source: c/templates/p.yaml\n" + BAD_POD
    result = run(
        [
            "check",
            "-",
            "--stdin-filename",
            "rendered.yaml",
            "--namespace",
            "prod",
            "--format",
            "json",
        ],
        input=helm,
    )
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["path"], finding["line"], finding["source"]) == (
        "rendered.yaml",
        9,
        "c/templates/p.yaml",
    )
    assert finding["object"]["namespace"] == "prod"
    text = run(["check", "-"], input=helm).output
    assert text.startswith("<stdin>:9:14: IL102") and "(from c/templates/p.yaml)" in text


def test_missing_path_is_a_usage_error(files):
    result = CliRunner().invoke(cli, ["check", "bad.yaml", "nope/"])
    assert result.exit_code == 2
    assert "no such file or directory: nope/" in result.output


def test_empty_directory(files):
    os.mkdir("empty")
    result = CliRunner().invoke(cli, ["check", "empty"])
    assert result.exit_code == 0
    assert "no manifest files (*.yaml, *.yml, *.json) found in empty" in result.stderr
    assert CliRunner().invoke(cli, ["check", "empty", "--fail-if-empty"]).exit_code == 1


def test_files_without_objects(files):
    (files / "values.yaml").write_text("replicaCount: 1\n")
    result = CliRunner().invoke(cli, ["check", "values.yaml"])
    assert result.exit_code == 0
    assert "no Kubernetes objects found in 1 file(s)" in result.stderr


def test_bad_option_is_exit_2(files):
    assert CliRunner().invoke(cli, ["check", "--format", "xml", "bad.yaml"]).exit_code == 2
    assert CliRunner().invoke(cli, ["check", "--fail-on", "fatal"]).exit_code == 2


def test_color_only_when_asked(files):
    plain = run(["check", "bad.yaml"]).output
    colored = run(["check", "bad.yaml", "--color", "always"]).output
    assert "\x1b[" not in plain and "\x1b[31mIL102\x1b[0m" in colored


def test_internal_error_is_exit_2_without_traceback(files, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("imagelint.running.engine.Engine._check_loaded", explode)
    result = CliRunner().invoke(cli, ["check", "bad.yaml", "good.yaml"])
    assert result.exit_code == 2
    assert "internal error while checking bad.yaml: RuntimeError: boom" in result.stderr
    assert "internal error while checking good.yaml" in result.stderr  # the run went on
    assert "Traceback" not in result.output


def test_unexpected_error_outside_the_engine(monkeypatch, capsys):
    monkeypatch.setattr("imagelint.reading.sources.discover", lambda *a, **k: 1 / 0)
    assert main(["check", "x"]) == 2
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError" in err and "Traceback" not in err


def test_rules_listing():
    lines = run(["rules"]).output.splitlines()
    assert [line.split()[:3] for line in lines][:1] == [["IL001", "yaml-syntax", "error"]]
    [line] = [line for line in lines if line.startswith("IL101 ")]
    assert line.split(None, 4) == [
        "IL101",
        "invalid-reference",
        "error",
        "safe",  # its fix
        "The image is missing or is not a valid image reference.",
    ]
    [line] = [line for line in lines if line.startswith("IL104 ")]
    assert line.split()[3] == "-"  # latest-tag has no fix


@pytest.mark.parametrize("name", ["invalid-reference", "IL101", "il101"])
def test_rule_documentation(name):
    output = run(["rule", name]).output
    assert output.startswith("# invalid-reference (IL101)\n\nDefault severity: error.")
    assert "## Why it breaks a pull" in output


def test_unknown_rule():
    result = CliRunner().invoke(cli, ["rule", "no-such-rule"])
    assert result.exit_code == 2 and "unknown rule 'no-such-rule'" in result.output


def test_python_dash_m_and_console_script():
    result = subprocess.run(
        [sys.executable, "-m", "imagelint", "check", "--format", "json", str(FIXTURES)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["summary"]["errors"] > 10
    version = subprocess.run(
        [sys.executable, "-m", "imagelint", "--version"], capture_output=True, text=True
    )
    assert version.stdout.startswith("imagelint, version ")


def test_several_formats_and_outputs(files):
    result = run(
        ["check", "bad.yaml", "--format", "sarif", "--output", "out.sarif", "--format", "text"]
    )
    assert result.exit_code == 1
    assert result.stdout.startswith("bad.yaml:7:14: IL102")
    assert json.loads((files / "out.sarif").read_text())["version"] == "2.1.0"


def test_format_from_the_environment(files):
    result = run(["check", "bad.yaml"], env={"IMAGELINT_FORMAT": "github"})
    assert result.stdout.startswith("::error file=bad.yaml,line=7,col=14,")
    bad = CliRunner().invoke(cli, ["check", "bad.yaml"], env={"IMAGELINT_FORMAT": "xml"})
    assert bad.exit_code == 2 and "$IMAGELINT_FORMAT='xml' is not one of" in bad.output


def test_output_pairing_mistakes(files):
    two = CliRunner().invoke(cli, ["check", "bad.yaml", "--format", "json", "--format", "text"])
    assert two.exit_code == 2 and "only one --format can go to standard output" in two.output
    extra = CliRunner().invoke(cli, ["check", "bad.yaml", "--output", "a", "--output", "b"])
    assert extra.exit_code == 2 and "more --output than --format" in extra.output
    unwritable = CliRunner().invoke(
        cli, ["check", "bad.yaml", "--format", "json", "--output", str(files)]
    )
    assert unwritable.exit_code == 2 and "cannot write" in unwritable.output


def test_statistics(files):
    result = run(["check", "bad.yaml", "info.yaml", "--statistics"])
    assert result.stdout.endswith(
        "     1  IL005  duplicate-key\n     1  IL102  uppercase-repository\n"
    )
    machine = run(["check", "bad.yaml", "--statistics", "--format", "json"])
    assert json.loads(machine.stdout)["summary"]["errors"] == 1
    assert "     1  IL102  uppercase-repository" in machine.stderr


def test_the_command_exits_with_mains_code_without_the_interpreters_teardown(monkeypatch):
    """The installed command flushes what it wrote and ends the process with main's code,
    without the teardown that frees every record of a large run one by one (and, before
    that, ran a last collection over them: 0.65 s after 10,000 files)."""
    from imagelint import cli as cli_module

    class Exited(Exception):
        pass

    flushed = []

    def exit_(code: int) -> None:
        raise Exited(code)

    monkeypatch.setattr(cli_module, "main", lambda: 1)
    monkeypatch.setattr(cli_module.os, "_exit", exit_)
    monkeypatch.setattr(sys.stdout, "flush", lambda: flushed.append("out"), raising=False)
    monkeypatch.setattr(sys.stderr, "flush", lambda: flushed.append("err"), raising=False)
    with pytest.raises(Exited) as exited:
        cli_module.script()
    assert exited.value.args == (1,)
    assert flushed == ["out", "err"]


def test_python_dash_m_and_the_installed_command_give_the_same_exit_codes(tmp_path):
    (tmp_path / "bad.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        "spec: {containers: [{name: c, image: 'nginx:latest'}]}\n"
    )
    (tmp_path / "good.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    script = os.path.join(os.path.dirname(sys.executable), "imagelint")
    for target, code in (("bad.yaml", 1), ("good.yaml", 0), ("missing.yaml", 2)):
        commands = [[sys.executable, "-m", "imagelint"]]
        if os.path.exists(script):
            commands.append([script])
        for command in commands:
            done = subprocess.run(
                [*command, "check", "--isolated", target], cwd=tmp_path, capture_output=True
            )
            assert done.returncode == code, (command, target, done.stderr)


def test_check_has_a_flag_for_every_declared_option_in_the_help_order():
    from imagelint.cli.flags import CHECK_ORDER, COMMAND_LINE
    from imagelint.core.options import OPTIONS

    flagged = [option.name for option in (*OPTIONS, *COMMAND_LINE) if option.flag is not None]
    assert sorted(CHECK_ORDER) == sorted(flagged)
    params = {param.name: param for param in cli.commands["check"].params}
    for option in (*OPTIONS, *COMMAND_LINE):
        if option.flag is not None:
            param = params[option.flag.parameter]
            assert option.flag.name in param.opts and param.help == option.flag.help
            assert param.multiple == option.kind.many and param.is_flag == option.kind.switch


def test_flags_given_replace_or_add_to_the_configuration_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".imagelint.yaml").write_text("exclude: [a]\nplatforms: [linux/arm64]\n")
    from imagelint.cli.flags import effective

    opts = {"config_path": None, "isolated": False, "exclude": ("b",), "platform": ("x/y",)}
    in_effect = effective(opts)
    assert in_effect["exclude"] == ["a", "b"]
    assert in_effect.origins["exclude"] == ".imagelint.yaml:1 and --exclude"
    assert in_effect["platforms"] == ["x/y"] and in_effect.origins["platforms"] == "--platform"
