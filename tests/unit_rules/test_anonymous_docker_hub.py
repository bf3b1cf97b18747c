from __future__ import annotations

from imagelint.core.selection import select
from imagelint.running.engine import Engine
from tests.unit_rules.secrets_helpers import deployment, entry, found, secret

RULE = "anonymous-docker-hub"


def check(text: str):
    engine = Engine(rules=select(extend_select=[RULE]))
    return [f for f in engine.check_text("x.yaml", text).findings if f.rule == RULE]


def test_off_by_default():
    assert found(deployment("a", "redis:7.4.1"), RULE) == []


def test_full_message_when_enabled():
    [finding] = check(deployment("a", "redis:7.4.1"))
    assert finding.message == (
        '"redis:7.4.1" is pulled from Docker Hub without credentials: anonymous pulls are '
        "rate-limited per IP address, so busy or NATed nodes fail with toomanyrequests"
    )
    assert finding.severity.label == "info"


def test_a_docker_hub_secret_covers_it():
    text = secret("hub", {"https://index.docker.io/v1/": entry()}) + deployment(
        "a", "redis:7.4.1", ["hub"]
    )
    assert check(text) == []
    assert check(deployment("b", "ghcr.io/acme/b:1")) == []
