from __future__ import annotations

from imagelint.online.answers import FOUND, TAG_MISSING, UNREACHABLE
from tests.helpers import check_text
from tests.unit_rules.helpers import image_pod
from tests.unit_rules.online_helpers import answer, online_findings

RULE = "tag-not-found"


def test_full_message_with_nearest_tags_points_at_the_tag():
    image = "ghcr.io/acme/api:1.4.2"
    said = answer(TAG_MISSING, suggestions=("v1.4.2", "1.4.1"), tags_listed=True)
    [finding] = online_findings(image_pod(image), RULE, {image: said})
    assert finding.message == (
        'the tag "1.4.2" does not exist in ghcr.io/acme/api (asked anonymously); '
        'nearest existing tags: "v1.4.2", "1.4.1"'
    )
    assert (finding.line, finding.column, finding.code) == (
        8,
        15 + len("ghcr.io/acme/api:"),
        "IL301",
    )


def test_digest_and_credential_source():
    digest = "sha256:" + "ab" * 32
    image = f"ghcr.io/acme/api@{digest}"
    said = answer(TAG_MISSING, image, credential="pull secret shop/regcred", tags_listed=True)
    [finding] = online_findings(image_pod(image), RULE, {image: said})
    assert finding.message == (
        f'the digest "{digest}" does not exist in ghcr.io/acme/api '
        "(asked with pull secret shop/regcred)"
    )


def test_listed_tags_with_nothing_close():
    image = "ghcr.io/acme/api:1.4.2"
    said = answer(TAG_MISSING, tags_listed=True)
    [finding] = online_findings(image_pod(image), RULE, {image: said})
    assert finding.message.endswith("; the repository has no tag close to it")


def test_implied_latest_points_at_the_image():
    said = answer(TAG_MISSING, "docker.io/library/nginx:latest", tags_listed=False)
    [finding] = online_findings(image_pod("nginx"), RULE, {"nginx": said})
    assert finding.column == 15
    assert finding.message == (
        'the tag "latest" does not exist in docker.io/library/nginx (asked anonymously)'
    )


def test_other_outcomes_are_not_missing_tags():
    image = "ghcr.io/acme/api:1.4.2"
    for outcome in (FOUND, UNREACHABLE):
        assert online_findings(image_pod(image), RULE, {image: answer(outcome)}) == []


def test_offline_runs_report_nothing():
    assert [f for f in check_text(image_pod("ghcr.io/acme/api:1")).findings if f.rule == RULE] == []
