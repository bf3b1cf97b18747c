"""Text to YAML documents with positions, using ruamel's C composer.

Only nodes are composed (never Python objects), so line and column marks survive and the cost
stays close to the parser's own. A syntax error is a :class:`Problem`; the documents around it
are still read. An unrendered Helm template is recognised and reported as such instead of as a
string of syntax errors.
"""

from __future__ import annotations

import bisect
import re
from typing import Any, NamedTuple

from ruamel.yaml.cyaml import CSafeLoader
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import ScalarEvent
from ruamel.yaml.nodes import Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from imagelint.model import Site
from imagelint.sources import Problem
from imagelint.yamlnodes import PLAIN_TAG, value_start

_HELM_SOURCE_RE = re.compile(r"^# Source: (.+?)[ \t]*\r?$", re.MULTILINE)
_DOCUMENT_START_RE = re.compile(r"^---(?:[ \t]|\r?$)", re.MULTILINE)
# A plain scalar cannot start with '{', so '{{' can be YAML structure only where a value starts:
# at a line start or after '-', ':', '[', '{' or ','. Elsewhere it is inside a string.
_TEMPLATE_CANDIDATE_RE = re.compile(r"(?:^|[-:\[{,])[ \t]*\{\{", re.MULTILINE)


class Document(NamedTuple):
    node: Node
    index: int  # position in the file, from 0
    source: str | None  # the Helm template it was rendered from, if a '# Source:' comment says


class LoadedFile:
    """A file's text and what the composer made of it."""

    __slots__ = ("display", "text", "documents", "problems", "_lines")

    def __init__(self, display: str, text: str) -> None:
        self.display = display
        self.text = text
        self.documents: list[Document] = []
        self.problems: list[Problem] = []
        self._lines: list[str] | None = None

    def line(self, index: int) -> str | None:
        """Source line ``index`` (0-based), split the way the YAML parser counts lines."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines[index] if 0 <= index < len(self._lines) else None

    def site(self, node: Node, source: str | None) -> Site:
        """Where a node's value starts, as a Site that outlives the YAML."""
        line, column, exact = value_start(node, self.line(node.start_mark.line))
        return Site(self.display, line + 1, column + 1, exact, source)


class Composer(CSafeLoader):
    """The C composer, minus work nobody uses: tags of plain scalars are resolved on demand
    (``yamlnodes.tag_of``) instead of by a dozen regular expressions per scalar, and there are
    no path resolvers to track. About a seventh of composing time."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return PLAIN_TAG if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_STR, _SEQ, _MAP = ("tag:yaml.org,2002:" + name for name in ("str", "seq", "map"))


def parser_name() -> str:
    """The class that parses YAML here; a test asserts it is the C one."""
    return next(c.__module__ for c in type(Composer("")).__mro__ if c.__name__ == "CParser")


def load(display: str, text: str) -> LoadedFile:
    loaded = LoadedFile(display, text)
    nodes, error = _compose(text)
    if "{{" in text and _TEMPLATE_CANDIDATE_RE.search(text):
        marker = find_template_marker(
            text, None if error is None else _problem_position(error, text)
        )
        if marker is not None:
            line, column = marker
            loaded.problems.append(
                Problem(
                    "helm-template-file",
                    line + 1,
                    column + 1,
                    "'{{' outside a string: this file is an unrendered template (Helm or "
                    "another Go template), not a manifest; check the rendered output instead, "
                    "e.g. helm template RELEASE CHART | imagelint check -",
                )
            )
            return loaded
    if error is not None:
        nodes = _compose_by_document(text, loaded.problems)
    loaded.documents = _attach_sources(nodes, text)
    return loaded


def _compose(text: str) -> tuple[list[Node], YAMLError | None]:
    nodes: list[Node] = []
    loader = Composer(text)
    try:
        while loader.check_node():
            nodes.append(loader.get_node())
    except YAMLError as error:
        return nodes, error
    finally:
        loader.dispose()
    return nodes, None


def _compose_by_document(text: str, problems: list[Problem]) -> list[Node]:
    """Compose each '---'-delimited part on its own so one broken document loses only itself.

    Each part is padded with the line breaks before it, so its marks are the file's own.
    """
    starts = [0] + [m.start() for m in _DOCUMENT_START_RE.finditer(text) if m.start() > 0]
    nodes: list[Node] = []
    line = 0
    for begin, end in zip(starts, starts[1:] + [len(text)], strict=True):
        part = text[begin:end]
        composed, error = _compose("\n" * line + part)
        if _is_libyaml_gap(error):
            composed, error = _compose_pure("\n" * line + part, composed, error)
        nodes.extend(composed)
        if error is not None:
            problem_line, problem_column = _clamp(
                text, *_problem_position(error, "\n" * line + part)
            )
            problems.append(
                Problem("yaml-syntax", problem_line + 1, problem_column + 1, _describe(error))
            )
        line += part.count("\n")
    return nodes


def _clamp(text: str, line: int, column: int) -> tuple[int, int]:
    """Keep a position inside the text: libyaml reports errors at end of input one line past
    a last line that has no line break."""
    lines = text.splitlines()
    if line < len(lines):
        return line, column
    if not lines:
        return 0, 0
    return len(lines) - 1, len(lines[-1])


def _is_libyaml_gap(error: YAMLError | None) -> bool:
    """Whether the C parser refused something go-yaml (Kubernetes' parser) accepts.

    libyaml refuses ':' inside a plain scalar in a flow collection (``{image: nginx:1.25}``);
    go-yaml, and so kubectl, read it as part of the scalar.
    """
    return isinstance(error, MarkedYAMLError) and error.problem == "found unexpected ':'"


def _compose_pure(
    text: str, fallback: list[Node], error: YAMLError
) -> tuple[list[Node], YAMLError | None]:
    """Compose with ruamel's pure-Python parser (slow: only for the documents that need it)."""
    from ruamel.yaml import YAML

    try:
        return list(YAML(typ="safe", pure=True).compose_all(text)), None
    except YAMLError as pure_error:
        return fallback, pure_error
    except RecursionError:
        return fallback, error


def _problem_position(error: YAMLError, text: str) -> tuple[int, int]:
    """0-based line and column of a parser error."""
    if isinstance(error, MarkedYAMLError) and error.problem_mark is not None:
        return error.problem_mark.line, error.problem_mark.column
    if isinstance(error, ReaderError):
        # The C reader reports a byte offset into the UTF-8 encoding.
        prefix = text.encode("utf-8", errors="surrogatepass")[: error.position].decode(
            "utf-8", errors="replace"
        )
        lines = prefix.splitlines(keepends=True)
        if not lines or lines[-1].endswith(("\n", "\r")):
            return len(lines), 0
        return len(lines) - 1, len(lines[-1])
    return 0, 0


def _describe(error: YAMLError) -> str:
    if isinstance(error, ReaderError):
        char = error.character
        what = f"U+{char:04X}" if isinstance(char, int) else repr(char)
        return f"YAML does not allow the character {what} ({error.reason})"
    if isinstance(error, MarkedYAMLError):
        parts = [error.context, error.problem]
        text = "; ".join(p for p in parts if p)
        if error.context_mark is not None and error.context:
            text = f"{error.problem} ({error.context} at line {error.context_mark.line + 1})"
        return f"YAML syntax error: {text}" if text else "YAML syntax error"
    return f"YAML error: {error}"


def _attach_sources(nodes: list[Node], text: str) -> list[Document]:
    """Pair each document with the Helm ``# Source:`` comment that precedes it, if any."""
    if "# Source: " not in text:
        return [Document(node, index, None) for index, node in enumerate(nodes)]
    comments: list[tuple[int, str]] = []
    line, position = 0, 0
    for match in _HELM_SOURCE_RE.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        comments.append((line, match.group(1)))
    documents = []
    previous_end = -1
    cursor = 0
    for index, node in enumerate(nodes):
        start = node.start_mark.line
        source = None
        while cursor < len(comments) and comments[cursor][0] <= start:
            if comments[cursor][0] >= previous_end:
                source = comments[cursor][1]
            cursor += 1
        documents.append(Document(node, index, source))
        previous_end = node.end_mark.line
    return documents


def find_template_marker(text: str, limit: tuple[int, int] | None) -> tuple[int, int] | None:
    """Where a Go-template ``{{`` stands outside any string or comment, if it does.

    ``{{ x }}`` written as YAML structure is what an unrendered Helm template looks like; the
    same characters inside a quoted, plain or block scalar are data (alerting templates, Argo
    parameters). Scalar spans come from the parser's events up to ``limit`` (the position of a
    syntax error, after which events are unavailable).
    """
    starts: list[tuple[int, int]] = []
    ends: list[tuple[int, int]] = []
    loader = CSafeLoader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, ScalarEvent):
                starts.append((event.start_mark.line, event.start_mark.column))
                ends.append((event.end_mark.line, event.end_mark.column))
    except YAMLError:
        pass
    finally:
        loader.dispose()

    def in_scalar(position: tuple[int, int]) -> bool:
        index = bisect.bisect_right(starts, position) - 1
        return index >= 0 and position < ends[index]

    for line_number, line in enumerate(text.splitlines()):
        column = line.find("{{")
        while column != -1:
            position = (line_number, column)
            if limit is not None and position > limit:
                return None
            if not in_scalar(position) and not _in_comment(line, line_number, column, in_scalar):
                return position
            column = line.find("{{", column + 2)
    return None


def _in_comment(line: str, line_number: int, column: int, in_scalar) -> bool:
    """Whether a '#' that starts a YAML comment precedes ``column`` on its line."""
    hash_at = line.find("#")
    while -1 < hash_at < column:
        if (hash_at == 0 or line[hash_at - 1] in " \t") and not in_scalar((line_number, hash_at)):
            return True
        hash_at = line.find("#", hash_at + 1)
    return False
