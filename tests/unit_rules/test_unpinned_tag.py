from __future__ import annotations

from imagelint.core.selection import select
from imagelint.online.answers import FOUND, TAG_MISSING, UNREACHABLE
from imagelint.running.engine import Engine
from tests.helpers import check_text
from tests.unit_rules.helpers import image_pod
from tests.unit_rules.online_helpers import answer, answering

RULE = "unpinned-tag"
DIGEST = "sha256:" + "3f" * 32


def pinned(image: str, said, rules=None):
    engine = Engine(
        rules=rules if rules is not None else select(extend_select=[RULE]),
        online=answering({image: said}),
    )
    return [f for f in engine.check_text("test.yaml", image_pod(image)).findings if f.rule == RULE]


def test_a_tag_is_pinned_after_it():
    image = "ghcr.io/acme/api:1.4.2"
    [finding] = pinned(image, answer(FOUND, digest=DIGEST))
    assert finding.message == (
        f'the tag "1.4.2" of ghcr.io/acme/api is not pinned; it points to {DIGEST} now '
        f"(asked anonymously); pin it: {image}@{DIGEST}"
    )
    assert (finding.line, finding.column, finding.code) == (
        8,
        15 + len("ghcr.io/acme/api:"),
        "IL308",
    )
    assert finding.severity.label == "info"
    edit = finding.edit
    assert (edit.start, edit.old, edit.new) == (len(image), "", f"@{DIGEST}")
    assert not edit.safe and edit.title == f"pin 1.4.2 to {DIGEST}"


def test_latest_and_no_tag_are_replaced_by_the_digest():
    said = answer(FOUND, "ghcr.io/acme/api:latest", digest=DIGEST, credential="pull secret a/b")
    [finding] = pinned("ghcr.io/acme/api:latest", said)
    assert finding.message == (
        f'image "ghcr.io/acme/api:latest" pulls "latest", which points to {DIGEST} now (asked '
        f"with pull secret a/b); pin it: ghcr.io/acme/api@{DIGEST}"
    )
    assert finding.column == 15 + len("ghcr.io/acme/api:")
    edit = finding.edit
    assert (edit.start, edit.old, edit.new) == (len("ghcr.io/acme/api"), ":latest", f"@{DIGEST}")
    assert edit.title == f"replace :latest with {DIGEST}"
    [bare] = pinned("nginx", answer(FOUND, "docker.io/library/nginx:latest", digest=DIGEST))
    assert bare.column == 15
    assert (bare.edit.start, bare.edit.old, bare.edit.new) == (5, "", f"@{DIGEST}")


def test_other_case_of_latest_is_a_tag_like_any_other():
    [finding] = pinned("ghcr.io/acme/api:LATEST", answer(FOUND, digest=DIGEST))
    assert finding.edit.new == f"@{DIGEST}"


def test_nothing_without_a_usable_answer():
    image = "ghcr.io/acme/api:1.4.2"
    for said in (
        answer(FOUND),  # no digest named
        answer(FOUND, digest="sha256:" + "AB" * 32),  # not a digest as manifests write them
        answer(FOUND, digest="sha256:ab\n"),
        answer(FOUND, digest=DIGEST, credential="~/.docker/config.json", credential_from_pod=False),
        answer(TAG_MISSING, digest=DIGEST),
        answer(UNREACHABLE),
    ):
        assert pinned(image, said) == [], said


def test_an_image_with_a_digest_is_pinned_already():
    image = f"ghcr.io/acme/api:1.4.2@{DIGEST}"
    assert pinned(image, answer(FOUND, image, digest=DIGEST)) == []
    image = f"ghcr.io/acme/api@{DIGEST}"
    assert pinned(image, answer(FOUND, image, digest=DIGEST)) == []


def test_off_by_default_and_offline():
    image = "ghcr.io/acme/api:1.4.2"
    assert pinned(image, answer(FOUND, digest=DIGEST), rules=select()) == []
    engine = Engine(rules=select(extend_select=[RULE]))
    assert [
        f for f in engine.check_text("t.yaml", image_pod(image)).findings if f.rule == RULE
    ] == []
    assert [f for f in check_text(image_pod(image)).findings if f.rule == RULE] == []
