"""Where each value of a built tree was written: files read for a build, nodes that remember them.

A tree (a kustomize build, a chart's values) yields objects whose values come from several
files: a base's ``image:`` line, an overlay's ``newTag:``, a patch. Findings must point at the
line that set the value, so every node of a built object knows its file:

- files read for a build are loaded with :func:`load_tree_file`, which gives each node's marks
  the file's display path (:class:`NamedMark`), so a node keeps its file wherever it ends up;
- a node a builder makes takes the marks of the node that set its value (:func:`scalar`,
  :func:`mapping`, :func:`sequence`);
- a value put together from parts written in different places (``newName`` from an overlay,
  the tag from a base; a chart's ``registry``, ``repository`` and ``tag``) is a
  :class:`SplicedScalar`, which knows where each part was written.

A :class:`Build` is what a builder returns; :class:`~imagelint.trees.built.BuiltFile` lets the
engine check it as it checks a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.tag import Tag

from imagelint.reading.leannodes import LeanMappingNode, LeanScalarNode, LeanSequenceNode
from imagelint.reading.loader import LoadedFile, load
from imagelint.reading.sources import Problem

_STR = Tag(suffix="tag:yaml.org,2002:str")
_SEQ = Tag(suffix="tag:yaml.org,2002:seq")
_MAP = Tag(suffix="tag:yaml.org,2002:map")


class NamedMark:
    """A node's position, with the display path of the file it is in (a parser mark has the
    same ``line``, ``column`` and ``index``, 0-based, but names no file)."""

    __slots__ = ("name", "line", "column", "index")

    def __init__(self, name: str, line: int, column: int, index: int) -> None:
        self.name = name
        self.line = line
        self.column = column
        self.index = index

    def __repr__(self) -> str:
        return f"NamedMark({self.name!r}, line {self.line + 1}, column {self.column + 1})"


# The names ruamel's parsers give the marks of a text they read as a string (or a stream
# without a name): such marks name no file.
_UNNAMED = frozenset({"<unicode string>", "<byte string>", "<file>"})


def file_of(node: Node) -> str | None:
    """The display path of the file a node was written in (None: not loaded for a tree)."""
    name = getattr(node.start_mark, "name", None)
    return None if name is None or name in _UNNAMED else str(name)


class NamedText(str):
    """A file's text that ruamel's C parser reads as a stream called ``name``: the parser
    names every mark it makes after its stream, so each node of the file names the file
    without a walk over the nodes afterwards (a text read as a string names no file).

    A parser asks a stream for its name once, as it starts: each parser that reads the text
    (the loader may look at a text with more than one) reads it from the start. Everything
    else reads it as the string it is."""

    def __new__(cls, text: str, name: str) -> NamedText:
        self = super().__new__(cls, text)
        self._name = name
        self._read_to = 0  # how far the parser reading it has read
        return self

    _name: str
    _read_to: int

    @property
    def name(self) -> str:
        self._read_to = 0  # a parser starts reading
        return self._name

    def read(self, size: int = -1) -> str:
        """The next ``size`` characters (all the rest for a negative size), as a stream's."""
        start = self._read_to
        end = len(self) if size < 0 else min(start + size, len(self))
        self._read_to = end
        return str.__getitem__(self, slice(start, end))


def compose_named(display: str, text: str) -> LoadedFile:
    """``text`` composed with every node's start mark naming ``display`` (see
    :class:`NamedText`; the few documents the parser did not name, e.g. those read again
    part by part after a syntax error, are named by a walk)."""
    named = NamedText(text, display)
    loaded = load(display, named)
    name_marks(loaded, display)
    if loaded.text is named:
        loaded.text = text
    return loaded


def load_tree_file(display: str, text: str) -> LoadedFile:
    """A file read for a build: composed, every document kept, every node's start mark naming
    ``display`` (a position is always read from the start mark; end marks stay the parser's).
    Its ``problems`` say what is wrong with it as YAML."""
    return compose_named(display, text)


def name_marks(loaded: LoadedFile, display: str) -> None:
    """Give every node of a composed file a start mark naming ``display`` (its documents are
    composed now if they were not yet)."""
    for document in loaded.documents:
        _name_marks(document.node, display)


def _name_marks(root: Node, name: str) -> None:
    # A node whose mark names the file already was reached before (an alias: the same node)
    # or was composed so (NamedText), and so was everything under it. (Iterative: documents
    # may nest deeper than Python's stack.)
    stack = [root]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        start = node.start_mark
        if getattr(start, "name", None) == name:
            continue
        node.start_mark = NamedMark(name, start.line, start.column, start.index)
        value = node.value
        if type(value) is list:
            for item in value:
                if type(item) is tuple:
                    extend(item)
                else:
                    push(item)


# -- nodes a builder makes ---------------------------------------------------------------------


class MadeMapping(LeanMappingNode):
    """A mapping a builder made (never one composed from a file): made for one build, where
    a file's nodes may be shared by many, so per-node memos of a run skip it. Made with
    :func:`mapping`: its fields set directly (builders make many)."""

    __slots__ = ()

    def __init__(self, pairs: list[tuple[Node, Node]], like: Node) -> None:
        self.ctag = _MAP
        self.value = pairs
        self.start_mark = like.start_mark
        self.end_mark = like.end_mark
        self.flow_style = False
        self.comment = None
        self.anchor = None
        self.merge = None


class MadeSequence(LeanSequenceNode):
    """A sequence a builder made (see :class:`MadeMapping`)."""

    __slots__ = ()

    def __init__(self, items: list[Node], like: Node) -> None:
        self.ctag = _SEQ
        self.value = items
        self.start_mark = like.start_mark
        self.end_mark = like.end_mark
        self.flow_style = False
        self.comment = None
        self.anchor = None


class MadeScalar(LeanScalarNode):
    """A string scalar a builder made (see :func:`scalar`)."""

    __slots__ = ()

    def __init__(self, value: str, like: Node) -> None:
        self.ctag = _STR
        self.value = value
        self.start_mark = like.start_mark
        self.end_mark = like.end_mark
        self.style = None
        self.comment = None
        self.anchor = None


MADE = (MadeMapping, MadeSequence)


def scalar(value: str, like: Node) -> ScalarNode:
    """A string scalar at ``like``'s position: the node whose line set this value."""
    return MadeScalar(value, like)


def mapping(pairs: Iterable[tuple[Node, Node]], like: Node) -> MappingNode:
    """A mapping at ``like``'s position (a copy-on-write of ``like`` usually: a builder never
    changes a node it did not make, since a base's nodes are shared by every overlay)."""
    return MadeMapping(list(pairs), like)


def sequence(items: Iterable[Node], like: Node) -> SequenceNode:
    """A sequence at ``like``'s position (see :func:`mapping`)."""
    return MadeSequence(list(items), like)


class SplicedScalar(LeanScalarNode):
    """A string put together from parts written in different places.

    ``parts``: (where the part starts in ``value``, the node that wrote it, where the part
    starts in that node's value), in order. A position in the value belongs to the last part
    that starts at or before it: ``registry.acme.io/shop/app:1.4.2`` from ``newName:`` and
    ``newTag:`` is ``((0, new_name, 0), (26, new_tag, 0))``, so a finding about the tag points
    at the ``newTag`` line and one about the repository at the ``newName`` line."""

    __slots__ = ("parts",)

    def __init__(self, value: str, parts: tuple[tuple[int, Node, int], ...]) -> None:
        if not parts or parts[0][0] != 0:
            raise ValueError("a spliced value's first part starts at 0")
        first = parts[0][1]
        super().__init__(_STR, value, first.start_mark, first.end_mark, None)
        self.parts = parts

    def part_at(self, offset: int) -> tuple[Node, int]:
        """The node that wrote the character at ``offset``, and the offset into its value."""
        chosen = self.parts[0]
        for part in self.parts:
            if part[0] > offset:
                break
            chosen = part
        start, node, inner = chosen
        return node, inner + offset - start


def splice(pieces: Iterable[tuple[str, Node, int]]) -> ScalarNode:
    """A value written in pieces: each (text, the node that wrote it, where that text starts
    in the node's value). Empty pieces are dropped; one piece from one node is a plain
    :func:`scalar` at that node."""
    parts: list[tuple[int, Node, int]] = []
    text: list[str] = []
    length = 0
    for piece, node, inner in pieces:
        if not piece:
            continue
        if parts and parts[-1][1] is node and inner == parts[-1][2] + length - parts[-1][0]:
            pass  # continues the previous part of the same node
        else:
            parts.append((length, node, inner))
        text.append(piece)
        length += len(piece)
    value = "".join(text)
    if not parts:
        raise ValueError("nothing to splice")
    if len(parts) == 1 and parts[0][2] == 0:
        node = parts[0][1]
        if isinstance(node, ScalarNode) and node.value == value:
            return node
        return scalar(value, node)
    return SplicedScalar(value, tuple(parts))


# -- what a builder returns --------------------------------------------------------------------


class Build:
    """The objects a tree builds, with what it read and what went wrong on the way.

    ``display``: the file a finding about the build as a whole points at (a kustomization, a
    chart's Chart.yaml); ``via``: how findings name the tree (``overlays/prod``, or
    ``chart (values-prod.yaml)``); ``documents``: one mapping node per object, in the order
    the tree builds them; ``files``: display path -> the loaded file, for every YAML file whose
    nodes a document may hold; ``problems``: (display path, problem) met reading the tree, each
    under an input rule; ``read``: real paths of every file the build used (pre-commit maps a
    changed file to the trees that use it); ``notes``: said once about the tree."""

    __slots__ = ("display", "via", "documents", "files", "problems", "read", "notes")

    def __init__(
        self,
        display: str,
        via: str,
        documents: list[Node] | None = None,
        files: dict[str, LoadedFile] | None = None,
        problems: list[tuple[str, Problem]] | None = None,
        read: set[str] | None = None,
        notes: list[str] | None = None,
    ) -> None:
        self.display = display
        self.via = via
        self.documents: list[Node] = documents if documents is not None else []
        self.files: dict[str, LoadedFile] = files if files is not None else {}
        self.problems: list[tuple[str, Problem]] = problems if problems is not None else []
        self.read: set[str] = read if read is not None else set()
        self.notes: list[str] = notes if notes is not None else []


def marks_of(node: Node) -> Any:
    """A node's start mark (typed loosely: ruamel's marks and :class:`NamedMark` differ)."""
    return node.start_mark
