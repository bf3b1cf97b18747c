"""Every rule module under the Protocol of its scope (imagelint.core.contract), for mypy.

Not a rule (the leading underscore keeps it out of the rulebook's discovery), and imported by no
run: mypy checks each assignment below, so a rule whose ``check`` or constants do not fit its
scope fails the type check, and tests/test_registry.py checks that every rule is listed here
under the scope it declares."""

from __future__ import annotations

from imagelint.core.contract import ImageRuleModule, InputRuleModule, RunRuleModule
from imagelint.rules import (
    anonymous_docker_hub,
    deprecated_registry,
    duplicate_key,
    helm_template_file,
    image_too_large,
    image_typo,
    inconsistent_tags,
    invalid_document,
    invalid_encoding,
    invalid_pull_policy,
    invalid_reference,
    latest_tag,
    missing_pull_secret,
    missing_registry,
    missing_tag,
    platform_missing,
    pull_policy_never,
    pull_secret_malformed,
    pull_secret_not_found,
    pull_secret_registry_mismatch,
    pull_secret_wrong_namespace,
    pull_secret_wrong_type,
    registry_auth_failed,
    registry_not_allowed,
    registry_rate_limited,
    registry_unreachable,
    repository_not_found,
    static_ecr_token,
    tag_and_digest,
    tag_not_found,
    trailing_dot,
    unreadable_file,
    unrendered_template,
    unused_pull_secret,
    unused_suppression,
    uppercase_repository,
    yaml_syntax,
)

INPUT: tuple[InputRuleModule, ...] = (
    duplicate_key,
    helm_template_file,
    invalid_document,
    invalid_encoding,
    unreadable_file,
    unused_suppression,
    yaml_syntax,
)
IMAGE: tuple[ImageRuleModule, ...] = (
    deprecated_registry,
    invalid_pull_policy,
    invalid_reference,
    latest_tag,
    missing_tag,
    pull_policy_never,
    registry_not_allowed,
    tag_and_digest,
    trailing_dot,
    unrendered_template,
    uppercase_repository,
)
RUN: tuple[RunRuleModule, ...] = (
    anonymous_docker_hub,
    image_too_large,
    image_typo,
    inconsistent_tags,
    missing_pull_secret,
    missing_registry,
    platform_missing,
    pull_secret_malformed,
    pull_secret_not_found,
    pull_secret_registry_mismatch,
    pull_secret_wrong_namespace,
    pull_secret_wrong_type,
    registry_auth_failed,
    registry_rate_limited,
    registry_unreachable,
    repository_not_found,
    static_ecr_token,
    tag_not_found,
    unused_pull_secret,
)
