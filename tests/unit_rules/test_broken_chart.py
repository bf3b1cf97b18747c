from __future__ import annotations

from tests.unit_rules.helpers import tree_findings

RULE = "broken-chart"


def test_values_that_are_not_a_mapping_are_reported(tmp_path):
    files = {
        "Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
        "values.yaml": "just a string\n",
        "templates/deployment.yaml": "image: {{ .Values.image }}\n",
    }
    [finding] = tree_findings(tmp_path, files, RULE)
    assert finding.message == (
        "values.yaml is a string, not a mapping of values: Helm refuses it ('cannot unmarshal "
        "... into Go value of type map[string]interface {}')"
    )
    assert (finding.path, finding.line, finding.column, finding.severity.label) == (
        "values.yaml",
        1,
        1,
        "error",
    )
    # The chart's templates are never reported as unrendered manifests.
    assert tree_findings(tmp_path, files, "helm-template-file") == []
