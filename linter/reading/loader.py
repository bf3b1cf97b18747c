"""Text to YAML documents with positions, one document at a time.

Only nodes are composed (never Python objects), with the C composer of ``composer``, so line and
column marks survive and the cost stays close to the parser's own. A syntax error is a
:class:`Problem`; the documents around it are still read. A document Kubernetes would refuse
(nested too deeply, or aliased into a 'billion laughs') is a Problem too, and is not handed out.
An unrendered Helm template is recognised and reported as such instead of as a string of syntax
errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import Node

from imagelint.core.frozen import ValueRecord, set_field
from imagelint.core.model import Site
from imagelint.core.patterns import pattern
from imagelint.reading.bounds import (
    EXPANSION_CAP,
    MAX_DEPTH,
    allowed_alias_ratio,
    expanded_counts,
    may_nest_deeper,
    nests_deeper,
)
from imagelint.reading.composer import (
    Composer,
    close,
    compose,
    compose_pure,
    describe_error,
    is_libyaml_gap,
    problem_position,
)
from imagelint.reading.helm import SourceComments, template_problem
from imagelint.reading.leannodes import get_node
from imagelint.reading.sources import Problem
from imagelint.reading.textlines import BREAK as _BREAKS
from imagelint.reading.textlines import BREAK_CHARS, yaml_lines
from imagelint.reading.yamlnodes import value_start
from imagelint.rules import yaml_syntax

_DOCUMENT_START = r"^---(?:[ \t]|\r?$)"


class Document(ValueRecord):
    """One document of a file, composed."""

    __slots__ = ("node", "index", "source")
    node: Node
    index: int  # position in the file, from 0
    source: str | None  # the Helm template it was rendered from, if a '# Source:' comment says

    def __init__(self, node: Node, index: int, source: str | None) -> None:
        set_field(self, "node", node)
        set_field(self, "index", index)
        set_field(self, "source", source)


class LoadedFile:
    """A file's text and what the composer makes of it.

    Documents are composed one at a time as they are read (:meth:`iter_documents`), so a file
    of a hundred thousand documents never holds more than one of them as nodes; ``documents``
    composes them all at once, for callers that need them together."""

    __slots__ = ("display", "text", "problems", "_stream", "_documents")
    via: str | None = None  # the tree a built file was built through (trees.built.BuiltFile)

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
        end = _BREAKS.search(self.text, mark.index)  # starts at the line's first break
        return self.text[start : end.start() if end else len(self.text)]

    def site(self, node: Node, source: str | None) -> Site:
        """Where a node's value starts, as a Site that outlives the YAML."""
        line, column, exact = value_start(node, self.line_of(node.start_mark))
        return Site(self.display, line + 1, column + 1, exact, source)


def load(display: str, text: str) -> LoadedFile:
    if text.startswith("\ufeff"):
        # libyaml skips a byte-order mark without counting it in its marks' indexes; without
        # it, those indexes are offsets into the text. (Editors do not show it either.)
        text = text[1:]
    loaded = LoadedFile(display, text)
    if "{{" in text:
        problem = template_problem(text)
        if problem is not None:
            loaded.problems.append(problem)
            return loaded
    loaded._stream = _documents(text, loaded.problems)
    return loaded


def _documents(text: str, problems: list[Problem]) -> Iterator[Document]:
    """Compose and hand out one document at a time. After a syntax error, the rest of the
    file is read part by part ('---' to '---'), so one broken document loses only itself."""
    sources = SourceComments(text)
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


def _compose_by_document(text: str, problems: list[Problem], offset: int = 0) -> Iterator[Node]:
    """Compose each '---'-delimited part from ``offset`` on its own, so one broken document
    loses only itself.

    Each part is composed alone and its nodes' marks are then moved to where the part stands in
    the file: linear in the file's size, whatever the number of broken documents.
    """
    starts = [offset] + [
        m.start()
        for m in pattern(_DOCUMENT_START, re.MULTILINE).finditer(text, offset)
        if m.start() > offset
    ]
    line = len(_BREAKS.findall(text, 0, offset))
    column = offset - max(text.rfind(c, 0, offset) for c in BREAK_CHARS) - 1
    end_of_text: tuple[int, int] | None = None
    for begin, end in zip(starts, starts[1:] + [len(text)], strict=True):
        part = text[begin:end]
        if may_nest_deeper(part, MAX_DEPTH) and nests_deeper(part, MAX_DEPTH):
            problems.append(
                Problem(
                    yaml_syntax.NAME,
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
        composed, error = compose(part)
        if is_libyaml_gap(error):
            composed, error = compose_pure(part, composed, error)
        for node in composed:
            _move_marks(node, line, column, begin)
            yield node
        if error is not None:
            problem_line, problem_column = problem_position(error, part)
            if problem_line == 0:
                problem_column += column
            problem_line += line
            if end_of_text is None:  # once: where the text's last line ends
                lines = yaml_lines(text)
                end_of_text = (len(lines), len(lines[-1]) if lines else 0)
            if problem_line >= end_of_text[0]:  # libyaml: one line past a last line without a break
                problem_line, problem_column = max(end_of_text[0] - 1, 0), end_of_text[1]
            problems.append(
                Problem(
                    yaml_syntax.NAME, problem_line + 1, problem_column + 1, describe_error(error)
                )
            )
        line += len(_BREAKS.findall(part))
        column = 0


def _refuse_aliasing(root: Node, problems: list[Problem], text: str, after: int) -> bool:
    """Whether Kubernetes' YAML parser would refuse this document for excessive aliasing (a
    'billion laughs'), which then becomes a finding instead of being walked. go-yaml counts
    the nodes it decodes with aliases expanded and the aliases among them, and refuses when
    aliases are more than a share of the nodes (``allowed_alias_ratio``); the counts are worked
    out without expanding anything (``expanded_counts``).

    Only for a document whose text holds both an anchor and an alias (the root's own anchor
    stands before the root, after the end of the previous document, ``after``): a walk of every
    node, for every document of a file where '&' stands in a shell script, was the costliest
    step of reading real manifests."""
    start, end = root.start_mark.index, root.end_mark.index
    if text.find("*", start, end) == -1 or text.find("&", after, end) == -1:
        return False  # no alias or no anchor: the patterns need not be compiled
    if (
        pattern(_ALIAS).search(text, start, end) is None
        or pattern(_ANCHOR).search(text, after, end) is None
    ):
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
        if aliases <= 100 or decoded <= 1000 or aliases / decoded <= allowed_alias_ratio(decoded):
            return False
        shown = f"{decoded:,}" if decoded < EXPANSION_CAP else f"more than {EXPANSION_CAP:,}"
        message = (
            f"this document's aliases expand to {shown} nodes ({aliases / decoded:.0%} of them "
            "inside aliases): Kubernetes refuses it ('yaml: document contains excessive "
            "aliasing'); imagelint did not read it"
        )
    mark = root.start_mark
    problems.append(Problem(yaml_syntax.NAME, mark.line + 1, mark.column + 1, message))
    return True


# What an anchor or an alias looks like in the text (or a shell's '&&' or glob: only a hint).
_ANCHOR = r"&[^\s,\[\]{}]"
_ALIAS = r"\*[^\s,\[\]{}]"


class _Mark(ValueRecord):
    """A position in the file, for a node composed from a part of it (its fields named as
    ruamel's marks name them)."""

    __slots__ = ("line", "column", "index")
    line: int
    column: int
    index: int

    def __init__(self, line: int, column: int, index: int) -> None:
        set_field(self, "line", line)
        set_field(self, "column", column)
        set_field(self, "index", index)


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
