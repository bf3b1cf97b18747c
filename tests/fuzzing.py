"""Strategies and property checks for fuzzing imagelint with hypothesis.

Shared by ``tests/test_fuzz.py`` (the fast profile, in the suite) and ``bench/fuzz.py`` (the long
profile, for minutes). The property, for any input: the command line exits 0, 1 or 2, with a
clear message for 2, never a traceback nor a Python warning on stderr; no bug is caught as an
internal error; every finding points inside its file (1 <= line <= number of lines, 1 <= column
<= length of that line + 1, in characters, lines counted as YAML counts them).

Each ``check_*`` function raises :class:`PropertyViolation` (an AssertionError with a stable
``signature``) when the property does not hold. A violation that a :data:`KNOWN` entry matches
(a bug pinned by a strict xfail reproducer in tests/test_fuzz.py), or whose signature is in the
``known`` argument (bench/fuzz.py: the ones it already reported), is let through, so that the
suite stays green while a known bug is open and the fuzzers go on looking for other ones.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import io
import json
import os
import re
import shutil
import string
import subprocess
import sys
import tempfile
import traceback
import warnings
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

import imagelint
import imagelint.rules

PROFILE_ENV = "IMAGELINT_FUZZ"
PROFILES = ("fast", "long")
# The long profile runs this many times the fast profile's examples per test.
LONG_FACTOR = 100
_HEALTH = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
    HealthCheck.large_base_example,
    HealthCheck.function_scoped_fixture,
]
# fast: derandomized (the same cases every run, so the suite is not flaky), no example database.
settings.register_profile(
    "fast",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=_HEALTH,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
)
settings.register_profile(
    "long",
    deadline=None,
    database=None,
    suppress_health_check=_HEALTH,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
)


def profile_name() -> str:
    name = os.environ.get(PROFILE_ENV, "fast").strip() or "fast"
    if name not in PROFILES:
        raise ValueError(f"${PROFILE_ENV}={name!r} is not one of {', '.join(PROFILES)}")
    return name


def fuzz_settings(fast_examples: int) -> settings:
    """Settings for one fuzz test: ``fast_examples`` cases in the fast profile, LONG_FACTOR
    times as many in the long one (``IMAGELINT_FUZZ=long``)."""
    name = profile_name()
    factor = 1 if name == "fast" else LONG_FACTOR
    return settings(settings.get_profile(name), max_examples=fast_examples * factor)


# --- known bugs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Known:
    """A bug the fuzzers found, pinned by a strict xfail test in tests/test_fuzz.py: the
    violations with ``signature`` on an input that ``matches`` are let through."""

    signature: str  # a regular expression the violation's signature must match in full
    test: str  # the xfail test that reproduces it
    matches: Callable[[str], bool]  # on the input (bytes decoded with errors="replace")


def _has(*needles: str) -> Callable[[str], bool]:
    return lambda text: any(needle in text for needle in needles)


# Remove an entry when its bug is fixed (its strict xfail test then fails, as a reminder).
# The eleven found so far are fixed (tests/test_fuzz.py keeps their reproducers).
KNOWN: list[Known] = []


class PropertyViolation(AssertionError):
    def __init__(self, signature: str, detail: str) -> None:
        super().__init__(f"[{signature}] {detail}")
        self.signature = signature
        self.detail = detail


# Signatures of the known violations met and let through (bench/fuzz.py counts them).
SUPPRESSED: list[str] = []
_state: dict[str, Any] = {"input": "", "registry": True}


def _set_input(data: str | bytes) -> None:
    """The input being checked, for the KNOWN entries' ``matches``."""
    _state["input"] = data if isinstance(data, str) else data.decode("utf-8", "replace")


@contextlib.contextmanager
def strict() -> Iterator[None]:
    """Let no violation through as KNOWN (for the xfail reproducers)."""
    _state["registry"] = False
    try:
        yield
    finally:
        _state["registry"] = True


def is_known(signature: str, known: Collection[str] | None = None) -> bool:
    """Whether a violation is let through: its signature is in ``known`` (bench/fuzz.py's
    signatures already reported in this run), or a KNOWN entry matches it and the input."""
    if known is not None and signature in known:
        return True
    if not _state["registry"]:
        return False
    return any(
        re.fullmatch(entry.signature, signature) and entry.matches(_state["input"])
        for entry in KNOWN
    )


def _violate(signature: str, detail: str, known: Collection[str] | None) -> None:
    if is_known(signature, known):
        SUPPRESSED.append(signature)
        return
    raise PropertyViolation(signature, detail)


_PACKAGE_DIRS = tuple(
    os.path.dirname(os.path.abspath(module.__file__ or ""))
    for module in (imagelint, imagelint.rules)
)


def exception_signature(error: BaseException) -> str:
    """'ExcType in <file>:<function>' of the innermost imagelint frame (no line numbers, so the
    signature survives edits elsewhere in the file)."""
    where = "?"
    for frame in traceback.extract_tb(error.__traceback__):
        filename = os.path.abspath(frame.filename)
        for base in _PACKAGE_DIRS:
            if filename.startswith(base + os.sep):
                package = "rules" if base.endswith("rules") else "linter"
                where = f"{package}/{os.path.relpath(filename, base)}:{frame.name}"
    return f"crash:{type(error).__name__} in {where}"


def _crash(error: BaseException, what: str, known: Collection[str] | None) -> None:
    detail = f"{what} raised {type(error).__name__}: {error}\n" + "".join(
        traceback.format_exception(type(error), error, error.__traceback__)
    )
    _violate(exception_signature(error), detail, known)


# --- YAML-printable characters -------------------------------------------------------------------


def _yaml_printable(char: str) -> bool:
    code = ord(char)
    return (
        char in "\t\n\r"
        or 0x20 <= code <= 0x7E
        or code == 0x85
        or 0xA0 <= code <= 0xD7FF
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
        or 0x10000 <= code <= 0x10FFFF
    )


_LINE_BREAKS = "\n\r\x85\u2028\u2029"


def _double_quoted(text: str, ascii_only: bool) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\t":
            out.append("\\t")
        elif char == "\n":
            out.append("\\n")
        elif (
            not _yaml_printable(char)
            or char in _LINE_BREAKS
            or (ascii_only and code > 0x7E)
            or 0xD800 <= code <= 0xDFFF
        ):
            if code <= 0xFF:
                out.append(f"\\x{code:02x}")
            elif code <= 0xFFFF:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


_NOT_PLAIN_START = set("-?:,[]{}#&*!|>'\"%@` \t")
_RESOLVES = re.compile(
    r"~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|n|N|yes|Yes|YES|no|No|NO|on|On|ON"
    r"|off|Off|OFF|[-+]?(?:\.[0-9_]+|[0-9][0-9_.:]*)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN)|0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+|<<|="
)


def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text[0] in _NOT_PLAIN_START or text != text.strip():
        return False
    if any(not _yaml_printable(c) or c in _LINE_BREAKS or c in "\t\ufeff" for c in text):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if flow and any(c in ",[]{}" for c in text):
        return False
    return not _RESOLVES.fullmatch(text)


# --- a YAML emitter that draws its formatting ----------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    name: str
    value: Any


@dataclass(frozen=True)
class Alias:
    name: str


@dataclass(frozen=True)
class Raw:
    """A scalar written exactly as given (whatever YAML makes of it)."""

    text: str


def _pct(draw, percent: int) -> bool:
    return draw(st.integers(0, 99)) < percent


_COMMENT_TEXT = st.one_of(
    st.sampled_from(["TODO", "pinned", "see docs", "imagelint", "#", "{{ x }}", "key: value"]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=20),
)
RULE_TOKENS = st.one_of(
    st.sampled_from(
        [
            "ALL",
            "IL1",
            "IL2",
            "IL101",
            "IL104",
            "IL201",
            "IL402",
            "latest-tag",
            "missing-tag",
            "invalid-reference",
            "pull-secret-not-found",
            "missing-pull-secret",
            "unused-pull-secret",
            "duplicate-key",
            "yaml-syntax",
            "unused-suppression",
            "no-such-rule",
            "IL999",
            "",
        ]
    ),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=3),
)


@st.composite
def disable_comment(draw) -> str:
    kind = draw(st.sampled_from(["disable", "disable-file", "disable", "disable"]))
    tokens = draw(st.lists(RULE_TOKENS, max_size=3))
    space = draw(st.sampled_from(["", " ", "\t"]))
    body = f"#{space}imagelint:{space}{kind}"
    if tokens or _pct(draw, 30):
        body += f"{space}={space}" + ",".join(tokens)
    return body


class Emitter:
    """Writes a value (dicts, lists, scalars, Anchor/Alias/Raw) as YAML, drawing every
    formatting choice: block or flow, quoting, indentation, comments."""

    def __init__(self, draw) -> None:
        self.draw = draw
        self.step = draw(st.sampled_from([2, 2, 2, 4, 3, 1]))
        self.comments = _pct(draw, 30)
        self.lines: list[str] = []

    def pct(self, percent: int) -> bool:
        return _pct(self.draw, percent)

    def trailing_comment(self) -> str:
        if not self.comments or not self.pct(8):
            return ""
        if self.pct(50):
            return "  " + self.draw(disable_comment())
        return "  # " + self.draw(_COMMENT_TEXT)

    def comment_line(self, indent: int) -> None:
        if self.comments and self.pct(4):
            if self.pct(50):
                self.lines.append(" " * indent + self.draw(disable_comment()))
            else:
                self.lines.append(" " * indent + "# " + self.draw(_COMMENT_TEXT))

    def document(self, value: Any) -> str:
        self.lines = []
        if isinstance(value, (dict, list)) and value and not self.pct(10):
            self.block(value, 0)
        else:
            self.lines.append(self.inline(value, flow=False))
        return "\n".join(self.lines)

    def block(self, value: Any, indent: int) -> None:
        if isinstance(value, dict):
            self.mapping(value, indent)
        else:
            self.sequence(value, indent)

    def key(self, key: Any) -> str:
        if isinstance(key, str) and key == "<<":
            return "<<"
        return self.inline(key, flow=False)

    def mapping(self, mapping: dict, indent: int) -> None:
        for key, value in mapping.items():
            self.comment_line(indent)
            self.entry(f"{' ' * indent}{self.key(key)}:", value, indent)

    def _props(self, value: Any) -> tuple[str, Any]:
        if isinstance(value, Anchor):
            return f" &{value.name}", value.value
        return "", value

    def entry(self, head: str, value: Any, indent: int) -> None:
        props, value = self._props(value)
        if isinstance(value, Alias):
            self.lines.append(f"{head} *{value.name}{self.trailing_comment()}")
            return
        if isinstance(value, (dict, list)) and value and not self.pct(15):
            self.lines.append(head + props + self.trailing_comment())
            if isinstance(value, dict):
                self.mapping(value, indent + self.step)
            else:  # a sequence under a key may be indentless
                self.sequence(value, indent + (0 if self.pct(40) else self.step))
            return
        if isinstance(value, str) and "\n" in value and self.pct(40):
            chomp = self.draw(st.sampled_from(["", "-", "+"]))
            style = self.draw(st.sampled_from(["|", ">"]))
            self.lines.append(f"{head}{props} {style}{chomp}")
            pad = " " * (indent + self.step)
            self.lines.extend(pad + line if line else "" for line in value.split("\n"))
            return
        text = self.inline(value, flow=False)
        space = " " if text or props else ""
        self.lines.append(f"{head}{props}{space}{text}{self.trailing_comment()}")

    def sequence(self, items: list, indent: int) -> None:
        pad = " " * indent
        for item in items:
            self.comment_line(indent)
            props, value = self._props(item)
            if isinstance(value, Alias):
                self.lines.append(f"{pad}- *{value.name}")
            elif isinstance(value, dict) and value and not self.pct(15):
                if props or self.pct(5):
                    self.lines.append(f"{pad}-{props}")
                    self.mapping(value, indent + 2)
                else:
                    start = len(self.lines)
                    self.mapping(value, indent + 2)
                    self.lines[start] = pad + "- " + self.lines[start][indent + 2 :]
            elif isinstance(value, list) and value and not self.pct(15):
                self.lines.append(f"{pad}-{props}")
                self.sequence(value, indent + 2)
            else:
                text = self.inline(value, flow=False)
                self.lines.append(f"{pad}-{props} {text}{self.trailing_comment()}".rstrip())

    def inline(self, value: Any, flow: bool) -> str:
        draw = self.draw
        if isinstance(value, Anchor):
            return f"&{value.name} {self.inline(value.value, flow)}"
        if isinstance(value, Alias):
            return f"*{value.name}"
        if isinstance(value, Raw):
            return value.text
        if isinstance(value, dict):
            items = [
                f"{self.key(k) if k != '<<' else '<<'}: {self.inline(v, True)}"
                for k, v in value.items()
            ]
            return "{" + ", ".join(items) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self.inline(v, True) for v in value) + "]"
        if value is None:
            return draw(st.sampled_from(["null", "~", "null"] + ([] if flow else [""])))
        if isinstance(value, bool):
            return draw(st.sampled_from(["true", "True"] if value else ["false", "False"]))
        if isinstance(value, (int, float)):
            return json.dumps(value) if isinstance(value, int) else repr(value)
        text = str(value)
        style = draw(st.sampled_from(["plain", "plain", "plain", "single", "double", "ascii"]))
        if style == "plain" and (_plain_ok(text, flow) or self.pct(3)):
            return text
        if style == "single" and all(_yaml_printable(c) and c not in _LINE_BREAKS for c in text):
            return "'" + text.replace("'", "''") + "'"
        return _double_quoted(text, ascii_only=style == "ascii")


def resolve_aliases(value: Any, anchors: dict[str, Any] | None = None, depth: int = 0) -> Any:
    """The plain Python value (for JSON output): aliases copied, recursion cut off."""
    anchors = {} if anchors is None else anchors
    if depth > 40:
        return None
    if isinstance(value, Anchor):
        anchors[value.name] = None  # a recursive alias resolves to null
        resolved = resolve_aliases(value.value, anchors, depth + 1)
        anchors[value.name] = resolved
        return resolved
    if isinstance(value, Alias):
        return anchors.get(value.name)
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        result: dict = {}
        for key, item in value.items():
            resolved = resolve_aliases(item, anchors, depth + 1)
            if key == "<<":
                for merged in resolved if isinstance(resolved, list) else [resolved]:
                    if isinstance(merged, dict):
                        for name, field in merged.items():
                            result.setdefault(name, field)
                continue
            result[str(key)] = resolved
        return result
    if isinstance(value, list):
        return [resolve_aliases(item, anchors, depth + 1) for item in value]
    return value


# --- image strings -------------------------------------------------------------------------------

HOSTS = [
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "gcr.io",
    "k8s.gcr.io",
    "registry.k8s.io",
    "quay.io",
    "ghcr.io",
    "mcr.microsoft.com",
    "public.ecr.aws",
    "registry.gitlab.com",
    "localhost",
    "localhost:5000",
    "127.0.0.1:5000",
    "[::1]:5000",
    "[fe80::1]",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com",
    "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com",
    "registry.example.com",
    "registry.example.com:443",
    "*.example.com",
    "my_registry.io",
    "Registry.Example.COM",
    "gcr.oi",
    "qauy.io",
    "dockerhub.io",
    "example.com.",
    "-bad.example.com",
    "a..b",
    "xn--bcher-kva.example",
    "bücher.example",
]
_ECR_HOSTS = [host for host in HOSTS if ".dkr.ecr" in host]
_VALID_PATH = st.from_regex(
    r"[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,5})?(?:/[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,5})?){0,2}",
    fullmatch=True,
)
_PATH_ALPHABET = "abcdefxyz0189._-/ABZ_"
_TAG_ALPHABET = "abcvxyz019.-_ABV"
_HEX = "0123456789abcdef"
TEMPLATES = [
    "{{ .Values.image.repository }}:{{ .Values.image.tag }}",
    "{{ .Values.image }}",
    "{{.Values.registry}}/app:{{ .Chart.AppVersion }}",
    "${IMAGE}",
    "${REGISTRY}/app:${TAG}",
    "$(IMAGE_TAG)",
    "<no value>",
    "app:<no value>",
    "%{tag}",
    "__TAG__",
    "REPLACE_ME",
    "ko://github.com/example/cmd/app",
    "{{workflow.parameters.image}}",
    "{{inputs.parameters.image}}:latest",
    "registry.example.com/:tag",
    "registry.example.com/app:",
    "app@",
    ":",
    "/",
    "@sha256:",
]
_UNICODE = st.characters(blacklist_categories=("Cs",))


@st.composite
def digests(draw) -> str:
    algorithm = draw(st.sampled_from(["sha256", "sha256", "sha512", "sha384", "md5", "SHA256", ""]))
    length = {"sha256": 64, "sha512": 128, "sha384": 96}.get(algorithm, 64)
    if _pct(draw, 30):
        length = draw(st.integers(0, 140))
    alphabet = _HEX + ("ABCDEFG" if _pct(draw, 20) else "")
    hex_part = draw(st.text(alphabet, min_size=length, max_size=length))
    return f"{algorithm}:{hex_part}"


@st.composite
def structured_images(draw) -> str:
    parts = []
    if _pct(draw, 60):
        parts.append(draw(st.sampled_from(HOSTS)) + "/")
    path = draw(
        st.one_of(
            st.sampled_from(
                ["nginx", "library/nginx", "org/app", "bitnami/redis", "team/sub/app", "App", ""]
            ),
            _VALID_PATH,
            _VALID_PATH,
            st.text(_PATH_ALPHABET, min_size=1, max_size=30),
            st.text(_PATH_ALPHABET, min_size=250, max_size=300),
        )
    )
    parts.append(path)
    if _pct(draw, 60):
        tag = draw(
            st.one_of(
                st.sampled_from(["latest", "v1.2.3", "1.2.3", "1.25", "stable-", "v1.", "x_", ""]),
                st.text(_TAG_ALPHABET, max_size=20),
                st.text(_TAG_ALPHABET, min_size=125, max_size=135),
            )
        )
        parts.append(":" + tag)
    if _pct(draw, 25):
        parts.append("@" + draw(digests()))
    return "".join(parts)


@st.composite
def mutated_images(draw) -> str:
    image = draw(st.one_of(structured_images(), st.sampled_from(TEMPLATES)))
    for _ in range(draw(st.integers(1, 3))):
        how = draw(
            st.sampled_from(["insert", "replace", "upper", "space", "long", "template", "cut"])
        )
        at = draw(st.integers(0, len(image)))
        if how == "insert":
            image = image[:at] + draw(st.text(_UNICODE, min_size=1, max_size=3)) + image[at:]
        elif how == "replace" and image:
            at = min(at, len(image) - 1)
            image = image[:at] + draw(_UNICODE) + image[at + 1 :]
        elif how == "upper":
            image = image[:at] + image[at:].upper()
        elif how == "space":
            space = draw(st.sampled_from([" ", "\t", "\n", "\u00a0", "\u3000", "\r\n", "\u2028"]))
            image = draw(st.sampled_from([space + image, image + space, image[:at] + space]))
        elif how == "long":
            image = image * draw(st.integers(2, 5000 // max(len(image), 1) + 2))
        elif how == "template":
            image = image[:at] + draw(st.sampled_from(TEMPLATES)) + image[at:]
        elif how == "cut":
            image = image[:at]
    return image


def image_strings() -> st.SearchStrategy[str]:
    """Image references: well-formed, nearly so, templated, unicode, very long, random."""
    return st.one_of(
        structured_images(),
        mutated_images(),
        st.sampled_from(TEMPLATES),
        st.text(_UNICODE, max_size=40),
        st.text(string.printable, max_size=40),
    )


# --- Kubernetes objects --------------------------------------------------------------------------

_DNS = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
_ODD_NAME = st.one_of(
    st.text(_UNICODE, max_size=12),
    st.sampled_from(["", " regcred", "regcred ", "RegCred", "reg_cred", "a" * 300, "ns/name"]),
)


@dataclass
class World:
    """Names shared by the objects of one generated file, so that references meet."""

    secrets: list[str]
    namespaces: list[str]
    hosts: list[str]
    accounts: list[str]


@st.composite
def worlds(draw) -> World:
    secrets = draw(
        st.lists(
            st.one_of(st.sampled_from(["regcred", "pull-secret", "ecr", "ghcr"]), _DNS, _ODD_NAME),
            min_size=1,
            max_size=4,
        )
    )
    namespaces = draw(
        st.lists(
            st.one_of(st.sampled_from(["default", "prod", "kube-system"]), _DNS, _ODD_NAME),
            min_size=1,
            max_size=3,
        )
    )
    hosts = draw(st.lists(st.sampled_from(HOSTS), min_size=1, max_size=4))
    accounts = draw(st.lists(st.one_of(st.just("default"), _DNS), min_size=1, max_size=2))
    return World(secrets, namespaces, hosts, accounts)


@st.composite
def world_images(draw, world: World) -> Any:
    kind = draw(st.integers(0, 99))
    if kind < 35:  # an image of one of the file's registries, often fine
        host = draw(st.sampled_from(world.hosts))
        name = draw(st.sampled_from(["app", "team/app", "nginx", "org/tool"]))
        tag = draw(st.sampled_from(["", ":1.0", ":v1.2.3", ":latest", ":1.2.3"]))
        return f"{host}/{name}{tag}"
    if kind < 85:
        return draw(image_strings())
    # not a string at all
    return draw(
        st.sampled_from(
            [None, 1.25, 42, True, [], {}, ["nginx"], {"repository": "nginx", "tag": "1"}]
        )
    )


@st.composite
def metadata(draw, world: World, name: Any = None) -> dict:
    meta: dict[str, Any] = {}
    if _pct(draw, 95):
        meta["name"] = name if name is not None else draw(st.one_of(_DNS, _ODD_NAME))
    if _pct(draw, 50):
        meta["namespace"] = draw(st.sampled_from(world.namespaces))
    if _pct(draw, 20):
        notes: dict[str, Any] = {}
        if _pct(draw, 60):
            notes["imagelint.io/disable"] = ",".join(draw(st.lists(RULE_TOKENS, max_size=3)))
        if _pct(draw, 40):
            notes["image.openshift.io/triggers"] = draw(
                st.one_of(
                    st.just(
                        '[{"from":{"kind":"ImageStreamTag","name":"app:latest"},'
                        '"fieldPath":"spec.template.spec.containers[?(@.name==\\"app\\")].image"}]'
                    ),
                    st.sampled_from(["[", "{}", "[1, 2]", '[{"fieldPath": 3}]', "null"]),
                    st.text(_UNICODE, max_size=10),
                )
            )
        if _pct(draw, 20):
            notes[draw(_DNS)] = draw(st.text(_UNICODE, max_size=10))
        meta["annotations"] = notes
    if _pct(draw, 10):
        meta["labels"] = {"app": draw(_DNS)}
    return meta


@st.composite
def containers(draw, world: World, name: str) -> dict:
    container: dict[str, Any] = {}
    if _pct(draw, 90):
        container["name"] = name
    if _pct(draw, 93):
        container["image"] = draw(world_images(world))
    if _pct(draw, 40):
        container["imagePullPolicy"] = draw(
            st.one_of(
                st.sampled_from(["Always", "IfNotPresent", "Never", "always", "Sometimes", ""]),
                st.sampled_from([None, 1, True]),
            )
        )
    if _pct(draw, 15):
        container["ports"] = [{"containerPort": draw(st.integers(-1, 70000))}]
    if _pct(draw, 5):  # other fields Kubernetes has, some of the wrong type
        container[draw(st.sampled_from(["command", "args", "env", "resources"]))] = draw(
            st.sampled_from([["sh", "-c", "true"], "x", None, {"a": 1}])
        )
    return container


@st.composite
def placements(draw) -> dict:
    spec: dict[str, Any] = {}
    archs = ["amd64", "arm64", "arm", "s390x", "ppc64le", "", "AMD64"]
    if _pct(draw, 50):
        spec["nodeSelector"] = {
            draw(
                st.sampled_from(
                    [
                        "kubernetes.io/arch",
                        "kubernetes.io/os",
                        "beta.kubernetes.io/arch",
                        "node-role",
                    ]
                )
            ): draw(
                st.one_of(
                    st.sampled_from(archs + ["linux", "windows"]),
                    st.text(_UNICODE, max_size=6),
                    st.sampled_from([None, 1, True, ["amd64"]]),
                )
            )
        }
    if _pct(draw, 40):
        operator = draw(st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "in", ""]))
        values = draw(
            st.one_of(st.lists(st.sampled_from(archs), max_size=3), st.just("amd64"), st.none())
        )
        expression: dict[str, Any] = {
            "key": draw(st.sampled_from(["kubernetes.io/arch", "kubernetes.io/os", "zone"])),
            "operator": operator,
        }
        if values is not None:
            expression["values"] = values
        terms = [{"matchExpressions": [expression]}]
        if _pct(draw, 20):
            terms.append({"matchFields": [expression]})
        spec["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": draw(
                    st.sampled_from(
                        [
                            {"nodeSelectorTerms": terms},
                            {"nodeSelectorTerms": []},
                            {"nodeSelectorTerms": None},
                            terms,
                        ]
                    )
                )
            }
        }
    return spec


@st.composite
def pod_specs(draw, world: World) -> dict:
    spec: dict[str, Any] = {}
    count = draw(st.integers(0, 3))
    listed = [draw(containers(world, f"c{i}")) for i in range(count)]
    anchored = False
    if listed and _pct(draw, 15):
        listed[0] = Anchor("c0", listed[0])
        anchored = True
    spec["containers"] = listed if _pct(draw, 95) else draw(st.sampled_from([None, "nginx", {}]))
    if _pct(draw, 25):
        init: list[Any] = [draw(containers(world, "init"))]
        if anchored:
            init = draw(
                st.sampled_from([[Alias("c0")], [{"<<": Alias("c0"), "name": "init-merged"}]])
            )
        spec["initContainers"] = init
    if _pct(draw, 5):
        spec["ephemeralContainers"] = [draw(containers(world, "debug"))]
    if _pct(draw, 45):
        refs = draw(
            st.lists(
                st.one_of(
                    st.builds(lambda n: {"name": n}, st.sampled_from(world.secrets)),
                    st.builds(lambda n: {"name": n}, _ODD_NAME),
                    st.sampled_from([{}, {"name": None}, "regcred", None, {"name": 3}]),
                ),
                max_size=3,
            )
        )
        spec["imagePullSecrets"] = refs
    if _pct(draw, 30):
        spec["serviceAccountName"] = draw(st.one_of(st.sampled_from(world.accounts), _ODD_NAME))
    if _pct(draw, 10):
        spec["volumes"] = [
            {
                "name": "data",
                "image": {"reference": draw(world_images(world)), "pullPolicy": "IfNotPresent"},
            },
            {"name": "rbd", "rbd": {"image": "not-a-container-image"}},
        ]
    spec.update(draw(placements()))
    return spec


_WORKLOADS = [
    ("v1", "Pod", ("spec",)),
    ("apps/v1", "Deployment", ("spec", "template", "spec")),
    ("apps/v1", "StatefulSet", ("spec", "template", "spec")),
    ("apps/v1", "DaemonSet", ("spec", "template", "spec")),
    ("apps/v1", "ReplicaSet", ("spec", "template", "spec")),
    ("v1", "ReplicationController", ("spec", "template", "spec")),
    ("v1", "PodTemplate", ("template", "spec")),
    ("batch/v1", "Job", ("spec", "template", "spec")),
    ("batch/v1", "CronJob", ("spec", "jobTemplate", "spec", "template", "spec")),
    ("argoproj.io/v1alpha1", "Rollout", ("spec", "template", "spec")),
    ("serving.knative.dev/v1", "Service", ("spec", "template", "spec")),
    ("serving.knative.dev/v1", "Revision", ("spec",)),
    ("apps.openshift.io/v1", "DeploymentConfig", ("spec", "template", "spec")),
    ("example.com/v1", "Widget", ("spec", "template", "spec")),
    ("example.com/v1", "Gadget", ("spec", "jobTemplate", "template", "spec")),
    ("apps/v1", "Deployment", ("spec", "template")),  # misplaced pod spec
    ("v1", "Service", ("spec",)),
]


def _nest(path: tuple[str, ...], leaf: Any) -> dict:
    value = leaf
    for key in reversed(path):
        value = {key: value}
    return value


@st.composite
def workloads(draw, world: World) -> dict:
    api_version, kind, path = draw(st.sampled_from(_WORKLOADS))
    obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind}
    obj["metadata"] = draw(metadata(world))
    pod = draw(pod_specs(world))
    if _pct(draw, 10) and path[0] == "spec":
        pod = Anchor("pod", pod)
    body = _nest(path[1:], pod) if len(path) > 1 else pod
    obj[path[0]] = body
    if kind == "DeploymentConfig" and _pct(draw, 50):
        spec = obj["spec"]
        spec["triggers"] = [
            {"type": "ImageChange", "imageChangeParams": {"containerNames": ["c0", None, 3]}}
        ]
    return obj


@st.composite
def argo_workflows(draw, world: World) -> dict:
    kind = draw(st.sampled_from(["Workflow", "WorkflowTemplate", "CronWorkflow"]))
    templates = []
    for index in range(draw(st.integers(0, 3))):
        template: dict[str, Any] = {"name": f"t{index}"}
        key = draw(st.sampled_from(["container", "script", "containerSet", "initContainers"]))
        container = draw(containers(world, f"c{index}"))
        if key == "containerSet":
            template[key] = {"containers": [container]}
        elif key == "initContainers":
            template[key] = [container]
            template["sidecars"] = [draw(containers(world, "side"))]
        else:
            template[key] = container
        templates.append(template)
    spec: dict[str, Any] = {"templates": templates}
    if _pct(draw, 30):
        spec["imagePullSecrets"] = [{"name": draw(st.sampled_from(world.secrets))}]
    body = {"workflowSpec": spec} if kind == "CronWorkflow" else spec
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": kind,
        "metadata": draw(metadata(world)),
        "spec": body,
    }


@st.composite
def ecr_passwords(draw) -> str:
    expiration = draw(
        st.one_of(
            st.integers(-(2**70), 2**70),
            st.floats(allow_nan=True, allow_infinity=True),
            st.sampled_from([1700000000, 4102444800, "soon", None, [1]]),
        )
    )
    payload = json.dumps({"payload": "x", "datakey": "y", "version": "2", "expiration": expiration})
    encoded = base64.b64encode(payload.encode()).decode()
    return encoded.rstrip("=") if _pct(draw, 30) else encoded


@st.composite
def docker_config_payloads(draw, world: World) -> Any:
    """A .dockerconfigjson / .dockercfg value, right or wrong in all the ways people get it."""
    entries: dict[str, Any] = {}
    for _ in range(draw(st.integers(0, 3))):
        host = draw(st.one_of(st.sampled_from(world.hosts), st.sampled_from(HOSTS)))
        key = draw(
            st.sampled_from(
                [
                    host,
                    f"https://{host}",
                    f"https://{host}/v1/",
                    f"http://{host}/v2/org",
                    f"https://user:pw@{host}",
                    f"{host}/org/app",
                    "https://[::1",
                    "",
                    "https://",
                ]
            )
        )
        if _pct(draw, 10):
            key = draw(st.text(_UNICODE, max_size=12))
        user = draw(st.sampled_from(["user", "AWS", "", "_json_key", "ü"]))
        secret = draw(st.one_of(st.just("pass"), ecr_passwords(), st.text(_UNICODE, max_size=8)))
        form = draw(st.integers(0, 10))
        entry: Any
        if form == 10:  # a static ECR token
            key = draw(st.sampled_from(_ECR_HOSTS))
            entry = {"username": "AWS", "password": draw(ecr_passwords())}
            if _pct(draw, 50):
                entry = {"auth": base64.b64encode(f"AWS:{entry['password']}".encode()).decode()}
        elif form <= 3:
            auth = base64.b64encode(f"{user}:{secret}".encode()).decode()
            entry = {"auth": auth.rstrip("=") if form == 1 else auth}
            if form == 2:
                entry["auth"] = auth[: draw(st.integers(0, len(auth)))] + "!"
            if form == 3:
                entry["auth"] = base64.b64encode(user.encode()).decode()
        elif form <= 5:
            entry = {"username": user, "password": secret}
        elif form == 6:
            entry = {"identitytoken": "tok"}
        elif form == 7:
            entry = draw(st.sampled_from([{}, [], "auth", None, {"auth": 5}, {"auth": ""}]))
        else:
            entry = {"auth": draw(st.text(_UNICODE, max_size=10))}
        entries[key] = entry
    shape = draw(st.integers(0, 9))
    document: Any
    if shape <= 5:
        document = {"auths": entries}
    elif shape == 6:
        document = entries  # legacy .dockercfg layout
    elif shape == 7:
        document = draw(st.sampled_from([{"auths": []}, {"auths": None}, [], "x", 1, {}]))
    else:
        document = None
    if document is None:
        raw = draw(st.one_of(st.text(_UNICODE, max_size=30), st.sampled_from(["{", "", "{]"])))
    else:
        raw = json.dumps(document, ensure_ascii=draw(st.booleans()))
    return raw


@st.composite
def secrets(draw, world: World) -> dict:
    key = draw(st.sampled_from([".dockerconfigjson", ".dockercfg", "config.json", "token"]))
    type_ = draw(
        st.one_of(
            st.sampled_from(
                [
                    "kubernetes.io/dockerconfigjson",
                    "kubernetes.io/dockercfg",
                    "Opaque",
                    "kubernetes.io/basic-auth",
                    "kubernetes.io/dockerconfigJson",
                ]
            ),
            st.none(),
        )
    )
    if type_ in ("kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg") and _pct(draw, 70):
        key = ".dockerconfigjson" if type_.endswith("json") else ".dockercfg"
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret"}
    obj["metadata"] = draw(metadata(world, draw(st.sampled_from(world.secrets))))
    if type_ is not None:
        obj["type"] = type_
    payload = draw(docker_config_payloads(world))
    where = draw(st.integers(0, 9))
    if where <= 4:
        encoded = base64.b64encode(payload.encode("utf-8")).decode()
        mangle = draw(st.integers(0, 9))
        if mangle == 0:
            encoded = encoded.rstrip("=")
        elif mangle == 1:
            encoded = encoded[: draw(st.integers(0, len(encoded)))] + "*"
        elif mangle == 2:
            encoded = "\n".join(encoded[i : i + 8] for i in range(0, len(encoded), 8))
        obj["data"] = {key: encoded}
    elif where <= 7:
        obj["stringData"] = {key: payload}
    elif where == 8:
        obj["data"] = {key: draw(st.sampled_from([None, 5, [], {"a": 1}]))}
    else:
        obj["data"] = draw(st.sampled_from([None, "x", [], {}]))
    if _pct(draw, 15):
        obj["metadata"].setdefault("annotations", {})["secretgen.carvel.dev/image-pull-secret"] = ""
    return obj


@st.composite
def service_accounts(draw, world: World) -> dict:
    obj = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": draw(metadata(world, draw(st.sampled_from(world.accounts)))),
    }
    if _pct(draw, 80):
        obj["imagePullSecrets"] = [
            {"name": draw(st.one_of(st.sampled_from(world.secrets), _ODD_NAME))}
            for _ in range(draw(st.integers(0, 2)))
        ]
    return obj


@st.composite
def secret_makers(draw, world: World) -> dict:
    name = draw(st.sampled_from(world.secrets))
    kind = draw(st.sampled_from(["SealedSecret", "ExternalSecret", "SecretImport"]))
    type_ = draw(st.sampled_from(["kubernetes.io/dockerconfigjson", "Opaque", None]))
    if kind == "SealedSecret":
        spec: dict[str, Any] = {"encryptedData": {".dockerconfigjson": "AgB..."}}
        if type_:
            spec["template"] = {"type": type_}
        return {
            "apiVersion": "bitnami.com/v1alpha1",
            "kind": kind,
            "metadata": {"name": name},
            "spec": spec,
        }
    if kind == "ExternalSecret":
        target: dict[str, Any] = {"name": name}
        if type_:
            target["template"] = {"type": type_, "data": {".dockerconfigjson": "{{ .x }}"}}
        return {
            "apiVersion": "external-secrets.io/v1beta1",
            "kind": kind,
            "metadata": {"name": draw(_DNS)},
            "spec": {"target": target, "data": [{"secretKey": ".dockerconfigjson"}]},
        }
    return {
        "apiVersion": "secretgen.carvel.dev/v1alpha1",
        "kind": kind,
        "metadata": {"name": name, "namespace": draw(st.sampled_from(world.namespaces))},
    }


@st.composite
def odd_documents(draw, world: World) -> Any:
    """Things that are not quite objects: missing or non-string apiVersion/kind, scalars."""
    return draw(
        st.sampled_from(
            [
                {"apiVersion": "v1"},
                {"kind": "Pod", "spec": {"containers": [{"image": "nginx"}]}},
                {"apiVersion": 1, "kind": "Pod"},
                {"apiVersion": "v1", "kind": ["Pod"]},
                {"apiVersion": "v1", "kind": "Pod", "metadata": "x", "spec": []},
                {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [None, "x", [1]]}},
                {"apiVersion": "v1", "kind": "List", "items": "x"},
                {"apiVersion": "v1", "kind": "DeploymentList", "items": [{"spec": None}]},
                {"apiVersion": "/", "kind": "Pod"},
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}},
                "just a string",
                None,
                [],
                42,
            ]
        )
    )


@st.composite
def kube_objects(draw, world: World) -> Any:
    which = draw(st.integers(0, 99))
    if which < 45:
        return draw(workloads(world))
    if which < 65:
        return draw(secrets(world))
    if which < 75:
        return draw(service_accounts(world))
    if which < 82:
        return draw(argo_workflows(world))
    if which < 88:
        return draw(secret_makers(world))
    return draw(odd_documents(world))


@st.composite
def kube_files(draw) -> str:
    """A manifest file of Kubernetes objects, written with randomly chosen YAML formatting."""
    world = draw(worlds())
    objects = draw(st.lists(kube_objects(world), min_size=1, max_size=5))
    layout = draw(st.integers(0, 19))
    if layout == 0 and objects:  # kind: List
        documents: list[Any] = [{"apiVersion": "v1", "kind": "List", "items": objects}]
    elif layout == 1 and objects:  # a bare list of objects (invalid-document)
        documents = [objects]
    else:
        documents = objects
    if layout == 2:  # a whole JSON file
        text = json.dumps(
            resolve_aliases(documents[0] if len(documents) == 1 else documents),
            indent=draw(st.sampled_from([None, 2, 4])),
            ensure_ascii=draw(st.booleans()),
        )
        return text
    emitter = Emitter(draw)
    parts = []
    for index, document in enumerate(documents):
        lines = []
        if _pct(draw, 15):
            lines.append(f"# Source: chart/templates/{draw(_DNS)}.yaml")
        if _pct(draw, 5):
            lines.append(draw(disable_comment()))
        body = emitter.document(document)
        if _pct(draw, 3) and body:  # a repeated key, at the end of the document's mapping
            first = body.split("\n", 1)[0]
            if re.match(r"[A-Za-z]+:", first):
                body += "\n" + first
        lines.append(body)
        separator = draw(st.sampled_from(["---", "---", "--- # next", "---\n"]))
        if index > 0 and _pct(draw, 10):
            separator = "...\n---"
        if index > 0 or _pct(draw, 30):
            lines.insert(0, separator)
        parts.append("\n".join(lines))
    text = "\n".join(parts)
    if _pct(draw, 70):
        text += "\n"
    if _pct(draw, 10):
        text = text.replace("\n", "\r\n")
    if _pct(draw, 5):
        text = "\ufeff" + text
    return text


@st.composite
def run_settings(draw) -> Any:
    """Settings a run may be given: namespace and the rule options the offline rules read."""
    from imagelint.core.model import Settings

    options: dict[str, Any] = {}
    hosts = st.one_of(
        st.sampled_from(HOSTS),
        st.text(_UNICODE, max_size=10),
        st.sampled_from(["*.example.com", "registry.example.com/team", "*", ""]),
    )
    if _pct(draw, 30):
        options["private-registries"] = draw(st.lists(hosts, max_size=3))
    if _pct(draw, 20):
        options["allowed-registries"] = draw(st.lists(hosts, max_size=3))
    if _pct(draw, 20):
        options["external-secrets"] = draw(
            st.lists(
                st.one_of(
                    st.sampled_from(["*/regcred", "default/ecr", "*/*", "x"]),
                    st.text(_UNICODE, max_size=10),
                ),
                max_size=2,
            )
        )
    if _pct(draw, 20):
        options["require-secrets"] = True
    namespace = draw(st.one_of(st.just("default"), _DNS, st.text(_UNICODE, max_size=8)))
    return Settings(namespace=namespace, options=options)


# --- raw YAML-ish text ---------------------------------------------------------------------------

_TOKENS = [
    "key", "image", "apiVersion", "kind", "containers", "name", "nginx:1.25", "v1", "Pod",
    ":", ": ", "- ", "-", "{", "}", "[", "]", ",", "&a", "*a", "&b ", "*b", "<<: ", "<<",
    "!!str ", "!!map", "!!binary ", "!!int", "!foo ", "!<tag:x> ", "|", ">", "|-", ">+", "|2",
    "'", '"', "\t", "#", " # imagelint: disable", "---", "...", "%YAML 1.1", "%TAG ! x:",
    "? ", "{{ .Values.x }}", "${X}", "@sha256:", "\\", "\\x00", "\\u12", "\n", "\n", "\n  ",
    "\n    ", "\n- ", "  ", " ", "\r", "\r\n", "\ufeff", "\x85", "\u2028", "\x00", "\x07",
    "~", "null", "yes", "0x1F", "1e9", ".inf",
]  # fmt: skip


@st.composite
def yamlish_texts(draw) -> str:
    """Random YAML-looking text: tokens of the syntax, indentation, unicode."""
    pieces = draw(
        st.lists(
            st.one_of(
                st.sampled_from(_TOKENS),
                st.sampled_from(_TOKENS),
                st.text(_UNICODE, min_size=1, max_size=4),
            ),
            max_size=60,
        )
    )
    return "".join(pieces)


@st.composite
def yamlish_lines(draw) -> str:
    """Line-shaped YAML-ish text: each line an indentation, maybe a dash, a key and a value."""
    lines = []
    for _ in range(draw(st.integers(0, 15))):
        indent = " " * draw(st.integers(0, 8))
        dash = draw(st.sampled_from(["", "", "- ", "-"]))
        key = draw(st.sampled_from(["image", "containers", "kind", "name", "a", "<<", "? x", ""]))
        sep = draw(st.sampled_from([": ", ":", " ", ""]))
        value = draw(st.one_of(st.sampled_from(_TOKENS), image_strings()))
        lines.append(f"{indent}{dash}{key}{sep}{value}")
    return "\n".join(lines)


def raw_texts() -> st.SearchStrategy[str]:
    return st.one_of(
        yamlish_texts(),
        yamlish_lines(),
        st.text(_UNICODE, max_size=200),
    )


# --- bytes ------------------------------------------------------------------------------------

_BOMS = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"]


@st.composite
def byte_inputs(draw) -> bytes:
    """File contents: random bytes, BOMs, NULs, broken UTF-8, UTF-16/32, git-crypt headers."""
    how = draw(st.integers(0, 7))
    if how == 0:
        return draw(st.binary(max_size=300))
    text = draw(st.one_of(kube_files(), raw_texts()))
    if how == 1:
        encoding = draw(st.sampled_from(["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]))
        bom = {
            "utf-16-le": _BOMS[1],
            "utf-16-be": _BOMS[2],
            "utf-32-le": _BOMS[3],
            "utf-32-be": _BOMS[4],
        }[encoding]
        data = bom + text.encode(encoding)
        if _pct(draw, 30) and data:
            data = data[: draw(st.integers(0, len(data)))]
        return data
    data = text.encode("utf-8")
    if how == 2:
        return draw(st.sampled_from(_BOMS)) + data
    if how == 3:
        return b"\x00GITCRYPT\x00" + data
    at = draw(st.integers(0, len(data)))
    insert = draw(
        st.one_of(
            st.sampled_from(
                [
                    b"\x00",
                    b"\xff",
                    b"\xc3",
                    b"\xe2\x82",
                    b"\xed\xa0\x80",
                    b"\xc0\xaf",
                    b"\xf4\x90\x80\x80",
                    b"\r",
                    b"\x1b[31m",
                ]
            ),
            st.binary(min_size=1, max_size=4),
        )
    )
    return data[:at] + insert + data[at:]


# --- mutations of corpus files ------------------------------------------------------------------

MUTATIONS = (
    "byte-flip",
    "truncate",
    "duplicate-line",
    "delete-line",
    "swap-indentation",
    "insert-tab",
    "image-unicode",
    "swap-lines",
    "reindent-line",
    "insert-token",
)
_IMAGE_LINE = re.compile(rb"^(\s*-?\s*image:\s*)(.*)$", re.MULTILINE)


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


@st.composite
def mutate(draw, data: bytes) -> tuple[bytes, list[str]]:
    """Apply one to three mutations; return the bytes and the names of the mutations applied."""
    applied = []
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(MUTATIONS))
        applied.append(how)
        lines = _lines(data)
        if how == "byte-flip" and data:
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif how == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif how == "duplicate-line":
            at = draw(st.integers(0, len(lines) - 1))
            lines.insert(at, lines[at])
            data = b"\n".join(lines)
        elif how == "delete-line" and len(lines) > 1:
            del lines[draw(st.integers(0, len(lines) - 1))]
            data = b"\n".join(lines)
        elif how in ("swap-indentation", "swap-lines") and len(lines) > 1:
            a = draw(st.integers(0, len(lines) - 1))
            b = draw(st.integers(0, len(lines) - 1))
            if how == "swap-lines":
                lines[a], lines[b] = lines[b], lines[a]
            else:
                body_a, body_b = lines[a].lstrip(b" \t"), lines[b].lstrip(b" \t")
                pad_a = lines[a][: len(lines[a]) - len(body_a)]
                pad_b = lines[b][: len(lines[b]) - len(body_b)]
                lines[a], lines[b] = pad_b + body_a, pad_a + body_b
            data = b"\n".join(lines)
        elif how == "insert-tab":
            at = draw(st.integers(0, len(lines) - 1))
            column = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:column] + b"\t" + lines[at][column:]
            data = b"\n".join(lines)
        elif how == "reindent-line":
            at = draw(st.integers(0, len(lines) - 1))
            shift = draw(st.sampled_from([-2, -1, 1, 2, 4]))
            body = lines[at].lstrip(b" ")
            pad = max(0, len(lines[at]) - len(body) + shift)
            lines[at] = b" " * pad + body
            data = b"\n".join(lines)
        elif how == "image-unicode":
            matches = list(_IMAGE_LINE.finditer(data))
            if matches:
                match = draw(st.sampled_from(matches))
                value = draw(image_strings())
                quoted = draw(st.sampled_from(["plain", "double", "single"]))
                if quoted == "double":
                    value = _double_quoted(value, False)
                elif quoted == "single":
                    value = "'" + value.replace("'", "''") + "'"
                encoded = value.encode("utf-8")
                data = data[: match.start(2)] + encoded + data[match.end(2) :]
            else:
                applied[-1] = "image-unicode(no image line)"
        elif how == "insert-token":
            at = draw(st.integers(0, len(data)))
            token = draw(st.one_of(st.sampled_from(_TOKENS), st.text(_UNICODE, max_size=3)))
            data = data[:at] + token.encode("utf-8") + data[at:]
    return data, applied


def corpus_dir(shared: Path | None) -> Path | None:
    if shared is None:
        return None
    corpus = shared / "corpus"
    return corpus if corpus.is_dir() else None


@cache
def corpus_files(corpus: Path, max_bytes: int | None = None) -> tuple[Path, ...]:
    """Manifest files of ../shared/corpus (real/ and peer-fixtures/), sorted."""
    found = []
    for folder in ("real", "peer-fixtures"):
        for path in sorted((corpus / folder).rglob("*")):
            if path.suffix.lower() in (".yaml", ".yml", ".json") and path.is_file():
                if max_bytes is None or path.stat().st_size <= max_bytes:
                    found.append(path)
    return tuple(found)


@cache
def _read(path: Path) -> bytes:
    return path.read_bytes()


@st.composite
def corpus_mutations(draw, files: tuple[Path, ...]) -> tuple[str, bytes, list[str]]:
    path = draw(st.sampled_from(files))
    data, applied = draw(mutate(_read(path)))
    return str(path), data, applied


# --- the checks ----------------------------------------------------------------------------------


def check_reference(image: str, known: Collection[str] | None = None) -> None:
    """The reference parser: parse, diagnose and split never raise and give offsets inside the
    string; what parses is ASCII and parses again to itself."""
    from imagelint.images.diagnosis import diagnose
    from imagelint.images.parts import split
    from imagelint.images.reference import InvalidReference, Reference, parse

    _set_input(image)
    try:
        ref = parse(image)
        reason, offset = diagnose(image)
        parts = split(image)
    except Exception as error:
        _crash(error, f"parse/diagnose/split({image!r})", known)
        return
    if not (0 <= offset <= len(image)):
        _violate("reference:diagnose-offset", f"diagnose({image!r}) offset {offset}", known)
    if reason is not None and not (isinstance(reason, str) and reason):
        _violate("reference:diagnose-reason", f"diagnose({image!r}) reason {reason!r}", known)
    if isinstance(ref, InvalidReference):
        if not (0 <= ref.offset <= len(image)):
            _violate("reference:offset", f"parse({image!r}) offset {ref.offset}", known)
        if not (isinstance(ref.reason, str) and ref.reason and ref.upstream):
            _violate("reference:reason", f"parse({image!r}) gave {ref!r}", known)
    elif isinstance(ref, Reference):
        if not image.isascii() or any(c.isspace() or not c.isprintable() for c in image):
            _violate("reference:accepts-non-ascii", f"parse({image!r}) accepted: {ref!r}", known)
        again = parse(str(ref))
        if not isinstance(again, Reference) or (again.name, again.tag, again.digest) != (
            ref.name,
            ref.tag,
            ref.digest,
        ):
            _violate(
                "reference:not-idempotent",
                f"parse({image!r}) = {ref!r} but parse({str(ref)!r}) = {again!r}",
                known,
            )
    else:
        _violate("reference:type", f"parse({image!r}) returned {ref!r}", known)
    for part, at in ((parts.path, parts.path_at), (parts.tag, parts.tag_at),
                     (parts.digest, parts.digest_at)):  # fmt: skip
        if part is not None and image[at : at + len(part)] != part:
            _violate(
                "reference:split-offset",
                f"split({image!r}) = {parts!r}: {part!r} not at {at}",
                known,
            )
    if parts.host is not None and not image.startswith(parts.host):
        _violate("reference:split-host", f"split({image!r}) = {parts!r}", known)


@cache
def _all_rules() -> tuple:
    from imagelint.core.rulebook import all_rules

    return tuple(all_rules())


_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def yaml_lines(text: str) -> list[str]:
    """The lines of a text as YAML (and an editor) counts them: not str.splitlines(), which
    also breaks at \\v, \\f and \\x1c-\\x1e."""
    lines = _YAML_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def check_positions(
    findings: Iterable[Any], text: str, display: str, known: Collection[str] | None
) -> None:
    """Every finding of ``display`` points inside ``text``."""
    lines = yaml_lines(text)
    for finding in findings:
        if finding.path != display:
            _violate(f"path:{finding.rule}", f"finding on {finding.path!r}: {finding}", known)
            continue
        if not (isinstance(finding.message, str) and finding.message.strip()):
            _violate(f"message:{finding.rule}", f"empty message: {finding}", known)
        line, column = finding.line, finding.column
        if not lines:
            inside = line == 1 and column == 1
        else:
            inside = 1 <= line <= len(lines) and 1 <= column <= len(lines[line - 1]) + 1
        if not inside:
            shown = lines[line - 1] if lines and 1 <= line <= len(lines) else None
            _violate(
                f"position:{finding.rule}",
                f"{finding.rule} at line {line}, column {column} is outside the file "
                f"({len(lines)} lines; that line is {shown!r}): {finding.message}",
                known,
            )


def _check_outputs(report: Any, known: Collection[str] | None) -> None:
    """Every output format renders, and the machine-readable ones parse."""
    from imagelint.reporting.formatters import FORMATS, render

    for name in FORMATS:
        try:
            output = render(name, report, name == "text")
        except Exception as error:
            _crash(error, f"render({name!r})", known)
            continue
        try:
            if name in ("json", "sarif", "gitlab"):
                json.loads(output)
            elif name == "junit":
                ElementTree.fromstring(output)
        except Exception as error:
            _violate(f"output:{name}", f"{name} output does not parse: {error}", known)


def check_text(
    text: str,
    run_settings: Any = None,
    display: str = "fuzz.yaml",
    known: Collection[str] | None = None,
    outputs: bool = False,
) -> Any:
    """Loader and every rule on ``text``, then the filters (suppressions); returns the report."""
    from imagelint.reporting.filters import Filters
    from imagelint.running.engine import Engine

    _set_input(text)
    rules = _all_rules()
    try:
        report = Engine(run_settings, rules=rules).check_text(display, text)
        report.findings = Filters(rules).apply(report.findings, report.suppressions)
    except Exception as error:
        _crash(error, "Engine.check_text", known)
        return None
    if report.internal_errors:
        _violate("internal-error", "; ".join(report.internal_errors), known)
    check_positions(report.findings, text, display, known)
    if outputs:
        _check_outputs(report, known)
    return report


_WORK_DIR: str | None = None


def work_dir() -> str:
    """A private temporary folder for the files the checks write (removed at exit)."""
    global _WORK_DIR
    if _WORK_DIR is None or not os.path.isdir(_WORK_DIR):
        _WORK_DIR = tempfile.mkdtemp(prefix="imagelint-fuzz-")
        atexit.register(shutil.rmtree, _WORK_DIR, True)
    return _WORK_DIR


def _bytes_lines(data: bytes) -> list[str]:
    return [line.decode("utf-8", errors="replace") for line in data.split(b"\n")]


def check_bytes(
    data: bytes,
    name: str = "fuzz.yaml",
    run_settings: Any = None,
    known: Collection[str] | None = None,
) -> Any:
    """A file's bytes through the same path as files on disk (read, decode, load, rules)."""
    from imagelint.reading.sources import SourceRef, decode
    from imagelint.reporting.filters import Filters
    from imagelint.running.engine import Engine

    _set_input(data)
    path = os.path.join(work_dir(), name)
    with open(path, "wb") as handle:
        handle.write(data)
    ref = SourceRef(name, path)
    rules = _all_rules()
    engine = Engine(run_settings, rules=rules)
    try:
        report = engine.check([ref])
        report.findings = Filters(rules).apply(report.findings, report.suppressions)
    except Exception as error:
        _crash(error, "Engine.check", known)
        return None
    if report.internal_errors:
        try:  # the same file again, outside the engine's safety net, for the traceback
            engine.check_file(ref)
        except Exception as error:
            _crash(error, "Engine.check_file", known)
            return report
        _violate("internal-error", "; ".join(report.internal_errors), known)
    text = decode(data)
    if isinstance(text, str):
        check_positions(report.findings, text, name, known)
    else:  # not text: positions count '\n'-separated lines of the bytes, in characters
        lines = _bytes_lines(data)
        for finding in report.findings:
            if not (
                1 <= finding.line <= len(lines)
                and 1 <= finding.column <= len(lines[finding.line - 1]) + 1
            ):
                _violate(
                    f"position:{finding.rule}",
                    f"{finding.rule} at {finding.line}:{finding.column} outside the bytes",
                    known,
                )
    return report


# --- the command line ------------------------------------------------------------------------


@dataclass
class CliCase:
    files: list[bytes]
    stdin: bytes | None
    options: list[str]
    config: tuple[str, bytes] | None  # --config: the file's name and content
    context: bytes | None = None  # a file given with --context
    baseline: bytes | None = None  # a file given with --baseline

    def argv(self, folder: str) -> list[str]:
        args = ["check"]
        for index, data in enumerate(self.files):
            path = os.path.join(folder, f"in{index}.yaml")
            with open(path, "wb") as handle:
                handle.write(data)
            args.append(path)
        if self.stdin is not None:
            args.append("-")
        if self.context is not None:
            context = os.path.join(folder, "context.yaml")
            with open(context, "wb") as handle:
                handle.write(self.context)
            args += ["--context", context]
        if self.baseline is not None:
            baseline = os.path.join(folder, "baseline.json")
            with open(baseline, "wb") as handle:
                handle.write(self.baseline)
            args += ["--baseline", baseline]
        if self.config is not None:
            config = os.path.join(folder, self.config[0])
            with open(config, "wb") as handle:
                handle.write(self.config[1])
            args += ["--config", config]
        else:
            args.append("--isolated")
        return args + [option.replace("{dir}", folder) for option in self.options]


_OPTION_VALUES = st.one_of(
    st.sampled_from(["ALL", "IL1", "IL201", "latest-tag", "nope", "", "docker.io", "*/regcred"]),
    st.text(_UNICODE, max_size=8).filter(lambda s: not s.startswith("-")),
)


@st.composite
def cli_options(draw) -> list[str]:
    options: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        flag = draw(
            st.sampled_from(
                [
                    "--format", "--select", "--extend-select", "--ignore", "--fail-on",
                    "--namespace", "--private-registry", "--allowed-registry",
                    "--external-secret", "--exclude", "--stdin-filename", "--statistics",
                    "--exit-zero", "--fail-if-empty", "--require-secrets", "--color",
                    "--output", "--write-baseline", "--jobs", "--platform", "--isolated",
                ]
            )
        )  # fmt: skip
        if flag in ("--output", "--write-baseline"):  # {dir}: the case's own folder
            options += [flag, draw(st.sampled_from(["{dir}/out.txt", "{dir}", "{dir}/no/out"]))]
        elif flag == "--jobs":
            options += [flag, draw(st.sampled_from(["0", "1", "2", "-1", "x"]))]
        elif flag == "--isolated":
            options.append(flag)
        elif flag in ("--statistics", "--exit-zero", "--fail-if-empty", "--require-secrets"):
            options.append(flag)
        elif flag == "--format":
            options += [flag, draw(st.sampled_from(["text", "json", "sarif", "github", "gitlab",
                                                    "junit", "xml"]))]  # fmt: skip
        elif flag == "--fail-on":
            options += [flag, draw(st.sampled_from(["error", "warning", "info", "never", "x"]))]
        elif flag == "--color":
            options += [flag, draw(st.sampled_from(["always", "never", "auto"]))]
        else:
            options += [flag, draw(_OPTION_VALUES)]
    return options


# Never "online" (the run would ask the network) nor "context" (it would read any path).
_CONFIG_KEYS = ["select", "extend-select", "ignore", "severity", "fail-on", "exclude",
                "per-file-ignores", "namespace", "private-registries", "allowed-registries",
                "external-secrets", "require-secrets", "platforms", "max-image-size",
                "insecure-registries", "timeout", "allow-link-local", "exemptions",
                "unknown"]  # fmt: skip
_CONFIG_SCALARS = st.one_of(
    RULE_TOKENS,
    st.sampled_from(["info", "warning", "error", "never", "1GiB", "10 MB", "x", "*.yaml", "*/*"]),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.booleans(),
    st.none(),
)


def _config_values(leaves: st.SearchStrategy) -> st.SearchStrategy:
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(st.one_of(RULE_TOKENS, st.sampled_from(["rules", "image", "kind",
                                                                     "name", "namespace"])),
                            children, max_size=3),
        ),
        max_leaves=8,
    )  # fmt: skip


@st.composite
def yaml_configs(draw) -> bytes:
    """.imagelint.yaml: plausible keys with random values (anchors, aliases, recursion, odd
    scalars), deep nesting, or random YAML-ish text."""
    how = draw(st.integers(0, 9))
    if how == 0:
        return draw(raw_texts()).encode("utf-8")
    if how == 1:  # nesting deeper than Python's recursion limit
        depth = draw(st.integers(500, 5000))
        key = draw(st.sampled_from(_CONFIG_KEYS))
        opener, closer = draw(st.sampled_from([("[", "]"), ("{a: ", "}")]))
        return f"{key}: {opener * depth}1{closer * depth}\n".encode()
    values: dict[str, Any] = {}
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.sampled_from(_CONFIG_KEYS))
        value = draw(_config_values(_CONFIG_SCALARS))
        if _pct(draw, 15):  # an anchored value that contains itself, or is reused
            value = Anchor("a", draw(st.sampled_from([[Alias("a")], {"IL1": Alias("a")},
                                                      ["IL1", Alias("a")]])))  # fmt: skip
        elif _pct(draw, 15):
            value = Raw(draw(st.sampled_from(["1e3", "1e400", ".nan", "-.inf", "0x1F", "0o17",
                                              "2001-01-01", "!!binary aGVsbG8=", "!!set {a}",
                                              "!!omap [a: 1]", "!custom x", "12:30:00", "~",
                                              "'{{ x }}'", "[*undefined]"])))  # fmt: skip
        values[key] = value
    text = Emitter(draw).document(values)
    if how == 2:
        text += "\n---\n" + text  # two documents
    if how == 3:
        text = "? [a, b]\n: 1\n" + text  # a key that is not a string
    return text.encode("utf-8")


def _toml_value(value: Any, depth: int = 0) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = repr(value)
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(text, text)
    if value is None:
        return '""'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item, depth + 1) for item in value) + "]"
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k))} = {_toml_value(v, depth + 1)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    return json.dumps(str(value))


@st.composite
def pyproject_configs(draw) -> bytes:
    """pyproject.toml: [tool.imagelint] with random values, or [tool] / tool of the wrong
    type, deep nesting, random text."""
    how = draw(st.integers(0, 9))
    if how == 0:
        return draw(raw_texts()).encode("utf-8")
    if how == 1:
        value = _toml_value(draw(_CONFIG_SCALARS))
        shapes = [
            f"tool = {value}\n",
            f"[tool]\nimagelint = {value}\n",
            f"[tool.imagelint]\n[tool]\nimagelint = {value}\n",
        ]
        return draw(st.sampled_from(shapes)).encode()
    if how == 2:
        depth = draw(st.integers(200, 3000))
        return f"[tool.imagelint]\nselect = {'[' * depth}{']' * depth}\n".encode()
    lines = ["[tool.imagelint]"]
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.sampled_from(_CONFIG_KEYS))
        lines.append(f"{json.dumps(key)} = {_toml_value(draw(_config_values(_CONFIG_SCALARS)))}")
    if _pct(draw, 20):
        rules = _toml_value(draw(st.lists(RULE_TOKENS, max_size=2)))
        lines += ["[[tool.imagelint.exemptions]]", f"rules = {rules}"]
    return ("\n".join(lines) + "\n").encode("utf-8")


@st.composite
def config_files(draw) -> tuple[str, bytes]:
    """A configuration file: (its name, its content)."""
    if _pct(draw, 30):
        return "pyproject.toml", draw(pyproject_configs())
    return draw(st.sampled_from([".imagelint.yaml", "config.yml"])), draw(yaml_configs())


@st.composite
def baseline_files(draw) -> bytes:
    """A --baseline file: right, nearly right, deeply nested, not JSON, not UTF-8."""
    how = draw(st.integers(0, 6))
    if how == 0:
        return draw(st.binary(max_size=50))
    if how == 1:
        depth = draw(st.integers(500, 200_000))
        return draw(st.sampled_from([b"[" * depth, b'{"a":' * depth]))
    findings: Any = [
        {"fingerprint": draw(st.one_of(st.text(max_size=12), st.integers())), "rule": "IL104"}
        for _ in range(draw(st.integers(0, 3)))
    ]
    version = draw(st.sampled_from([1, 1, 2, "1", None]))
    document: Any = {"version": version, "findings": findings}
    if how == 2:
        document = draw(st.sampled_from([[], {}, {"version": 1}, {"version": 1, "findings": {}},
                                         {"version": 1, "findings": [1]}, "x"]))  # fmt: skip
    return json.dumps(document, ensure_ascii=draw(st.booleans())).encode("utf-8")


@st.composite
def cli_cases(draw) -> CliCase:
    files = draw(
        st.lists(
            st.one_of(kube_files().map(lambda t: t.encode("utf-8")), byte_inputs()), max_size=2
        )
    )
    stdin = draw(st.one_of(st.none(), kube_files().map(lambda t: t.encode("utf-8"))))
    if not files and stdin is None:  # no path at all would check the current directory
        stdin = b""
    config = draw(config_files()) if _pct(draw, 15) else None
    context = draw(kube_files()).encode("utf-8") if _pct(draw, 25) else None
    baseline = draw(baseline_files()) if _pct(draw, 10) else None
    return CliCase(files, stdin, draw(cli_options()), config, context, baseline)


_SMALL_MANIFEST = (
    b"apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"
    b"spec: {containers: [{name: a, image: 'nginx:latest'}], imagePullSecrets: [{name: x}]}\n"
)


@st.composite
def config_cases(draw) -> CliCase:
    """The command line on one small manifest with a random configuration and baseline."""
    baseline = draw(baseline_files()) if _pct(draw, 30) else None
    return CliCase(
        [_SMALL_MANIFEST], None, draw(cli_options()), draw(config_files()), None, baseline
    )


class _Captured:
    """Standard input, output and error of this process, as bytes buffers."""

    def __init__(self, stdin: bytes) -> None:
        self.stdin = stdin
        self.out = io.BytesIO()
        self.err = io.BytesIO()
        self.stdout_text = self.stderr_text = ""

    def __enter__(self) -> _Captured:
        self.saved = sys.stdin, sys.stdout, sys.stderr
        sys.stdin = io.TextIOWrapper(io.BytesIO(self.stdin), encoding="utf-8")
        sys.stdout = io.TextIOWrapper(self.out, encoding="utf-8", write_through=True)
        sys.stderr = io.TextIOWrapper(self.err, encoding="utf-8", write_through=True)
        return self

    def __exit__(self, *exc: object) -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(ValueError):  # closed by the code under test
                stream.flush()
        # Read before the wrappers go: closing a wrapper closes its buffer.
        self.stdout_text = self.out.getvalue().decode("utf-8", "replace")
        self.stderr_text = self.err.getvalue().decode("utf-8", "replace")
        sys.stdin, sys.stdout, sys.stderr = self.saved


_HIDDEN_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)
_WARNING_LINE = re.compile(r"^\S+\.py:\d+: \w*Warning\b", re.MULTILINE)


def run_main(argv: list[str], stdin: bytes = b"", debug: bool = False) -> tuple[int, str, str]:
    """``imagelint.cli.main(argv)`` in process: (exit code, stdout, stderr). ``debug``: with
    IMAGELINT_DEBUG=1 (tracebacks shown)."""
    from imagelint.cli import main

    saved = os.environ.pop("IMAGELINT_DEBUG", None)
    if debug:
        os.environ["IMAGELINT_DEBUG"] = "1"
    try:
        # Warnings a user would see (Python's default filters hide the others) are added to
        # standard error as a subprocess would show them, every time (not once per process).
        with warnings.catch_warnings(record=True) as caught, _Captured(stdin) as streams:
            warnings.simplefilter("always")
            code = main(argv)
    finally:
        os.environ.pop("IMAGELINT_DEBUG", None)
        if saved is not None:
            os.environ["IMAGELINT_DEBUG"] = saved
    shown = "".join(
        warnings.formatwarning(w.message, w.category, w.filename, w.lineno)
        for w in caught
        if not issubclass(w.category, _HIDDEN_WARNINGS)
    )
    return code, streams.stdout_text, streams.stderr_text + shown


def run_subprocess(
    argv: list[str], stdin: bytes = b"", debug: bool = False, timeout: float = 60
) -> tuple[int, str, str]:
    """``python -m imagelint ARGV`` in a child process: (exit code, stdout, stderr)."""
    env = {k: v for k, v in os.environ.items() if k not in ("IMAGELINT_DEBUG", "IMAGELINT_FORMAT")}
    if debug:
        env["IMAGELINT_DEBUG"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "imagelint", *argv],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env=env,
    )
    return (
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def check_exit(
    code: int, stdout: str, stderr: str, what: str, known: Collection[str] | None
) -> None:
    """Exit 0, 1 or 2; never a traceback; exit 2 with a clear message; no internal error."""
    if "Traceback (most recent call last)" in stdout + stderr:
        _violate("cli:traceback", f"{what}: a traceback\n{stderr[-3000:]}", known)
    warning = _WARNING_LINE.search(stderr)
    if warning:
        line = stderr[warning.start() :].split("\n", 1)[0]
        _violate("cli:python-warning", f"{what}: a Python warning on stderr: {line}", known)
    if code not in (0, 1, 2):
        _violate(f"cli:exit-{code}", f"{what}: exit {code}\n{stderr[-2000:]}", known)
    internal = [line for line in stderr.splitlines() if "internal error" in line]
    if internal:
        error = re.search(r"internal error[^:]*: (?:[^:]*: )?(\w+):", internal[0])
        kind = error.group(1) if error else "?"
        _violate(f"cli:internal-error:{kind}", f"{what}: {internal[0]}", known)
    if code == 2:
        lines = [line for line in stderr.splitlines() if line.strip()]
        clear = [line for line in lines if line.startswith(("imagelint: ", "Error: "))]
        if not clear:
            _violate("cli:exit-2-without-message", f"{what}: exit 2, stderr {stderr!r}", known)


def check_cli(
    case: CliCase,
    runner: Callable[[list[str], bytes, bool], tuple[int, str, str]] = run_main,
    known: Collection[str] | None = None,
) -> tuple[int, str, str]:
    folder = tempfile.mkdtemp(dir=work_dir())
    try:
        argv = case.argv(folder)
        config = case.config[1] if case.config else b""
        everything = [*case.files, case.stdin or b"", case.context or b"", config]
        _set_input(b"\n".join([*everything, case.baseline or b""]))
        code, stdout, stderr = runner(argv, case.stdin or b"")
        try:
            check_exit(code, stdout, stderr, f"imagelint {' '.join(argv)}", known)
        except PropertyViolation as violation:
            if not violation.signature.startswith("cli:internal-error"):
                raise
            # Name the bug by its traceback: each input again, in process. A new bug raises
            # there; a known one is let through there, and so here.
            before = len(SUPPRESSED)
            for index, data in enumerate(case.files):
                check_bytes(data, f"in{index}.yaml", known=known)
            if case.stdin is not None:
                check_bytes(case.stdin, "stdin.yaml", known=known)
            if case.context is not None:
                check_bytes(case.context, "context.yaml", known=known)
            if len(SUPPRESSED) > before:
                return code, stdout, stderr
            # Not a file's: the run's. Again with IMAGELINT_DEBUG=1, for the traceback.
            _set_input(b"\n".join([*everything, case.baseline or b""]))
            _, _, debug_stderr = runner(argv, case.stdin or b"", True)
            kind = violation.signature.rsplit(":", 1)[-1]
            signature = traceback_signature(debug_stderr, kind)
            if signature is None:
                raise
            _violate(signature, f"{violation.detail}\n{debug_stderr[-4000:]}", known)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return code, stdout, stderr


_FRAME = re.compile(r'^  File "(.+?)", line \d+, in (\S+)$', re.MULTILINE)


def traceback_signature(text: str, kind: str) -> str | None:
    """The signature (as :func:`exception_signature`) of a traceback printed in ``text``."""
    if "Traceback (most recent call last)" not in text:
        return None
    where = "?"
    for filename, function in _FRAME.findall(text):
        filename = os.path.abspath(filename)
        for base in _PACKAGE_DIRS:
            if filename.startswith(base + os.sep):
                package = "rules" if base.endswith("rules") else "linter"
                where = f"{package}/{os.path.relpath(filename, base)}:{function}"
    return f"crash:{kind} in {where}"


# --- the targets, for bench/fuzz.py ------------------------------------------------------------


@dataclass
class Target:
    """One fuzzing target: a strategy of cases and the check of one case."""

    name: str
    strategy: st.SearchStrategy
    check: Callable[[Any, Collection[str] | None], Any]
    share: float = 1.0  # of the long run's time


def _payload(case: Any) -> tuple[str, bytes] | None:
    """The main input of a case as a file (suffix, content), to save a failing one."""
    if isinstance(case, str):
        return ".yaml", case.encode("utf-8", "surrogatepass")
    if isinstance(case, bytes):
        return ".bin", case
    if isinstance(case, tuple) and case and isinstance(case[0], str):
        return _payload(case[0])
    if isinstance(case, tuple) and len(case) == 3 and isinstance(case[1], bytes):
        return Path(case[0]).suffix or ".yaml", case[1]
    if isinstance(case, CliCase):
        return ".yaml", (case.files or [case.stdin or b""])[0]
    return None


def save_case(case: Any, folder: Path, stem: str) -> list[Path]:
    """Write a failing case: its repr (complete) and its main input as a file of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / f"{stem}.repr.txt"]
    written[0].write_text(repr(case) + "\n", encoding="utf-8", errors="backslashreplace")
    payload = _payload(case)
    if payload is not None:
        suffix, content = payload
        written.append(folder / f"{stem}{suffix}")
        written[1].write_bytes(content)
    return written


def targets(corpus: Path | None, subprocess_cli: bool = True) -> list[Target]:
    found = [
        Target("reference", image_strings(), lambda image, known: check_reference(image, known)),
        Target(
            "manifests",
            st.tuples(kube_files(), run_settings()),
            lambda case, known: check_text(case[0], case[1], known=known, outputs=True),
            2.0,
        ),
        Target("raw-yaml", raw_texts(), lambda text, known: check_text(text, known=known)),
        Target("bytes", byte_inputs(), lambda data, known: check_bytes(data, known=known)),
        Target("cli", cli_cases(), lambda case, known: check_cli(case, run_main, known)),
        Target("config", config_cases(), lambda case, known: check_cli(case, run_main, known)),
    ]
    files = corpus_files(corpus) if corpus is not None else ()
    if files:
        found.insert(
            3,
            Target(
                "corpus-mutations",
                corpus_mutations(files),
                lambda case, known: check_bytes(case[1], Path(case[0]).name, known=known),
                2.0,
            ),
        )
    if subprocess_cli:
        found.append(
            Target(
                "cli-subprocess",
                cli_cases(),
                lambda case, known: check_cli(case, run_subprocess, known),
                0.5,
            )
        )
    return found
