"""Image strings that are not images yet: placeholders to fill in, and ko build inputs.

Documentation and templates write the parts a reader must supply in capitals or as "your ..."
(``REGION-docker.pkg.dev/PROJECT_ID/repo/app``, ``YOUR_REGISTRY/app``,
``your-registry.example.com/app``, ``app:REPLACE_ME``); a Go format string leaves its verb
(``registry.acme.io/%s:1.0``). ko (https://ko.build) builds Go programs into images and replaces
``ko://`` references, and by default bare Go import paths too (``github.com/org/repo/cmd/app``),
with the image it built when it resolves a manifest (``ko resolve``, ``ko apply``): as written
they are build inputs, not pullable images.
"""

from __future__ import annotations

import re

from imagelint.core.patterns import pattern
from imagelint.images.parts import split

KO_SCHEME = "ko://"
# Hosts of Go import paths that serve no container registry (ghcr.io, registry.gitlab.com and
# the like are the registries of these code hosts): an image on one of them is a Go package.
CODE_HOSTS = frozenset(
    {
        "github.com",
        "gitlab.com",
        "bitbucket.org",
        "golang.org",
        "go.googlesource.com",
        "gopkg.in",
        "knative.dev",
        "k8s.io",
        "sigs.k8s.io",
    }
)

# Capitalised words that documentation uses for a value the reader supplies.
PLACEHOLDER_WORDS = frozenset(
    {
        "ACCOUNT",
        "ACCOUNT_ID",
        "ACR_NAME",
        "APP_NAME",
        "AWS_ACCOUNT_ID",
        "AWS_REGION",
        "DOCKER_ID",
        "DOCKER_USER",
        "DOCKER_USERNAME",
        "DOCKERHUB_USER",
        "DOCKERHUB_USERNAME",
        "GCP_PROJECT",
        "GOOGLE_CLOUD_PROJECT",
        "IMAGE",
        "IMAGE_NAME",
        "IMAGE_TAG",
        "LOCATION",
        "NAMESPACE",
        "ORG",
        "ORGANIZATION",
        "PROJECT",
        "PROJECT_ID",
        "PROJECT_NAME",
        "REGION",
        "REGISTRY",
        "REGISTRY_NAME",
        "REGISTRY_URL",
        "REPO",
        "REPO_NAME",
        "REPOSITORY",
        "SERVICE_NAME",
        "TAG",
        "USER",
        "USERNAME",
        "VERSION",
        "ZONE",
    }
)
_LOWER_WORDS = frozenset(
    {"replace-me", "replace_me", "replaceme", "changeme", "change-me", "change_me", "placeholder"}
)
_CAPITAL_WORD = r"(?<![A-Za-z0-9_])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*(?![A-Za-z0-9_])"
_PRINTF = r"%[-+# 0-9.]*[sdvq]"


def ko_input(image: str) -> str | None:
    """Why ``image`` is a ko build input (in words for a message), or None."""
    if image.startswith(KO_SCHEME):
        package = image[len(KO_SCHEME) :]
        return (
            f"it is a ko build input for the Go package {package}: built by ko, not pullable "
            "as written ('ko resolve' or 'ko apply' replaces it with the image ko builds; check "
            "their output instead)"
        )
    host, slash, _ = image.partition("/")
    if slash and host.lower() in CODE_HOSTS:
        return (
            f"it is a Go import path and {host} is a code host, not a container registry: built "
            "by ko, not pullable as written ('ko resolve' or 'ko apply' replaces import paths "
            "with the images ko builds; check their output instead)"
        )
    return None


def placeholders(image: str) -> list[tuple[str, int]]:
    """The placeholders in ``image`` with their offsets, in order: capitalised stand-in words
    (anywhere for the known ones, outside the tag for other capitals with an underscore, which
    no repository path may hold), ``YOUR...`` and ``REPLACE...`` words, ``your-...`` parts,
    ``replace-me``-style words."""
    parts = split(image)
    tag_from = parts.tag_at if parts.tag is not None else len(image)
    found: list[tuple[str, int]] = []
    for match in pattern(_CAPITAL_WORD).finditer(image):
        word, at = match.group(0), match.start()
        if (
            word in PLACEHOLDER_WORDS
            or word.startswith(("YOUR", "REPLACE", "CHANGE_ME", "CHANGEME"))
            or word.endswith("_HERE")
            or ("_" in word and at < tag_from)
        ):
            found.append((word, at))
    at = 0
    for piece in re.split(r"([./:@])", image):
        lowered = piece.lower()
        if piece and piece not in "./:@" and piece not in (w for w, _ in found):
            if lowered in _LOWER_WORDS or (
                lowered.startswith(("your-", "your_")) and piece == lowered
            ):
                found.append((piece, at))
        at += len(piece)
    return sorted(found, key=lambda item: item[1])


def printf_verb(image: str) -> tuple[str, int] | None:
    """A Go/C format verb left in ``image`` (``%s``), with its offset."""
    match = pattern(_PRINTF).search(image)
    return (match.group(0), match.start()) if match else None
