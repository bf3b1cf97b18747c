"""The well-known registry hosts: globs (``*.pkg.dev``) match as fnmatch would."""

from __future__ import annotations

import fnmatch
import itertools

import pytest

from imagelint.images import catalog

GLOBS = [line for line in catalog._lines("registry-hosts.txt") if "*" in line]
HOSTS = [
    "us-central1-docker.pkg.dev",
    "docker.pkg.dev",
    ".pkg.dev",
    "pkg.dev",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com.cn",
    ".dkr.ecr..amazonaws.com",
    "dkr.ecr.amazonaws.com",
    "x.dkr.ecr.amazonaws.com",
    "registry.cn-hangzhou.aliyuncs.com",
    "registry..aliyuncs.com",
    "registry.aliyuncs.com",
    "swr.cn-north-4.myhuaweicloud.com",
    "myregistry.azurecr.io",
    "azurecr.io",
    "us.icr.io",
    "icr.io",
    "iad.ocir.io",
    "ghcr.io",
    "",
]


def test_the_globs_use_no_wildcard_but_the_star():
    assert GLOBS
    assert not [glob for glob in GLOBS if set(glob) & set("?[]")]


@pytest.mark.parametrize(("host", "glob"), list(itertools.product(HOSTS, GLOBS)))
def test_a_glob_matches_as_fnmatch_does(host, glob):
    pieces = tuple(glob.split("*"))
    assert catalog.glob_matches(host, pieces) == fnmatch.fnmatchcase(host, glob)


@pytest.mark.parametrize(
    ("text", "glob"),
    [
        ("abc", "a*c"),
        ("ac", "a*c"),
        ("a", "a*a"),
        ("aa", "a*a"),
        ("aba", "a*b*a"),
        ("ab", "a*b*b"),
        ("abb", "a*b*b"),
        ("xyz", "*"),
        ("", "*"),
        ("abab", "*ab*ab*"),
        ("aab", "*ab*ab*"),
        ("ab", "**"),
    ],
)
def test_edge_cases_match_as_fnmatch_does(text, glob):
    assert catalog.glob_matches(text, tuple(glob.split("*"))) == fnmatch.fnmatchcase(text, glob)
