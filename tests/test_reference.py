"""Normalization as Kubernetes pulls, and the plain-words reason for each kind of defect."""

from __future__ import annotations

import pytest

from imagelint.images.diagnosis import diagnose
from imagelint.images.reference import InvalidReference, Reference, parse

HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize(
    "image, name, tag, digest, pull_tag, docker_ref, given",
    [
        (
            "nginx",
            "docker.io/library/nginx",
            None,
            None,
            "latest",
            "docker.io/library/nginx:latest",
            False,
        ),
        (
            "nginx:1.25",
            "docker.io/library/nginx",
            "1.25",
            None,
            "1.25",
            "docker.io/library/nginx:1.25",
            False,
        ),
        (
            f"nginx@sha256:{HEX}",
            "docker.io/library/nginx",
            None,
            f"sha256:{HEX}",
            None,
            f"docker.io/library/nginx@sha256:{HEX}",
            False,
        ),
        (
            f"nginx:1.25@sha256:{HEX}",
            "docker.io/library/nginx",
            "1.25",
            f"sha256:{HEX}",
            "1.25",
            f"docker.io/library/nginx@sha256:{HEX}",
            False,
        ),
        (
            "registry.example.com:5000/team/app",
            "registry.example.com:5000/team/app",
            None,
            None,
            "latest",
            "registry.example.com:5000/team/app:latest",
            True,
        ),
        (
            "index.docker.io/library/redis:7",
            "docker.io/library/redis",
            "7",
            None,
            "7",
            "docker.io/library/redis:7",
            True,
        ),
        (
            "bitnami/redis:7",
            "docker.io/bitnami/redis",
            "7",
            None,
            "7",
            "docker.io/bitnami/redis:7",
            False,
        ),
        ("localhost/app", "localhost/app", None, None, "latest", "localhost/app:latest", True),
    ],
)
def test_normalization(image, name, tag, digest, pull_tag, docker_ref, given):
    ref = parse(image)
    assert isinstance(ref, Reference)
    assert (ref.name, ref.tag, ref.digest, ref.pull_tag, ref.docker_ref(), ref.domain_given) == (
        name,
        tag,
        digest,
        pull_tag,
        docker_ref,
        given,
    )


def test_familiar_name_and_string():
    assert parse("docker.io/library/nginx:1").familiar_name == "nginx"
    assert parse("docker.io/library/a/b").familiar_name == "library/a/b"
    assert parse("ghcr.io/x/y").familiar_name == "ghcr.io/x/y"
    assert str(parse("nginx:1")) == "docker.io/library/nginx:1"


def test_registry_port_is_not_a_tag():
    ref = parse("registry.example.com:5000/team/app")
    assert ref.domain == "registry.example.com:5000" and ref.tag is None


@pytest.mark.parametrize(
    "image, reason, offset",
    [
        ("", "the image is empty", 0),
        ("   ", "the image is only whitespace", 0),
        (" nginx", "a space at the start", 0),
        ("nginx:1.25 ", "whitespace at the end (a space)", 10),
        ("nginx:1.25\n", "whitespace at the end (a line break)", 10),
        ("ngi nx", "it contains a space", 3),
        ("ngïnx", "it contains the non-ASCII character 'ï' (U+00EF)", 2),
        ("https://ghcr.io/a/b", "an image reference has no URL scheme; remove 'https://'", 0),
        ("MyCompany/API:1.0", "the repository path must be lowercase ('MyCompany')", 0),
        ("ghcr.io/acme/Api", "the repository path must be lowercase ('Api')", 13),
        ("acme/api:1.0:rc1", "a tag may not contain ':'", 12),
        ("nginx::1", "a tag may not contain ':' (is the ':' doubled?)", 6),
        ("acme/api:", "':' must be followed by a tag", 8),
        (":1.0", "the repository name is missing before ':'", 0),
        ("acme/api:-rc", "a tag may not start with '-'", 9),
        ("acme/api:1.0+build", "a tag may not contain '+'", 12),
        ("acme/api:" + "a" * 129, "the tag is 129 characters long; the limit is 128", 137),
        ("acme/api@sha256:abc123", "digest sha256 needs 64 hex characters, got 6", 16),
        (f"acme/api@SHA256:{HEX}", "digest algorithm 'SHA256' must be lowercase", 9),
        (
            f"acme/api@md5:{HEX[:32]}",
            "unsupported digest algorithm 'md5'; use sha256 (or sha384, sha512)",
            9,
        ),
        (f"acme/api@sha256:{HEX.upper()}", "digest hex must be lowercase", 16),
        ("acme/api@sha256:xyz", "digest contains 'x', which is not a hex digit", 16),
        ("acme/api@", "'@' must be followed by a digest such as sha256:<64 hex characters>", 8),
        (f"acme/api@@sha256:{HEX}", "it contains more than one '@'", 9),
        ("registry.acme.io:http/app", "the registry port must be a number, got 'http'", 17),
        ("registry.acme.io:/app", "':' after the registry host must be followed by a port", 16),
        ("my_registry.acme.io:5000/app", "the registry host may not contain '_'", 2),
        ("-registry.acme.io/app", "a registry host label may not start with '-'", 0),
        (
            "registry..acme.io/app",
            "the registry host has an empty label ('..' or a dot at an end)",
            9,
        ),
        (
            "registry.acme.io//app",
            "the repository path has an empty component ('//' or a trailing '/')",
            17,
        ),
        ("acme/app/", "the repository path has an empty component ('//' or a trailing '/')", 9),
        ("registry.acme.io/", "the repository path is missing after the registry host", 17),
        ("acme/app.", "a path component may not end with '.'", 8),
        ("acme/_app", "a path component may not start with '_'", 5),
        ("acme/a..b", "'..' is not allowed in a repository path", 6),
        ("acme/a___b", "'___' is not allowed in a repository path", 6),
        ("acme/a~b", "the repository path may not contain '~'", 6),
        ("[fe80::1%eth0]:5000/a", "an IPv6 zone ('%...') is not allowed in a registry address", 8),
        ("fc00::1:5000/a", "an IPv6 registry address must be in brackets, e.g. [fc00::1]:5000", 0),
        ("[fc00::1]:5000", "a registry address must be followed by '/' and a repository path", 0),
        (HEX, "a 64-character hex string is an image ID, not an image name", 0),
        (
            "ko://github.com/a/b",
            "ko:// is a ko build path, not an image: it becomes one only through 'ko resolve' or 'ko apply' (check their output instead)",
            0,
        ),
        ("a/" + "b" * 300, "the repository path is 302 characters long; the limit is 255", 255),
    ],
)
def test_reason_and_offset(image, reason, offset):
    result = parse(image)
    assert isinstance(result, InvalidReference)
    assert (result.reason, result.offset) == (reason, offset)


def test_overlong_input_is_refused_without_regex():
    result = parse("a" * 1_000_000)
    assert isinstance(result, InvalidReference)
    assert result.reason == "image reference is 1,000,000 characters long; no registry accepts that"


def test_valid_forms_are_valid():
    for image in [
        "[fd00::1]:5000/app:1",
        "Registry.Acme.IO/team/app:1",
        "quay.io/a_b__c---d.e/f:1.0_rc.1",
        "localhost:5000/x",
        "a/b/c/d/e:Tag_1.2-3",
        "127.0.0.1:5000/x@sha384:" + "a" * 96,
    ]:
        assert isinstance(parse(image), Reference), image


def test_diagnose_returns_none_for_unrecognised():
    assert diagnose("nginx") == (None, 0)
