from __future__ import annotations

import json

from tests.unit_rules.secrets_helpers import b64, found, secret

RULE = "static-ecr-token"
HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"


def token(expiration: int) -> str:
    return b64(
        json.dumps(
            {
                "payload": "p",
                "datakey": "d",
                "version": "2",
                "type": "DATA_KEY",
                "expiration": expiration,
            }
        )
    )


def test_expired_token_is_an_error_with_its_date():
    [finding] = found(
        secret("ecr", {HOST: {"username": "AWS", "password": token(1704067200)}}), RULE
    )
    assert finding.message == (
        f'pull secret "ecr" holds a static ECR token for {HOST} (user AWS): ECR tokens expire 12 '
        "hours after they are issued (this one expired on 2024-01-01 00:00 UTC); let the nodes "
        "pull with their IAM role (ECR credential provider) or refresh the Secret automatically"
    )
    assert finding.severity.label == "error"


def test_valid_token_is_a_warning():
    [finding] = found(
        secret("ecr", {HOST: {"username": "AWS", "password": token(4102444800)}}), RULE
    )
    assert (
        finding.severity.label == "warning"
        and "(this one expires on 2100-01-01 00:00 UTC)" in finding.message
    )


def test_other_users_and_hosts_are_quiet():
    assert found(secret("ecr", {HOST: {"username": "robot", "password": "x"}}), RULE) == []
    assert found(secret("ecr", {"ghcr.io": {"username": "AWS", "password": "x"}}), RULE) == []
