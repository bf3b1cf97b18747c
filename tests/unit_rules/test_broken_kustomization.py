from __future__ import annotations

from tests.unit_rules.helpers import tree_findings

RULE = "broken-kustomization"
POD = (
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
    "    - name: c\n      image: registry.acme.io/app:1.0\n"
)


def test_a_missing_resource_is_reported_at_its_entry_and_the_rest_is_built(tmp_path):
    files = {"kustomization.yaml": "resources:\n  - pod.yaml\n  - missing.yaml\n", "pod.yaml": POD}
    [finding] = tree_findings(tmp_path, files, RULE)
    assert finding.message == (
        "the resource missing.yaml does not exist: kustomize stops; fix the path or remove the entry"
    )
    assert (finding.path, finding.line, finding.column, finding.severity.label, finding.via) == (
        "kustomization.yaml",
        3,
        5,
        "error",
        (".",),
    )
    # The pod the tree still builds is checked.
    bad = POD.replace("app:1.0", "app:latest")
    files["pod.yaml"] = bad
    assert [f.line for f in tree_findings(tmp_path, files, "latest-tag")] == [8]
