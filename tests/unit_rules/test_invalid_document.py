from __future__ import annotations

from tests.unit_rules.helpers import findings

RULE = "invalid-document"


def test_full_message_and_items_still_checked():
    text = "- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n  spec: {containers: [{name: a, image: 'a@sha256:12'}]}\n"
    [finding] = findings(text, RULE)
    assert finding.message == (
        "this document is a YAML list of objects, which kubectl cannot apply; make each object "
        "its own document (---) or wrap them in 'kind: List' with 'items:'"
    )
    assert (finding.line, finding.column, finding.severity.label) == (1, 1, "warning")
    assert [f.field for f in findings(text, "invalid-reference")] == [
        "[0].spec.containers[0].image"
    ]


def test_lists_and_scalars_that_are_not_objects_are_ignored():
    assert findings("- a\n- b\n---\njust text\n---\n- {name: x}\n", RULE) == []
