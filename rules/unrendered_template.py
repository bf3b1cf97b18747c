"""Leftovers of templating in an image string.

## What it finds
An image that still holds template syntax or the text a template engine writes for a missing
value:

- Go/Helm/Jinja expressions: `{{ .Values.image.tag }}`, `{% ... %}`;
- shell and envsubst variables: `${TAG}`, `$TAG`;
- `$(VAR)`: Kubernetes expands it in `command`, `args` and `env`, never in `image`;
- placeholders from documentation and examples: `{username}`, `<your-image>`, `<registry/app:tag>`,
  capitalised stand-ins (`REGION-docker.pkg.dev/PROJECT_ID/repo/app`, `YOUR_REGISTRY/app`,
  `app:REPLACE_ME`), `your-...` parts (`your-registry.example.com/app`), a format verb (`%s`);
  one finding per image, naming every placeholder, instead of the capital-letter and syntax
  errors the literal string would also raise;
- ko build inputs: `ko://knative.dev/serving/cmd/queue`, and bare Go import paths on code hosts
  (`github.com/org/repo/cmd/app`). ko replaces them with the image it builds when it resolves
  the manifest (`ko resolve`, `ko apply`); as written they are not pullable, so they are errors
  here like any other unrendered value (check ko's output instead);
- what a missing value renders to: `<no value>` (Helm), `<nil>`, `%!s(<nil>)` (Go `printf`),
  `None` (Python), `null`, `undefined`, as the whole image, the tag or a path component;
- what an empty value leaves behind: an empty tag (`repo:`), an empty repository (`:1.0`,
  `registry.acme.io/:1.0`), a doubled slash (`registry.acme.io//app`), a leading slash (`/app`).

The message names the Helm value that most likely rendered empty, by chart conventions
(`.Values.image.tag`, `.Values.image.repository`, `.Values.image.registry`). Argo Workflows
parameters (`{{inputs.parameters.image}}`) are filled in at run time and not reported.

## Why it breaks a pull
The string is not the image anyone meant: it is either not a valid reference (`InvalidImageName`)
or names a repository or tag that does not exist (`ImagePullBackOff`).

## Example
```yaml
# helm template rendered with image.tag unset
image: "registry.acme.io/shop/api:"
```

## Fix
Set the missing value (`--set image.tag=2.4.1`, or a default in `values.yaml`:
`{{ .Values.image.tag | default .Chart.AppVersion }}`), render again, and check the output.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from imagelint.core.model import Settings, Violation
from imagelint.images.parts import Parts, split
from imagelint.images.placeholders import ko_input, placeholders, printf_verb
from imagelint.kube.workloads import ImageUse
from imagelint.reporting.messages import shown

NAME = "unrendered-template"
CODE = "IL106"
SEVERITY = "error"
SCOPE = "image"
PURE = True  # for a non-empty image string: depends on the string alone
SUMMARY = "The image holds template leftovers or an empty part where a value was missing."
# The leftover is the root cause: what the other reference rules would say about the literal
# string (capitals in "{{ .Values }}", no tag in "null") is noise.
SUPERSEDES = (
    "invalid-reference",
    "uppercase-repository",
    "trailing-dot",
    "latest-tag",
    "missing-tag",
    "tag-and-digest",
    "deprecated-registry",
    "missing-registry",
    "image-typo",
    "inconsistent-tags",
)

# The leftovers, in the order they are looked for; compiled on first need (most images hold
# none of the characters these start with).
_MARKER_SOURCES = (
    (r"\{\{.*?(?:\}\}|$)|\{%.*?(?:%\}|$)", "a template expression {found} was not rendered"),
    (
        r"\$\([A-Za-z_][A-Za-z0-9_]*\)",
        "{found} is not expanded in 'image' (Kubernetes expands $(VAR) only in command, args "
        "and env)",
    ),
    (r"\$\{[^}]*\}?|\$[A-Za-z_][A-Za-z0-9_]*", "the variable {found} was not substituted"),
    (r"<no value>", "{found} is what Helm renders for a value that is not set"),
    (r"%!s\(<nil>\)|<nil>", "{found} is what Go templates render for a nil value"),
    (
        r"\{[A-Za-z_][A-Za-z0-9_.-]*\}|<[A-Za-z][^<>]*>",
        "{found} is a placeholder: fill it in with the real value",
    ),
)
_TRIGGERS = frozenset("{$<%")


@functools.cache
def _markers() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern), text) for pattern, text in _MARKER_SOURCES)


_LOWER_HINTS = ("your", "replace", "change", "placeholder")


def _fill_in(words: list[tuple[str, int]]) -> str:
    names = list(dict.fromkeys(shown(word) for word, _ in words))
    if len(names) == 1:
        return f"{names[0]} is a placeholder: fill it in with the real value"
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    return f"{listed} are placeholders: fill them in with real values"


_NOTHING_WORDS = frozenset({"None", "none", "null", "Null", "NULL", "nil", "undefined"})


def check(use: ImageUse, settings: Settings) -> Iterator[Violation]:
    image = use.image
    if not image or use.resolved_at_runtime:
        return
    ko = ko_input(image)
    if ko is not None:
        yield Violation(f"image {shown(image)}: {ko}", 0)
        return
    if not _TRIGGERS.isdisjoint(image):
        for pattern, explanation in _markers():
            match = pattern.search(image)
            if match:
                reason = explanation.format(found=shown(match.group(0)))
                yield Violation(f"image {shown(image)}: {reason}", match.start())
                return
        verb = printf_verb(image)
        if verb is not None:
            yield Violation(
                f"image {shown(image)}: the format verb {shown(verb[0])} was never filled in "
                "with a value",
                verb[1],
            )
            return
    if not image.islower() or any(word in image for word in _LOWER_HINTS):
        words = placeholders(image)
        if words:
            yield Violation(f"image {shown(image)}: {_fill_in(words)}", words[0][1])
            return
    found = _empty_part(image)
    if found is None:
        return
    what, helm_value, offset = found
    if use.object.document.source and helm_value:  # rendered by Helm: name the usual value
        cause = f"likely an unset {helm_value}"
    else:
        cause = "a template value rendered empty"
    yield Violation(f"image {shown(image)}: {what} ({cause})", offset)


def _empty_part(image: str) -> tuple[str, str | None, int] | None:
    """What is empty or nothing-valued, the Helm value usually behind it, and where."""
    parts = split(image)
    if image.strip() in _NOTHING_WORDS:
        return f"the image is {shown(image.strip())}, a word for no value", ".Values.image", 0
    if image.startswith("/"):
        return "it starts with '/', so the registry before it is empty", ".Values.image.registry", 0
    double = image.find("//")
    if double != -1 and "://" not in image:
        return (
            f"'//' leaves an empty path component after {shown(image[: double + 1])}",
            None,
            double + 1,
        )
    if parts.tag == "":
        return "the tag after ':' is empty", ".Values.image.tag", parts.tag_at - 1
    if parts.tag is not None:
        name = image[: parts.tag_at - 1]
        if name == "" or name.endswith("/"):
            return "the repository before ':' is empty", ".Values.image.repository", len(name)
    for word, offset in _words(parts):
        if word in _NOTHING_WORDS:
            return f"{shown(word)} stands where a value was expected", None, offset
    return None


def _words(parts: Parts) -> Iterator[tuple[str, int]]:
    offset = parts.path_at
    for component in parts.path.split("/"):
        yield component, offset
        offset += len(component) + 1
    if parts.tag is not None:
        yield parts.tag, parts.tag_at
