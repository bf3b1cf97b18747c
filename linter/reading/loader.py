"""Text to YAML documents with positions, using ruamel's C composer.

Only nodes are composed (never Python objects), so line and column marks survive and the cost
stays close to the parser's own. A syntax error is a :class:`Problem`; the documents around it
are still read. An unrendered Helm template is recognised and reported as such instead of as a
string of syntax errors.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from ruamel.yaml.cyaml import CSafeLoader
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import ScalarEvent
from ruamel.yaml.nodes import Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.tag import Tag

from imagelint.core.model import Site
from imagelint.reading.leannodes import LeanScalarNode, LeanSequenceNode, get_node
from imagelint.reading.sources import Problem
from imagelint.reading.textlines import BREAK as _BREAKS
from imagelint.reading.textlines import BREAK_CHARS, yaml_lines
from imagelint.reading.yamlnodes import PLAIN_TAG, value_start

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
    """A file's text and what the composer makes of it.

    Documents are composed one at a time as they are read (:meth:`iter_documents`), so a file
    of a hundred thousand documents never holds more than one of them as nodes; ``documents``
    composes them all at once, for callers that need them together."""

    __slots__ = ("display", "text", "problems", "_stream", "_documents")

    def __init__(self, display: str, text: str) -> None:
        self.display = display
        self.text = text
        self.problems: list[Problem] = []  # filled in as documents are composed
        self._stream: Iterator[Document] | None = None
        self._documents: list[Document] | None = None

    @property
    def documents(self) -> list[Document]:
        if self._documents is None:
            self._documents = list(self.iter_documents())
        return self._documents

    def iter_documents(self) -> Iterator[Document]:
        """The documents, once: each can be dropped before the next is composed."""
        if self._documents is not None:
            return iter(self._documents)
        stream, self._stream = self._stream, None
        return stream if stream is not None else iter(())

    def line_of(self, mark: Any) -> str:
        """The source line a mark is on, as the YAML parser counts lines (its column is
        counted from the line's start)."""
        start = mark.index - mark.column
        end = _LINE_BREAK.search(self.text, mark.index)
        return self.text[start : end.start() if end else len(self.text)]

    def site(self, node: Node, source: str | None) -> Site:
        """Where a node's value starts, as a Site that outlives the YAML."""
        line, column, exact = value_start(node, self.line_of(node.start_mark))
        return Site(self.display, line + 1, column + 1, exact, source)


# Line breaks as YAML counts them (libyaml also takes NEL, LS and PS).
_LINE_BREAK = re.compile(f"[{BREAK_CHARS}]")


class Composer(CSafeLoader):
    """The C composer, minus work nobody uses: tags of plain scalars are resolved on demand
    (``yamlnodes.tag_of``) instead of by a dozen regular expressions per scalar, there are no
    path resolvers to track, and every node shares one of four Tag objects instead of getting
    its own (a node given a string makes a Tag of it). About two fifths of composing time."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Tag:
        # ``kind`` is the class the composer makes the node of: ruamel's, or a lean one.
        if kind is LeanScalarNode or kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is LeanSequenceNode or kind is SequenceNode else _MAP

    # No path resolvers: these are called for every node, so they are C functions that do
    # nothing useful rather than Python methods (builtins do not bind to the instance).
    descend_resolver = operator.is_
    ascend_resolver = tuple


# Shared by every node they tag, so never changed (``tag_of`` does not write to them).
_PLAIN, _STR, _SEQ, _MAP = (
    Tag(suffix=suffix)
    for suffix in (PLAIN_TAG, *("tag:yaml.org,2002:" + name for name in ("str", "seq", "map")))
)


def close(loader: Any) -> None:
    """Free a loader now. Its Python attributes point back at itself (ruamel's mixins keep
    ``loader``, ``_parser``, ``_composer``... as references to the instance), a cycle that only
    the cyclic garbage collector would free, holding the file's text meanwhile."""
    loader.dispose()
    vars(loader).clear()


def parser_name() -> str:
    """The class that parses YAML here; a test asserts it is the C one."""
    return next(c.__module__ for c in type(Composer("")).__mro__ if c.__name__ == "CParser")


def load(display: str, text: str) -> LoadedFile:
    if text.startswith("\ufeff"):
        # libyaml skips a byte-order mark without counting it in its marks' indexes; without
        # it, those indexes are offsets into the text. (Editors do not show it either.)
        text = text[1:]
    loaded = LoadedFile(display, text)
    if "{{" in text and _TEMPLATE_CANDIDATE_RE.search(text):
        marker = find_template_marker(text)
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
    loaded._stream = _documents(text, loaded.problems)
    return loaded


def _documents(text: str, problems: list[Problem]) -> Iterator[Document]:
    """Compose and hand out one document at a time. After a syntax error, the rest of the
    file is read part by part ('---' to '---'), so one broken document loses only itself."""
    sources = _SourceComments(text)
    index = 0
    resume = 0  # where the documents handed out so far end
    failed = False
    anchors = "&" in text  # without an anchor there is no alias to count
    if may_nest_deeper(text, MAX_DEPTH):  # composing would recurse that deep: part by part
        for node in _compose_by_document(text, problems):
            after, resume = resume, node.end_mark.index
            if anchors and _refuse_aliasing(node, problems, text, after):
                continue
            yield Document(node, index, sources.before(node))
            index += 1
        return
    loader = Composer(text)
    try:
        while loader.check_node():
            node = get_node(loader)
            after, resume = resume, node.end_mark.index
            if anchors and _refuse_aliasing(node, problems, text, after):
                continue
            yield Document(node, index, sources.before(node))
            index += 1
    except YAMLError:
        failed = True
    finally:
        close(loader)
    if failed:
        for node in _compose_by_document(text, problems, resume):
            after, resume = resume, node.end_mark.index
            if anchors and _refuse_aliasing(node, problems, text, after):
                continue
            yield Document(node, index, sources.before(node))
            index += 1


def _compose(text: str) -> tuple[list[Node], YAMLError | None]:
    nodes: list[Node] = []
    loader = Composer(text)
    try:
        while loader.check_node():
            nodes.append(get_node(loader))
    except YAMLError as error:
        return nodes, error
    finally:
        close(loader)
    return nodes, None


def _compose_by_document(text: str, problems: list[Problem], offset: int = 0) -> Iterator[Node]:
    """Compose each '---'-delimited part from ``offset`` on its own, so one broken document
    loses only itself.

    Each part is composed alone and its nodes' marks are then moved to where the part stands in
    the file: linear in the file's size, whatever the number of broken documents.
    """
    starts = [offset] + [
        m.start() for m in _DOCUMENT_START_RE.finditer(text, offset) if m.start() > offset
    ]
    line = len(_BREAKS.findall(text, 0, offset))
    column = offset - max(text.rfind(c, 0, offset) for c in BREAK_CHARS) - 1
    end_of_text: tuple[int, int] | None = None
    for begin, end in zip(starts, starts[1:] + [len(text)], strict=True):
        part = text[begin:end]
        if may_nest_deeper(part, MAX_DEPTH) and nests_deeper(part, MAX_DEPTH):
            problems.append(
                Problem(
                    "yaml-syntax",
                    line + 1,
                    column + 1,
                    f"this document nests more than {MAX_DEPTH:,} levels deep: Kubernetes "
                    f"refuses it ('yaml: exceeded max depth of {MAX_DEPTH}'); imagelint did "
                    "not read it",
                )
            )
            line += len(_BREAKS.findall(part))
            column = 0
            continue
        composed, error = _compose(part)
        if _is_libyaml_gap(error):
            composed, error = _compose_pure(part, composed, error)
        for node in composed:
            _move_marks(node, line, column, begin)
            yield node
        if error is not None:
            problem_line, problem_column = _problem_position(error, part)
            if problem_line == 0:
                problem_column += column
            problem_line += line
            if end_of_text is None:  # once: where the text's last line ends
                lines = yaml_lines(text)
                end_of_text = (len(lines), len(lines[-1]) if lines else 0)
            if problem_line >= end_of_text[0]:  # libyaml: one line past a last line without a break
                problem_line, problem_column = max(end_of_text[0] - 1, 0), end_of_text[1]
            problems.append(
                Problem("yaml-syntax", problem_line + 1, problem_column + 1, _describe(error))
            )
        line += len(_BREAKS.findall(part))
        column = 0


def _refuse_aliasing(root: Node, problems: list[Problem], text: str, after: int) -> bool:
    """Whether Kubernetes' YAML parser would refuse this document for excessive aliasing (a
    'billion laughs'), which then becomes a finding instead of being walked. go-yaml counts
    the nodes it decodes with aliases expanded and the aliases among them, and refuses when
    aliases are more than a share of the nodes (99% up to 400,000 nodes, down to 10% at
    4,000,000); the counts are worked out here without expanding anything.

    Only for a document whose text holds both an anchor and an alias (the root's own anchor
    stands before the root, after the end of the previous document, ``after``): a walk of every
    node, for every document of a file where '&' stands in a shell script, was the costliest
    step of reading real manifests."""
    start, end = root.start_mark.index, root.end_mark.index
    if _ALIAS.search(text, start, end) is None or _ANCHOR.search(text, after, end) is None:
        return False
    counts = expanded_counts(root)
    if counts is None:
        message = (
            "an anchor of this document contains an alias to itself, so it expands without "
            "end: Kubernetes refuses it ('yaml: anchor ... value contains itself'); imagelint "
            "did not read it"
        )
    else:
        decoded, aliases = counts
        if aliases <= 100 or decoded <= 1000 or aliases / decoded <= _allowed_alias_ratio(decoded):
            return False
        shown = f"{decoded:,}" if decoded < _EXPANSION_CAP else f"more than {_EXPANSION_CAP:,}"
        message = (
            f"this document's aliases expand to {shown} nodes ({aliases / decoded:.0%} of them "
            "inside aliases): Kubernetes refuses it ('yaml: document contains excessive "
            "aliasing'); imagelint did not read it"
        )
    mark = root.start_mark
    problems.append(Problem("yaml-syntax", mark.line + 1, mark.column + 1, message))
    return True


_EXPANSION_CAP = 10**12
# What an anchor or an alias looks like in the text (or a shell's '&&' or glob: only a hint).
_ANCHOR = re.compile(r"&[^\s,\[\]{}]")
_ALIAS = re.compile(r"\*[^\s,\[\]{}]")


def _allowed_alias_ratio(decoded: int) -> float:
    if decoded <= 400_000:
        return 0.99
    if decoded >= 4_000_000:
        return 0.10
    return 0.99 - 0.89 * (decoded - 400_000) / 3_600_000


def expanded_counts(root: Node) -> tuple[int, int] | None:
    """(nodes decoded, nodes decoded inside an alias) of the document with its aliases
    expanded, as go-yaml counts them, from counts of paths in the node graph: a node is decoded
    once per path to it, inside an alias on paths through an alias (an edge to a node met
    before). None for a cycle (a recursive anchor), which expands without end."""
    edges: dict[int, list[tuple[Node, bool]]] = {}  # node -> (child, through an alias)
    incoming: dict[int, int] = {}
    seen = {id(root)}
    stack = [root]
    shared = False  # whether any node is reached twice
    while stack:
        node = stack.pop()
        out = edges[id(node)] = []
        for child in _children(node):
            alias = id(child) in seen
            shared |= alias
            out.append((child, alias))
            incoming[id(child)] = incoming.get(id(child), 0) + 1
            if not alias:
                seen.add(id(child))
                stack.append(child)
    if not shared:  # a tree: each node decoded once, none inside an alias
        return len(seen), 0
    if id(root) in incoming:  # the root's own anchor used inside it
        return None
    paths = {id(root): 1}  # paths from the root
    inside = {id(root): 0}  # of those, paths through an alias
    ready, done = [root], 0
    while ready:  # parents before children (Kahn's order)
        node = ready.pop()
        done += 1
        count, through = paths[id(node)], inside[id(node)]
        for child, alias in edges[id(node)]:
            key = id(child)
            paths[key] = min(paths.get(key, 0) + count, _EXPANSION_CAP)
            inside[key] = min(inside.get(key, 0) + (count if alias else through), _EXPANSION_CAP)
            incoming[key] -= 1
            if incoming[key] == 0:
                ready.append(child)
    if done < len(edges):  # a cycle
        return None
    return min(sum(paths.values()), _EXPANSION_CAP), min(sum(inside.values()), _EXPANSION_CAP)


def _children(node: Node) -> Iterator[Node]:
    value = node.value
    if isinstance(value, list):
        for item in value:
            if isinstance(item, tuple):
                yield from item
            else:
                yield item


# Kubernetes' YAML parser refuses deeper nesting; the C composer recurses once per level and
# would overflow the C stack at about 25,000.
MAX_DEPTH = 10_000


def may_nest_deeper(text: str, depth: int) -> bool:
    """A cheap test that rules out deep nesting for nearly every file: each level of flow
    nesting takes a bracket, and each two levels of block nesting at least one character of
    indentation (or of '- ', '? ', ': ' on the line) on the deepest line."""
    if len(text) <= depth:
        return False
    if text.count("[") + text.count("{") > depth // 2 and _bracket_depth(text) > depth // 2:
        return True
    return re.search(rf"^[ \t\-?:]{{{depth // 2},}}", text, re.MULTILINE) is not None


def _bracket_depth(text: str) -> int:
    """How deep brackets nest in the text, quotes ignored (so at least the flow nesting):
    many brackets in a file of flow-style (JSON) documents are mostly side by side."""
    from itertools import accumulate

    brackets = _NOT_BRACKET.sub("", text)
    steps = (1 if c in "[{" else -1 for c in brackets)
    return max(accumulate(steps, initial=0))


_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def nests_deeper(text: str, depth: int) -> bool:
    """Whether the parser's events nest beyond ``depth`` (the event parser keeps its own stack:
    no recursion, whatever the depth); up to a syntax error, past which the composer does not
    go either."""
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    level = 0
    loader = CSafeLoader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, CollectionStartEvent):
                level += 1
                if level > depth:
                    return True
            elif isinstance(event, CollectionEndEvent):
                level -= 1
    except YAMLError:
        pass
    finally:
        close(loader)
    return False


class _Mark(NamedTuple):
    """A position in the file, for a node composed from a part of it."""

    line: int
    column: int
    index: int


def _move_marks(root: Node, line: int, column: int, index: int) -> None:
    """Shift the marks of a tree composed from a part that starts at (line, column, index) of
    the file (without recursion: documents may nest deeper than Python's stack)."""
    if line == 0 and column == 0 and index == 0:
        return
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue  # an alias: one node, reached again
        seen.add(id(node))
        for name in ("start_mark", "end_mark"):
            mark = getattr(node, name)
            shift = column if mark.line == 0 else 0
            setattr(node, name, _Mark(mark.line + line, mark.column + shift, mark.index + index))
        value = node.value
        if isinstance(value, list):
            for item in value:
                if isinstance(item, tuple):
                    stack.extend(item)
                else:
                    stack.append(item)


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
    import warnings

    from ruamel.yaml import YAML

    try:
        # It warns of a reused anchor, which go-yaml accepts (the later one wins), as do we.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
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
        lines = _BREAKS.split(prefix)
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


class _SourceComments:
    """Helm's ``# Source: chart/templates/x.yaml`` comments, matched to the documents that
    follow them, in one pass as the documents come."""

    def __init__(self, text: str) -> None:
        self.comments: list[tuple[int, str]] = []
        if "# Source: " in text:
            line, position = 0, 0
            for match in _HELM_SOURCE_RE.finditer(text):
                line += text.count("\n", position, match.start())
                position = match.start()
                self.comments.append((line, match.group(1)))
        self.cursor = 0
        self.previous_end = -1

    def before(self, node: Node) -> str | None:
        """The comment between the previous document and this one, if any."""
        source = None
        start = node.start_mark.line
        while self.cursor < len(self.comments) and self.comments[self.cursor][0] <= start:
            if self.comments[self.cursor][0] >= self.previous_end:
                source = self.comments[self.cursor][1]
            self.cursor += 1
        self.previous_end = node.end_mark.line
        return source


def find_template_marker(text: str) -> tuple[int, int] | None:
    """Where a Go-template ``{{`` stands outside any string or comment, if it does.

    ``{{ x }}`` written as YAML structure is what an unrendered Helm template looks like; the
    same characters inside a quoted, plain or block scalar are data (alerting templates, Argo
    parameters). Scalar spans come from the parser's events, up to the first syntax error
    (after which events are unavailable, so a '{{' past it cannot be judged).
    """
    starts: list[tuple[int, int]] = []
    ends: list[tuple[int, int]] = []
    limit: tuple[int, int] | None = None
    loader = CSafeLoader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, ScalarEvent):
                starts.append((event.start_mark.line, event.start_mark.column))
                ends.append((event.end_mark.line, event.end_mark.column))
    except YAMLError as error:
        limit = _problem_position(error, text)
    finally:
        close(loader)

    def in_scalar(position: tuple[int, int]) -> bool:
        index = bisect.bisect_right(starts, position) - 1
        return index >= 0 and position < ends[index]

    for line_number, line in enumerate(yaml_lines(text)):
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
