from __future__ import annotations

import pytest

from tests.helpers import check_text
from tests.unit_rules.helpers import findings, image_pod, messages, rules_fired

RULE = "unrendered-template"


def test_full_message_names_the_helm_value():
    [finding] = findings(image_pod("registry.acme.io/shop/api:", "shop/templates/api.yaml"), RULE)
    assert finding.message == (
        "image \"registry.acme.io/shop/api:\": the tag after ':' is empty (likely an unset "
        ".Values.image.tag)"
    )
    assert (finding.line, finding.column, finding.severity.label) == (9, 40, "error")
    assert finding.source == "shop/templates/api.yaml"


@pytest.mark.parametrize(
    "image, message",
    [
        (
            "{{ .Values.image.repository }}:1.0",
            'image "{{ .Values.image.repository }}:1.0": a template expression "{{ .Values.image.repository }}" was not rendered',
        ),
        ("app:${TAG}", 'image "app:${TAG}": the variable "${TAG}" was not substituted'),
        ("app:$TAG", 'image "app:$TAG": the variable "$TAG" was not substituted'),
        (
            "app:$(TAG)",
            'image "app:$(TAG)": "$(TAG)" is not expanded in \'image\' (Kubernetes expands $(VAR) only in command, args and env)',
        ),
        (
            "registry.acme.io/<no value>:1",
            'image "registry.acme.io/<no value>:1": "<no value>" is what Helm renders for a value that is not set',
        ),
        (
            "app:%!s(<nil>)",
            'image "app:%!s(<nil>)": "%!s(<nil>)" is what Go templates render for a nil value',
        ),
        ("app:<nil>", 'image "app:<nil>": "<nil>" is what Go templates render for a nil value'),
        (
            "None",
            'image "None": the image is "None", a word for no value (a template value rendered empty)',
        ),
        (
            "app:null",
            'image "app:null": "null" stands where a value was expected (a template value rendered empty)',
        ),
        (
            ":1.0",
            "image \":1.0\": the repository before ':' is empty (a template value rendered empty)",
        ),
        (
            "registry.acme.io/:1.0",
            "image \"registry.acme.io/:1.0\": the repository before ':' is empty (a template value rendered empty)",
        ),
        (
            "registry.acme.io//app:1",
            'image "registry.acme.io//app:1": \'//\' leaves an empty path component after "registry.acme.io/" (a template value rendered empty)',
        ),
        (
            "/app:1",
            "image \"/app:1\": it starts with '/', so the registry before it is empty (a template value rendered empty)",
        ),
    ],
)
def test_leftovers(image, message):
    assert messages(image, RULE) == [message]
    assert rules_fired(image) == [RULE]  # the root cause replaces every other reference rule


@pytest.mark.parametrize(
    "image", ["nginx:1.27", "acme/none-app:1", "acme/app:nullable-1", "app:v1.0"]
)
def test_quiet(image):
    assert messages(image, RULE) == []


def test_argo_parameters_are_filled_in_at_run_time():
    text = 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  templates:\n    - name: t\n      container: {image: "app:{{inputs.parameters.tag}}"}\n'
    assert findings(text, RULE) == []


def test_the_same_string_in_a_helm_and_a_plain_document():
    # Pure image rules run once per distinct string; the Helm hint must still follow the document.
    text = (
        image_pod("registry.acme.io/shop/api:", "shop/templates/api.yaml")
        + "---\n"
        + image_pod("registry.acme.io/shop/api:")
    )
    messages = [f.message for f in check_text(text).findings if f.rule == RULE]
    assert [m.rsplit("(", 1)[1] for m in messages] == [
        "likely an unset .Values.image.tag)",
        "a template value rendered empty)",
    ]
