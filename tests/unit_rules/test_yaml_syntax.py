from __future__ import annotations

from tests.unit_rules.helpers import findings, pod

RULE = "yaml-syntax"


def test_full_message_and_position():
    text = pod("image: nginx:1.27\n     ports: []")
    [finding] = findings(text, RULE)
    assert finding.message == (
        "YAML syntax error: did not find expected '-' indicator (while parsing a block "
        "collection at line 7)"
    )
    assert (finding.line, finding.column, finding.code) == (9, 6, "IL001")


def test_other_documents_are_still_checked():
    good = pod('image: "bad@sha256:12"')
    text = good + "---\nkey: [unclosed\n---\n" + good
    found = findings(text, RULE) + findings(text, "invalid-reference")
    assert sorted((f.rule, f.line) for f in found) == [
        ("invalid-reference", 8),
        ("invalid-reference", 19),
        ("yaml-syntax", 11),
    ]


def test_control_character_position():
    [finding] = findings('a: "é\x01"\n', RULE)
    assert finding.message == (
        "YAML does not allow the character U+0001 (control characters are not allowed)"
    )
    assert (finding.line, finding.column) == (1, 6)


def test_undefined_alias():
    [finding] = findings("a: *nowhere\n", RULE)
    assert finding.message == "YAML syntax error: found undefined alias"
    assert (finding.line, finding.column) == (1, 4)


def test_error_at_end_of_input_points_inside_the_file():
    [finding] = findings("a: {\nb: unclosed", RULE)
    assert (finding.line, finding.column) == (2, 12)
