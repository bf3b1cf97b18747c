"""Every fixable rule, in every YAML style a value is written in: ``check --fix`` and the exact
bytes of the file afterwards (only the fixed scalar changes; its quoting is kept)."""

from __future__ import annotations

import pytest

from tests.fixing import fix, invoke, pod

# (rule, the image as checked, the image once fixed)
SAFE_IMAGES = [
    ("trailing-dot", "registry.acme.io/shop/web:2.4.", "registry.acme.io/shop/web:2.4"),
    ("trailing-dot", "registry.acme.io./shop/web:2.4", "registry.acme.io/shop/web:2.4"),
    ("uppercase-repository", "registry.acme.io/Shop/Web:2.4", "registry.acme.io/shop/web:2.4"),
    ("invalid-reference", "https://registry.acme.io/shop/web:2.4", "registry.acme.io/shop/web:2.4"),
    ("invalid-reference", "http://registry.acme.io/shop/web:2.4", "registry.acme.io/shop/web:2.4"),
    ("deprecated-registry", "k8s.gcr.io/pause:3.9", "registry.k8s.io/pause:3.9"),
    (
        "deprecated-registry",
        "gcr.io/google-containers/pause:3.2",
        "registry.k8s.io/pause:3.2",
    ),
]

# How a value is written, around the image: plain, single-quoted, double-quoted, in a flow
# mapping, with a comment on the same line.
STYLES = {
    "plain": "{}",
    "single": "'{}'",
    "double": '"{}"',
    "comment": "{}  # the web image",
}


@pytest.mark.parametrize("style", sorted(STYLES))
@pytest.mark.parametrize(("rule", "before", "after"), SAFE_IMAGES)
def test_a_safe_fix_in_each_style(tmp_path, style, rule, before, after):
    written = STYLES[style]
    fixed, result = fix(tmp_path / "pod.yaml", pod(written.format(before)))
    assert fixed.decode() == pod(written.format(after)), result.output
    assert "fixed 1 finding(s) in 1 file(s)" in result.output
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("rule", "before", "after"), SAFE_IMAGES)
def test_a_safe_fix_in_a_flow_mapping(tmp_path, rule, before, after):
    text = pod("X").replace("    - name: c\n      image: X\n", "    - {name: c, image: X}\n")
    fixed, result = fix(tmp_path / "pod.yaml", text.replace("X", before))
    assert fixed.decode() == text.replace("X", after), result.output


@pytest.mark.parametrize(
    ("written", "fixed_as"),
    [
        ('" registry.acme.io/shop/web:2.4 "', '"registry.acme.io/shop/web:2.4"'),
        ("' registry.acme.io/shop/web:2.4\t'", "'registry.acme.io/shop/web:2.4'"),
        ('"registry.acme.io/shop/web:2.4\\t"', '"registry.acme.io/shop/web:2.4"'),
        # An escape elsewhere in a double-quoted value: the scalar is written again, quoted.
        ('"k8s.gcr.io/pa\\x75se:3.9"', '"registry.k8s.io/pause:3.9"'),
    ],
)
def test_whitespace_around_an_image_and_escapes(tmp_path, written, fixed_as):
    fixed, result = fix(tmp_path / "pod.yaml", pod(written))
    assert fixed.decode() == pod(fixed_as), result.output


@pytest.mark.parametrize(
    ("written", "fixed_as"),
    [("always", "Always"), ("'ifnotpresent'", "'IfNotPresent'"), ('"NEVER"', '"Never"')],
)
def test_pull_policy_case(tmp_path, written, fixed_as):
    extra = f"      imagePullPolicy: {written}\n"
    fixed, result = fix(tmp_path / "pod.yaml", pod("nginx:1.27", extra))
    assert fixed.decode() == pod("nginx:1.27", f"      imagePullPolicy: {fixed_as}\n")
    assert result.exit_code == 0, result.output


def test_a_pull_policy_typo_is_not_fixed(tmp_path):
    text = pod("nginx:1.27", "      imagePullPolicy: IfNotPresnt\n")
    fixed, result = fix(tmp_path / "pod.yaml", text)
    assert fixed.decode() == text
    assert result.exit_code == 1 and "invalid-pull-policy" in result.output


@pytest.mark.parametrize(
    "image",
    [
        "registry.acme.io/shop/web:2.4-",  # a '-' may stand for a lost suffix
        "registry.acme.io/shop/web.:2.4",  # a path's dot
        "docker.io/bitnami/redis:7.2",  # a move to another project, not another registry
    ],
)
def test_what_is_not_proven_is_not_fixed(tmp_path, image):
    fixed, result = fix(tmp_path / "pod.yaml", pod(image))
    assert fixed.decode() == pod(image)
    assert "fixed 0 finding(s)" in result.output


def test_fixes_that_uncover_each_other_apply_in_passes(tmp_path):
    fixed, result = fix(tmp_path / "pod.yaml", pod("' https://k8s.gcr.io/Pause:3.9. '"))
    assert fixed.decode() == pod("'registry.k8s.io/pause:3.9'"), result.output
    assert "fixed 4 finding(s)" in result.output
    assert result.exit_code == 0


def test_a_host_typo_is_an_unsafe_fix(tmp_path):
    text = pod("gcr.oi/acme/web:2.4")
    fixed, result = fix(tmp_path / "pod.yaml", text)
    assert fixed.decode() == text
    assert "1 more fix(es) available with --unsafe-fixes" in result.output
    assert result.exit_code == 1
    fixed, result = fix(tmp_path / "pod.yaml", text, "--unsafe-fixes")
    assert fixed.decode() == pod("gcr.io/acme/web:2.4"), result.output
    assert result.exit_code == 0


def test_a_repository_typo_takes_the_runs_spelling(tmp_path):
    good = [pod(f"registry.acme.io/shop/billing-api:1.{n}") for n in range(3)]
    text = "---\n".join([*good, pod("registry.acme.io/shop/biling-api:1.3")])
    fixed, result = fix(tmp_path / "pods.yaml", text, "--unsafe-fixes")
    assert fixed.decode() == text.replace("biling-api", "billing-api"), result.output


def test_a_well_known_docker_hub_near_miss_is_not_fixed(tmp_path):
    text = pod("ngnix:1.27")
    fixed, result = fix(tmp_path / "pod.yaml", text, "--unsafe-fixes")
    assert fixed.decode() == text and "image-typo" in result.output


def test_rule_documentation_says_whether_it_fixes():
    assert "Automatic fix: safe (--fix)." in invoke_rule("trailing-dot")
    assert "Automatic fix: unsafe" in invoke_rule("image-typo")
    assert "Automatic fix: none." in invoke_rule("latest-tag")
    assert "--fix" in invoke_rule("deprecated-registry").split("## Fix", 1)[1]


def invoke_rule(name: str) -> str:
    from click.testing import CliRunner

    from imagelint.cli.commands import cli

    return CliRunner().invoke(cli, ["rule", name]).output


def test_check_without_fix_writes_nothing(tmp_path):
    path = tmp_path / "pod.yaml"
    path.write_text(pod("k8s.gcr.io/pause:3.9"))
    result = invoke(str(path))
    assert result.exit_code == 1 and "fixed" not in result.output
    assert path.read_text() == pod("k8s.gcr.io/pause:3.9")
