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


# Placeholders to fill in (issue 17): one finding per image, naming every placeholder, with no
# advice to lowercase them (invalid-reference and uppercase-repository are replaced).
@pytest.mark.parametrize(
    "image, message",
    [
        (
            "REGION-docker.pkg.dev/PROJECT_ID/repo/app:1.0",
            'image "REGION-docker.pkg.dev/PROJECT_ID/repo/app:1.0": "REGION" and "PROJECT_ID" '
            "are placeholders: fill them in with real values",
        ),
        (
            "gcr.io/PROJECT_ID/app:TAG",
            'image "gcr.io/PROJECT_ID/app:TAG": "PROJECT_ID" and "TAG" are placeholders: fill '
            "them in with real values",
        ),
        (
            "YOUR_REGISTRY/app:1.0",
            'image "YOUR_REGISTRY/app:1.0": "YOUR_REGISTRY" is a placeholder: fill it in with the '
            "real value",
        ),
        (
            "AWS_ACCOUNT_ID.dkr.ecr.AWS_REGION.amazonaws.com/app:1.0",
            'image "AWS_ACCOUNT_ID.dkr.ecr.AWS_REGION.amazonaws.com/app:1.0": "AWS_ACCOUNT_ID" '
            'and "AWS_REGION" are placeholders: fill them in with real values',
        ),
        (
            "registry.acme.io/shop/api:REPLACE_ME",
            'image "registry.acme.io/shop/api:REPLACE_ME": "REPLACE_ME" is a placeholder: fill it '
            "in with the real value",
        ),
        (
            "your-registry.example.com/app:1.0",
            'image "your-registry.example.com/app:1.0": "your-registry" is a placeholder: fill it '
            "in with the real value",
        ),
        (
            "registry.acme.io/shop/MY_APP:1.0",
            'image "registry.acme.io/shop/MY_APP:1.0": "MY_APP" is a placeholder: fill it in '
            "with the real value",
        ),
        (
            "registry.acme.io/%s:1.0",
            'image "registry.acme.io/%s:1.0": the format verb "%s" was never filled in with a value',
        ),
        # ../shared/corpus/real/kubernetes__website/content__en__examples__pods__private-reg-pod.yaml
        (
            "<your-private-image>",
            'image "<your-private-image>": "<your-private-image>" is a placeholder: fill it in '
            "with the real value",
        ),
        # ../shared/corpus/real/knative__docs/code-samples__serving__hello-world__helloworld-go__service.yaml
        (
            "docker.io/{username}/helloworld-go",
            'image "docker.io/{username}/helloworld-go": "{username}" is a placeholder: fill it '
            "in with the real value",
        ),
        # ../shared/corpus/real/kubernetes__examples/_archived__nodesjs-mongodb__web-controller.yaml
        (
            "<YOUR-CONTAINER>",
            'image "<YOUR-CONTAINER>": "<YOUR-CONTAINER>" is a placeholder: fill it in with the '
            "real value",
        ),
    ],
)
def test_placeholders_once_per_image(image, message):
    assert messages(image, RULE) == [message]
    assert rules_fired(image) == [RULE]


def test_placeholder_column_is_the_first_placeholder():
    [finding] = findings(image_pod("registry.acme.io/PROJECT_ID/app:1.0"), RULE)
    assert (finding.line, finding.column) == (8, 32)


@pytest.mark.parametrize(
    "image",
    [
        "registry.acme.io/shop/api:Release-2",  # capitals in a tag are legal
        "registry.acme.io/shop/api:V1_2",  # an underscore word in the tag is a tag
        "Registry.Acme.io/app:1.0",  # capitals in the host are legal
        "registry.acme.io/shop/yourapp:1.0",  # 'your' without a separator is a name
    ],
)
def test_not_placeholders(image):
    assert messages(image, RULE) == []


def test_capitals_that_are_no_placeholder_stay_uppercase_repository():
    assert messages("MyCompany/API:1.0", RULE) == []
    assert rules_fired("MyCompany/API:1.0") == ["uppercase-repository"]


# ko build inputs (issue 17): built by ko, not pullable as written; an error of this rule.
@pytest.mark.parametrize(
    "image, message",
    [
        # ../shared/corpus/real/knative__serving/config__core__deployments__activator.yaml
        (
            "ko://knative.dev/serving/cmd/activator",
            'image "ko://knative.dev/serving/cmd/activator": it is a ko build input for the Go '
            "package knative.dev/serving/cmd/activator: built by ko, not pullable as written "
            "('ko resolve' or 'ko apply' replaces it with the image ko builds; check their output "
            "instead)",
        ),
        # ../shared/corpus/real/knative__docs/code-samples__serving__secrets-go__service.yaml
        (
            "github.com/knative/docs/code-samples/serving/secrets-go",
            'image "github.com/knative/docs/code-samples/serving/secrets-go": it is a Go import '
            "path and github.com is a code host, not a container registry: built by ko, not "
            "pullable as written ('ko resolve' or 'ko apply' replaces import paths with the "
            "images ko builds; check their output instead)",
        ),
    ],
)
def test_ko_build_inputs(image, message):
    [finding] = findings(image_pod(image), RULE)
    assert finding.message == message
    assert (finding.column, finding.severity.label) == (15, "error")
    assert rules_fired(image) == [RULE]  # not also invalid-reference or missing-tag


def test_registries_of_code_hosts_are_images():
    assert messages("ghcr.io/knative/app:1.0", RULE) == []
    assert messages("registry.gitlab.com/acme/app:1.0", RULE) == []
