from __future__ import annotations

from tests.unit_rules.helpers import tree_findings

RULE = "kustomize-not-followed"
POD = (
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
    "    - name: c\n      image: registry.acme.io/app:1.0\n"
)


def test_a_helm_chart_of_a_kustomization_is_not_rendered_and_says_so(tmp_path):
    files = {
        "kustomization.yaml": "resources:\n  - pod.yaml\nhelmCharts:\n  - name: redis\n",
        "pod.yaml": POD,
    }
    [finding] = tree_findings(tmp_path, files, RULE)
    assert finding.message == (
        "helmCharts: kustomize renders Helm charts (helm template) here; imagelint does not, so "
        "what this sets is not checked (check `kubectl kustomize` output piped to `imagelint "
        "check -` for that)"
    )
    assert (finding.path, finding.line, finding.column, finding.severity.label) == (
        "kustomization.yaml",
        3,
        1,
        "info",
    )
