from __future__ import annotations

import pytest

from tests.unit_rules.helpers import findings

RULE = "helm-template-file"

MESSAGE = (
    "'{{' outside a string: this file is an unrendered template (Helm or another Go template), "
    "not a manifest; check the rendered output instead, e.g. helm template RELEASE CHART | "
    "imagelint check -"
)


def test_full_message_at_first_marker():
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n"
    [finding] = findings(text, RULE)
    assert finding.message == MESSAGE
    assert (finding.line, finding.column) == (4, 9)


def test_control_lines_that_break_yaml():
    text = "{{- if .Values.enabled }}\napiVersion: v1\nkind: Pod\n{{- end }}\n"
    [finding] = findings(text, RULE)
    assert (finding.line, finding.column) == (1, 1)
    assert findings(text, "yaml-syntax") == []


@pytest.mark.parametrize(
    "text",
    [
        'a: "{{ .Values.x }}"\n',
        "a: '{{ x }}'\n",
        "a: summary {{ $labels.instance }} down\n",
        'a: |\n  {{ define "x" }}{{ end }}\n',
        "# {{ a comment }}\na: 1\n",
        "a: 1  # {{ trailing comment }}\n",
    ],
)
def test_braces_inside_strings_and_comments_are_data(text):
    assert findings(text, RULE) == []


def test_real_syntax_error_before_any_template_is_yaml_syntax():
    text = "a: [1\nb: '{{ x }}'\nc: {{ y }}\n"
    assert [f.rule for f in findings(text, RULE) + findings(text, "yaml-syntax")] == ["yaml-syntax"]
