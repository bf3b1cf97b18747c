from __future__ import annotations

from imagelint.online.answers import HUB_UNKNOWN, REPOSITORY_MISSING, TAG_MISSING
from tests.unit_rules.helpers import image_pod
from tests.unit_rules.online_helpers import answer, online_findings

RULE = "repository-not-found"


def test_full_message():
    image = "ghcr.io/acme/apii:1.4.2"
    said = answer(REPOSITORY_MISSING, "ghcr.io/acme/apii:1.4.2")
    [finding] = online_findings(image_pod(image), RULE, {image: said})
    assert finding.message == (
        "the repository ghcr.io/acme/apii does not exist on ghcr.io (asked anonymously)"
    )
    assert (finding.line, finding.column, finding.severity.label) == (8, 15, "error")


def test_docker_hub_cannot_tell_missing_from_private():
    said = answer(
        HUB_UNKNOWN, "docker.io/acme/api:2", registry="registry-1.docker.io", credential=None
    )
    [finding] = online_findings(image_pod("acme/api:2"), RULE, {"acme/api:2": said})
    assert finding.message == (
        "the repository docker.io/acme/api does not exist on Docker Hub, or it is private and "
        "needs credentials that can read it: Docker Hub answers both alike (asked anonymously)"
    )


def test_not_reported_when_the_pods_secrets_could_not_be_read():
    said = answer(HUB_UNKNOWN, "docker.io/acme/api:2", unknown_secrets=("hub",))
    assert online_findings(image_pod("acme/api:2"), RULE, {"acme/api:2": said}) == []


def test_a_missing_tag_is_not_a_missing_repository():
    image = "ghcr.io/acme/api:1"
    assert online_findings(image_pod(image), RULE, {image: answer(TAG_MISSING, image)}) == []
