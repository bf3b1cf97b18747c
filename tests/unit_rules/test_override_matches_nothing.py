from __future__ import annotations

from tests.unit_rules.helpers import tree_findings

RULE = "override-matches-nothing"
POD = (
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
    "    - name: c\n      image: registry.acme.io/app:1.0\n"
)


def test_an_images_entry_that_matches_no_image_is_reported_at_its_name(tmp_path):
    files = {
        "kustomization.yaml": "resources:\n  - pod.yaml\nimages:\n  - name: registry.acme.io/ap\n"
        "    newTag: '2.0'\n",
        "pod.yaml": POD,
    }
    [finding] = tree_findings(tmp_path, files, RULE)
    assert finding.message == (
        "no container image of this build matches 'registry.acme.io/ap': kustomize ignores this "
        "images entry without a word, so the override never happens; write the name as the image "
        "appears in the manifests (repository without tag)"
    )
    assert (finding.path, finding.line, finding.column, finding.severity.label) == (
        "kustomization.yaml",
        4,
        11,
        "warning",
    )


def test_an_entry_that_matches_is_not_reported(tmp_path):
    files = {
        "kustomization.yaml": "resources:\n  - pod.yaml\nimages:\n  - name: registry.acme.io/app\n"
        "    newTag: '2.0'\n",
        "pod.yaml": POD,
    }
    assert tree_findings(tmp_path, files, RULE) == []
