"""Property-based and mutation fuzzing of the loader, the reference parser and every rule.

The property (see tests/fuzzing.py): exit 0, 1 or 2, a clear message for 2, never a traceback,
no internal error, and findings that point inside the file. The strategies are in
tests/fuzzing.py, shared with ``bench/fuzz.py``, which runs them for minutes.

Profiles: ``fast`` (the default: derandomized, a few seconds in all) and ``long``
(``IMAGELINT_FUZZ=long pytest tests/test_fuzz.py``: 100 times the examples, random seeds).

Bugs the fuzzers find are pinned below as plain tests marked ``xfail(strict=True)``, with their
signatures in ``fuzzing.KNOWN`` so that the hypothesis tests stay green meanwhile. When a bug is
fixed, its xfail test fails: delete the marker and the KNOWN entry. The eleven bugs found so far
are fixed; their reproducers stay as regression tests.
"""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from tests import fuzzing
from tests.fuzzing import (
    byte_inputs,
    check_bytes,
    check_cli,
    check_reference,
    check_text,
    cli_cases,
    config_cases,
    corpus_files,
    corpus_mutations,
    fuzz_settings,
    image_strings,
    kube_files,
    raw_texts,
    run_main,
    run_settings,
    run_subprocess,
)

# -- the reference parser ------------------------------------------------------------------------


@fuzz_settings(300)
@given(image_strings())
def test_reference_parser_never_raises(image):
    check_reference(image)


@fuzz_settings(100)
@given(st.text(max_size=60))
def test_reference_parser_on_any_unicode(image):
    check_reference(image)


# -- the loader and every rule -------------------------------------------------------------------


@fuzz_settings(120)
@given(kube_files(), run_settings())
def test_rules_on_generated_manifests(text, settings):
    check_text(text, settings, outputs=True)


@fuzz_settings(150)
@given(raw_texts())
def test_loader_on_yamlish_text(text):
    check_text(text)


def test_generated_manifests_reach_the_rules():
    """The generator is worth its time only if the rules fire on what it makes."""
    fired: set[str] = set()

    @fuzz_settings(150)
    @given(kube_files(), run_settings())
    def collect(text, settings):
        report = check_text(text, settings)
        if report is not None:
            fired.update(finding.rule for finding in report.findings)

    collect()
    expected = {
        "invalid-reference",
        "latest-tag",
        "missing-tag",
        "pull-secret-not-found",
        "pull-secret-malformed",
        "unused-suppression",
    }
    assert expected <= fired, f"never fired: {sorted(expected - fired)}"


# -- bytes, through files ------------------------------------------------------------------------


@fuzz_settings(100)
@given(byte_inputs())
def test_bytes_through_files(data):
    check_bytes(data)


# -- mutations of the shared corpus --------------------------------------------------------------


@pytest.fixture(scope="session")
def corpus_paths(shared):
    corpus = fuzzing.corpus_dir(shared)
    if corpus is None:
        pytest.fail(f"{shared}/corpus is missing")
    # The fast profile takes files of up to 20 kB; the long one takes all of them.
    limit = 20_000 if fuzzing.profile_name() == "fast" else None
    files = corpus_files(corpus, limit)
    assert len(files) > 1000, f"only {len(files)} corpus files"
    return files


@fuzz_settings(150)
@given(data=st.data())
def test_mutated_corpus_files(corpus_paths, data):
    path, mutated, applied = data.draw(corpus_mutations(corpus_paths), label="mutation")
    note(f"{path} with {', '.join(applied)}")
    check_bytes(mutated, path.rsplit("/", 1)[-1])


# -- the command line ----------------------------------------------------------------------------


@fuzz_settings(40)
@given(cli_cases())
def test_command_line_in_process(case):
    check_cli(case, run_main)


@fuzz_settings(4)
@given(cli_cases())
def test_command_line_subprocess(case):
    check_cli(case, run_subprocess)


@fuzz_settings(40)
@given(config_cases())
def test_configuration_and_baseline_files(case):
    check_cli(case, run_main)


def test_a_usage_error_passes_the_exit_checks():
    """Exit 2 with click's "Error: ..." line is a clear message, not a violation."""
    code, _, stderr = run_main(["check", "--isolated", "--format", "xml", "-"])
    assert code == 2
    assert any(line.startswith("Error: ") for line in stderr.splitlines())
    fuzzing.check_exit(code, "", stderr, "usage error", known=())


def test_checks_catch_a_traceback_and_a_bad_position():
    with pytest.raises(fuzzing.PropertyViolation, match="cli:traceback"):
        fuzzing.check_exit(2, "", "Traceback (most recent call last):\n  x\n", "t", known=())
    with pytest.raises(fuzzing.PropertyViolation, match="cli:exit-3"):
        fuzzing.check_exit(3, "", "imagelint: x\n", "t", known=())
    with pytest.raises(fuzzing.PropertyViolation, match="cli:exit-2-without-message"):
        fuzzing.check_exit(2, "", "", "t", known=())

    class Finding:
        path, rule, message, line, column = "f.yaml", "r", "m", 2, 1

    with pytest.raises(fuzzing.PropertyViolation, match="position:r"):
        fuzzing.check_positions([Finding()], "one line\n", "f.yaml", known=())


# -- bugs the fuzzers found (a strict xfail while open, a regression test once fixed) -------------


def test_every_known_bug_has_its_xfail_reproducer():
    for entry in fuzzing.KNOWN:
        test = globals().get(entry.test)
        assert test is not None, f"{entry.test} (for {entry.signature}) is not in this file"
        marks = [mark for mark in getattr(test, "pytestmark", []) if mark.name == "xfail"]
        assert marks and marks[0].kwargs.get("strict"), f"{entry.test} is not a strict xfail"


def _violations(text: str) -> list[str]:
    """The violations of the property on ``text``, with nothing let through as known."""
    with fuzzing.strict():
        try:
            check_text(text)
        except fuzzing.PropertyViolation as violation:
            return [f"{violation.signature}: {violation.detail.splitlines()[0]}"]
    return []


def test_suppression_lines_split_at_vertical_tab():
    """Fixed; the fuzzers found it: suppressions.from_comments() numbers lines with
    str.splitlines(), which also breaks at \\v, \\f and \\x1c-\\x1e (YAML does not): the
    unused-suppression finding is on line 2 of a one-line file"""
    assert _violations("\v# imagelint: disable") == []


def test_syntax_error_clamp_counts_vertical_tab():
    """Fixed; the fuzzers found it: loader._compose_by_document() finds the file's last line
    with str.splitlines(), which also breaks at \\v, \\f and \\x1c-\\x1e: an error at the
    end of the file is not brought back onto the last line (line 4 of a 3-line file)"""
    assert _violations('\v\n---\n"\n') == []


def test_bom_and_crlf_move_findings_a_line_down():
    """Fixed; the fuzzers found it: loader._documents() resumes after the last good document
    at the C composer's mark.index, which does not count a BOM: with CRLF line ends the rest
    of the file is read one line down (findings on line 6 of a 5-line file)"""
    text = (
        "\ufeffa: 1\r\n---\napiVersion: v1\nkind: Pod\n"
        "spec: {containers: [{image: nginx:latest}]}\n"
    )
    assert _violations(text) == []


def test_reader_error_after_unicode_line_break():
    """Fixed; the fuzzers found it: loader._problem_position() places a reader error after
    the last line break it knows, '\\n' or '\\r'; after NEL, LS or PS (YAML line breaks too)
    the error lands on the previous line, past its end"""
    assert _violations("a: 1\u2028\x07") == []


def test_duplicate_anchor_warning_on_stderr():
    """Fixed; the fuzzers found it: loader._compose_pure() (ruamel's pure composer, for ':'
    in flow scalars) warns ReusedAnchorWarning on a repeated anchor, and the warning reaches
    the user's stderr"""
    manifest = (
        b"apiVersion: v1\nkind: Pod\nmetadata: &x {name: a}\n"
        b"spec: {containers: [{name: a, image: nginx:1.25}]}\nstatus: &x {a: b}\n"
    )
    code, stdout, stderr = run_subprocess(["check", "--isolated", "-"], manifest)
    with fuzzing.strict():
        fuzzing.check_exit(code, stdout, stderr, "imagelint check -", known=())


def _ecr_secret(expiration: str) -> str:
    """A docker config Secret holding a static ECR token whose payload says ``expiration``."""
    payload = '{"payload": "x", "datakey": "y", "version": "2", "expiration": ' + expiration + "}"
    token = base64.b64encode(payload.encode()).decode()
    host = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    config = json.dumps({"auths": {host: {"username": "AWS", "password": token}}})
    return (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: ecr}\n"
        f"type: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{config}'\n"
    )


@pytest.mark.parametrize("expiration", ["1e300", "-1e300", "99999999999999999", "Infinity", "NaN"])
def test_ecr_token_expiration_out_of_range(expiration):
    """Fixed; the fuzzers found it: an ECR token whose 'expiration' is out of range crashed
    (int() of Infinity or NaN in pullsecrets._ecr_expiry(), time.gmtime() of 1e300 in
    static_ecr_token.check()): an internal error. It is now no date at all."""
    assert _violations(_ecr_secret(expiration)) == []


def test_an_ecr_token_in_range_is_fine():
    assert _violations(_ecr_secret("1700000000")) == []


def _cli_violations(config: tuple[str, bytes] | None, baseline: bytes | None = None) -> list:
    """The violations of the command line on one small manifest with this configuration."""
    case = fuzzing.CliCase([fuzzing._SMALL_MANIFEST], None, [], config, None, baseline)
    with fuzzing.strict():
        try:
            check_cli(case, run_main)
        except fuzzing.PropertyViolation as violation:
            return [violation.signature]
    return []


def test_config_float_without_dot_warns_on_stderr():
    """Fixed; the fuzzers found it: config._python() builds floats with ruamel's YAML 1.1
    constructor, which warned MantissaNoDotYAML1_1Warning (a dozen lines with a code sample)
    to the user's stderr."""
    assert _cli_violations((".imagelint.yaml", b"timeout: 1e3\n")) == []


def test_pyproject_tool_not_a_table():
    """Fixed; the fuzzers found it: config._from_pyproject() calls .get() on
    document['tool'] whatever its type: 'tool = "ALL"' is an internal error
    (AttributeError), not a configuration error"""
    assert _cli_violations(("pyproject.toml", b'tool = "ALL"\n')) == []


@pytest.mark.parametrize(
    "config",
    [
        b"!!int\n",
        b"timeout: !!float x\n",
        b"require-secrets: !!bool maybe\n",
        b"timeout: !!int 0x\n",
    ],
)
def test_config_bad_tagged_scalar(config):
    """Fixed; the fuzzers found it: config._from_yaml() catches YAMLError only, but ruamel's
    constructors raise IndexError, ValueError or KeyError on a bad explicitly tagged scalar
    (!!int with no digits, !!float x, !!bool maybe, !!timestamp 2001-13-45): an internal
    error"""
    assert _cli_violations((".imagelint.yaml", config)) == []


def test_pyproject_deep_nesting():
    """Fixed; the fuzzers found it: config._from_pyproject() catches TOMLDecodeError but not
    the RecursionError of tomllib on deeply nested arrays: an internal error"""
    toml = b"[tool.imagelint]\nselect = " + b"[" * 3000 + b"]" * 3000 + b"\n"
    assert _cli_violations(("pyproject.toml", toml)) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            ".imagelint.yaml",
            b"timeout: !!float x\n",
            "Error: configuration error: .imagelint.yaml:1: 'x' is not a valid !!float value",
        ),
        (
            "pyproject.toml",
            b"[tool.imagelint]\nselect = " + b"[" * 3000 + b"]" * 3000 + b"\n",
            "Error: configuration error: pyproject.toml: nested too deeply to be read",
        ),
    ],
)
def test_bad_configurations_are_usage_errors_with_a_message(
    tmp_path, monkeypatch, name, content, message
):
    (tmp_path / name).write_bytes(content)
    (tmp_path / "pod.yaml").write_bytes(fuzzing._SMALL_MANIFEST)
    monkeypatch.chdir(tmp_path)
    code, _, stderr = run_main(["check", "--config", name, "pod.yaml"])
    assert (code, stderr.strip().splitlines()[-1]) == (2, message)


def test_a_deeply_nested_baseline_is_not_a_baseline(tmp_path, monkeypatch):
    (tmp_path / "base.json").write_bytes(b"[" * 100_000)
    (tmp_path / "pod.yaml").write_bytes(fuzzing._SMALL_MANIFEST)
    monkeypatch.chdir(tmp_path)
    code, _, stderr = run_main(["check", "--isolated", "--baseline", "base.json", "pod.yaml"])
    assert (code, stderr.strip().splitlines()[-1]) == (
        2,
        "Error: the baseline base.json is nested too deeply to be one",
    )


def test_baseline_deep_nesting():
    """Fixed; the fuzzers found it: baseline.read() catches ValueError but not the
    RecursionError of json.load on deeply nested JSON: an internal error instead of 'not an
    imagelint baseline'"""
    assert _cli_violations(None, b"[" * 100_000) == []
