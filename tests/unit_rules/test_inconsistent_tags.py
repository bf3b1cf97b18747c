from __future__ import annotations

from tests.helpers import check_text

RULE = "inconsistent-tags"


def deployment(name: str, image: str) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  template:\n"
        f"    spec:\n      containers:\n        - name: c\n          image: {image}\n---\n"
    )


def test_full_message_on_the_minority_convention():
    text = (
        deployment("a", "registry.acme.io/api:v1.4.0")
        + deployment("b", "registry.acme.io/api:v1.4.1")
        + deployment("c", "registry.acme.io/api:1.4.0")
    )
    [finding] = [f for f in check_text(text).findings if f.rule == RULE]
    assert finding.message == (
        "registry.acme.io/api is tagged '1.4.0' here but 'v1.4.0' at test.yaml:9 and 1 more "
        "place: its pipeline pushes one convention, so one of these tags probably does not exist"
    )
    assert (finding.line, finding.column, finding.severity.label) == (29, 39, "info")


def test_quiet_for_one_convention_or_non_versions():
    text = deployment("a", "registry.acme.io/api:1.4.0") + deployment(
        "b", "registry.acme.io/api:1.5.0"
    )
    text += deployment("c", "registry.acme.io/web:v2") + deployment(
        "d", "registry.acme.io/web:2-alpine"
    )
    assert [f for f in check_text(text).findings if f.rule == RULE] == []
