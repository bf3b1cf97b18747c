"""Configuration files: discovery, validation with line numbers, every key, config and init."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner

from imagelint.cli import cli
from tests.expectations import expected
from tests.helpers import FIXTURES

POD = (
    "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: shop}}\nspec:\n  containers:\n"
    "    - name: c\n      image: {image}\n"
)


def run(args, cwd=None, monkeypatch=None):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "app.yaml").write_text(POD.format(image="nginx:latest"))
    return tmp_path


def rules_in(output: str) -> list[str]:
    return [f["rule"] for f in json.loads(output)["findings"]]


def test_the_config_folder_fixture(monkeypatch):
    """fixtures/config: allowed registries (and bypass attempts), severity, ignore,
    per-file-ignores and exemptions, checked from the folder as a user would."""
    folder = FIXTURES / "config"
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(cli, ["check", "--format", "json", "."])
    found = json.loads(result.stdout)["findings"]
    for path in [folder / "apps.yaml", folder / "legacy" / "old.yaml"]:
        shown = path.relative_to(folder).as_posix()
        counts, columns = expected(path)
        assert Counter((f["line"], f["rule"]) for f in found if f["path"] == shown) == counts
        for (line, rule), cols in columns.items():
            assert (
                sorted(
                    f["column"]
                    for f in found
                    if (f["path"], f["line"], f["rule"]) == (shown, line, rule)
                )
                == cols
            )
    assert {f["severity"] for f in found if f["rule"] == "latest-tag"} == {"error"}


def test_nearest_config_from_the_working_directory_up(project, monkeypatch):
    (project / ".imagelint.yaml").write_text("ignore: [latest-tag]\n")
    monkeypatch.chdir(project / "sub")
    assert rules_in(run(["check", "--format", "json", "../app.yaml"]).stdout) == []
    (project / "sub" / ".imagelint.yml").write_text("select: [latest-tag]\n")
    assert rules_in(run(["check", "--format", "json", "../app.yaml"]).stdout) == ["latest-tag"]
    assert rules_in(run(["check", "--isolated", "--format", "json", "../app.yaml"]).stdout) == [
        "latest-tag"
    ]


def test_pyproject_section(project):
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.imagelint]\nignore = ["latest-tag"]\n'
    )
    assert rules_in(run(["check", "--format", "json", "app.yaml"]).stdout) == []


def test_explicit_config_overrides_discovery(project):
    (project / ".imagelint.yaml").write_text("ignore: [latest-tag]\n")
    (project / "strict.yaml").write_text("severity: {latest-tag: error}\n")
    result = run(["check", "--config", "strict.yaml", "--format", "json", "app.yaml"])
    assert [f["severity"] for f in json.loads(result.stdout)["findings"]] == ["error"]
    missing = CliRunner().invoke(cli, ["check", "--config", "nope.yaml", "app.yaml"])
    assert missing.exit_code == 2 and "no such configuration file: nope.yaml" in missing.output


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "fail-on: warning\nselct: [ALL]\n",
            ".imagelint.yaml:2: selct: unknown key 'selct'; did you mean 'select'?",
        ),
        (
            "namespace: prod\nexclude: vendor\n",
            ".imagelint.yaml:2: exclude: must be a list, not 'vendor'",
        ),
        (
            "severity:\n  latest-tag: fatal\n",
            ".imagelint.yaml:2: severity.latest-tag: must be one of 'error', 'warning', 'info', not 'fatal'",
        ),
        (
            "ignore:\n  - latest-tag\n  - lastest-tag\n",
            ".imagelint.yaml:3: ignore.1: unknown rule 'lastest-tag'; did you mean 'latest-tag'?",
        ),
        (
            "per-file-ignores:\n  'x/*': [nope]\n",
            ".imagelint.yaml:2: per-file-ignores.x/*.0: unknown rule 'nope'",
        ),
        (
            "exemptions:\n  - kind: Pod\n    colour: red\n",
            ".imagelint.yaml:3: exemptions.0.colour: unknown key 'colour' (known keys: container, image, kind, name, namespace, path, reason, rules)",
        ),
        ("select: [ALL\n", ".imagelint.yaml:2: not valid YAML: did not find expected ',' or ']'"),
        ("- a list\n", ".imagelint.yaml: the configuration must be a mapping of keys to values"),
        ("timeout: 0\n", ".imagelint.yaml:1: timeout: must be more than 0, not 0"),
    ],
)
def test_mistakes_are_usage_errors_naming_file_key_and_line(project, text, message):
    (project / ".imagelint.yaml").write_text(text)
    result = CliRunner().invoke(cli, ["check", "app.yaml"])
    assert result.exit_code == 2
    assert f"Error: configuration error: {message}" in result.output


def test_every_option_key_reaches_the_rules(project):
    (project / ".imagelint.yaml").write_text(
        "namespace: payments\nprivate-registries: [ghcr.io/acme]\nallowed-registries: [ghcr.io]\n"
        "external-secrets: ['payments/vault-*']\nrequire-secrets: true\nfail-on: error\n"
    )
    (project / "app.yaml").write_text(
        POD.format(image="ghcr.io/acme/api:1").replace("namespace: shop", "namespace: payments")
        + "---\n"
        + POD.format(image="quay.io/x/y:1").replace("p, namespace: shop", "q")
    )
    result = run(["check", "--format", "json", "app.yaml"])
    found = {
        (f["rule"], f["object"]["name"], f["object"]["namespace"])
        for f in json.loads(result.stdout)["findings"]
    }
    assert found == {
        ("missing-pull-secret", "p", "payments"),
        ("registry-not-allowed", "q", "payments"),  # no metadata.namespace: the configured one
    }
    assert result.exit_code == 1  # registry-not-allowed is an error; fail-on: error


def test_command_line_lists_add_to_the_file_and_single_values_replace_it(project):
    (project / ".imagelint.yaml").write_text("exclude: [vendor]\nfail-on: never\nnamespace: a\n")
    result = run(["config", "--isolated"])
    assert "fail-on:" in result.output and "# default" in result.output
    result = run(["config"])
    assert '"never"  # .imagelint.yaml:2' in result.output
    assert run(["check", "--exclude", "x", "--fail-on", "warning", "app.yaml"]).exit_code == 1


def test_init_writes_a_valid_commented_starter(project):
    result = run(["init"])
    assert result.output == "wrote .imagelint.yaml\n"
    text = (project / ".imagelint.yaml").read_text()
    assert text.startswith("# imagelint configuration") and "# allowed-registries:" in text
    assert CliRunner().invoke(cli, ["check", "app.yaml"]).exit_code == 1  # it loads and validates
    again = CliRunner().invoke(cli, ["init"])
    assert (
        again.exit_code == 2
        and ".imagelint.yaml exists; use --force to overwrite it" in again.output
    )
    assert run(["init", "--force"]).exit_code == 0


@pytest.mark.parametrize(
    ("config", "flags", "message"),
    [
        ("", ["--timeout", "0"], "--timeout must be a positive number of seconds, not 0.0"),
        ("", ["--platform", "linux"], "platforms: 'linux' is not os/arch[/variant]"),
        (
            "max-image-size: huge\n",
            [],
            ".imagelint.yaml:2: max-image-size: 'huge' is not a valid value (Largest compressed "
            "image size (online checks), e.g. 1GiB.)",
        ),
        ("", ["--ca-file", "missing.pem"], "no such CA file: missing.pem"),
    ],
)
def test_bad_online_settings_are_usage_errors_before_any_request(project, config, flags, message):
    (project / ".imagelint.yaml").write_text("online: true\n" + config)
    result = CliRunner().invoke(cli, ["check", "app.yaml", *flags])
    assert result.exit_code == 2 and message in result.output, result.output


@pytest.mark.parametrize("size", ["ALL", "0GiB", "12t", "1.5 parsecs", 0, -5])
def test_a_bad_image_size_is_a_usage_error_offline_too(project, size):
    """The fuzzers found 'max-image-size: ALL' crashing an offline run (the rule parsed it)."""
    (project / ".imagelint.yaml").write_text(f"max-image-size: {size!r}\n".replace("'", '"'))
    result = CliRunner().invoke(cli, ["check", "app.yaml"])
    assert result.exit_code == 2, result.output
    message = "must be more than 0" if isinstance(size, int) else "is not a valid value"
    assert "max-image-size: " in result.output and message in result.output


@pytest.mark.parametrize("size", ["1GiB", "1.5 GiB", "750Mi", "500MB", "2tb", 1073741824])
def test_good_image_sizes_pass(project, size):
    (project / ".imagelint.yaml").write_text(f"max-image-size: {size!r}\n".replace("'", '"'))
    assert CliRunner().invoke(cli, ["check", "app.yaml"]).exit_code in (0, 1)


def test_a_configuration_validated_once_skips_jsonschema_afterwards(project):
    import os
    import subprocess
    import sys

    (project / ".imagelint.yaml").write_text("# memo test\nignore: [latest-tag]\n")
    probe = (
        "import sys\nfrom imagelint.cli import main\ncode = main(['check', 'app.yaml'])\n"
        "print(code, 'jsonschema' in sys.modules)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            cwd=project,
            env=os.environ,
        )
        for _ in range(2)
    ]
    assert [r.stdout.split()[-2:] for r in runs] == [["0", "True"], ["0", "False"]]
    (project / ".imagelint.yaml").write_text(
        "ignore: [latest-tag]\nfail-on: error\n"
    )  # changed: validated again
    again = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=project, env=os.environ
    )
    assert again.stdout.split()[-1] == "True"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a0: &a0 [x]\n"
            + "".join(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 9)),
            "its aliases expand without end, or nearly",
        ),
        ("select: &s [*s]\n", "its aliases expand without end, or nearly"),
        ("select: " + "[" * 200 + "]" * 200 + "\n", "nested more than 64 levels deep"),
    ],
)
def test_a_hostile_configuration_is_a_configuration_error(project, text, message):
    (project / ".imagelint.yaml").write_text(text)
    result = CliRunner().invoke(cli, ["check", "app.yaml"])
    assert result.exit_code == 2 and message in result.output, result.output


def test_the_shipped_schema_is_the_one_derived_from_the_option_declarations():
    """data/config.schema.json is for editors; validation uses the schema derived from
    imagelint.core.options, so the two must not drift apart."""
    from imagelint.configuration import configschema
    from imagelint.data import read_text

    assert read_text(configschema.SHIPPED) == configschema.text(), (
        "data/config.schema.json is stale; regenerate it with "
        "`.venv/bin/python -m imagelint.configuration.configschema`"
    )


def test_config_shows_every_declared_key_with_its_default(project):
    from imagelint.core.options import OPTIONS

    lines = run(["config", "--isolated"]).output.splitlines()
    assert [line.split(":", 1)[0] for line in lines] == [option.name for option in OPTIONS]
    for line, option in zip(lines, OPTIONS, strict=True):
        value = line.split(":", 1)[1].rsplit("  # ", 1)[0]
        assert json.loads(value) == option.value() and line.endswith("  # default")


def test_the_starter_names_only_declared_keys():
    import re

    from imagelint.core.options import BY_NAME
    from imagelint.data import read_text

    keys = re.findall(r"^(?:# )?([a-z][a-z-]*):", read_text("starter.imagelint.yaml"), re.M)
    assert keys and set(keys) <= set(BY_NAME), set(keys) - set(BY_NAME)


def test_a_tool_table_named_only_in_a_comment_is_no_configuration(tmp_path):
    """A pyproject.toml that mentions [tool.imagelint] only in a comment is not read (nor
    parsed as TOML on every run); a real table header is, indented or not."""
    from imagelint.configuration.files import _has_tool_section

    path = tmp_path / "pyproject.toml"
    path.write_text("# [tool.imagelint] in pyproject.toml\n[project]\nname = 'x'\n")
    assert not _has_tool_section(str(path))
    path.write_text("[project]\nname = 'x'\n\n  [tool.imagelint.severity]\nlatest-tag = 'error'\n")
    assert _has_tool_section(str(path))
