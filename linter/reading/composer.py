"""The YAML composer the loader uses, and what its errors say.

:class:`Composer` is ruamel's C composer with the work nobody uses taken out; composed with
:func:`compose`, a text becomes lean nodes (``leannodes``) with line and column marks. Where the
C parser refuses something go-yaml (Kubernetes' parser) accepts, :func:`compose_pure` reads it
with ruamel's pure-Python parser instead. :func:`problem_position` and :func:`describe_error`
turn a parser error into where and what for a finding.
"""

from __future__ import annotations

import operator
import warnings
from typing import Any, TypeGuard

from ruamel.yaml import YAML
from ruamel.yaml.cyaml import CSafeLoader
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.tag import Tag

from imagelint.reading.leannodes import LeanScalarNode, LeanSequenceNode, get_node
from imagelint.reading.textlines import BREAK
from imagelint.reading.yamlnodes import PLAIN_TAG

# Texts with an anchor composed in this process: only an alias (which needs an anchor) can make
# composed nodes a cycle, which reference counting never frees (see running.collect.settle).
_anchored = [0]


def anchored_texts() -> int:
    """How many texts holding an anchor (``&``) this process has composed so far."""
    return _anchored[0]


class Composer(CSafeLoader):
    """The C composer, minus work nobody uses: tags of plain scalars are resolved on demand
    (``yamlnodes.tag_of``) instead of by a dozen regular expressions per scalar, there are no
    path resolvers to track, and every node shares one of four Tag objects instead of getting
    its own (a node given a string makes a Tag of it): together, much of composing time."""

    def __init__(self, stream: Any) -> None:
        if not isinstance(stream, str) or "&" in stream:  # a stream: it may hold one
            _anchored[0] += 1
        super().__init__(stream)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Tag:
        # ``kind`` is the class the composer makes the node of: ruamel's, or a lean one.
        if kind is LeanScalarNode or kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is LeanSequenceNode or kind is SequenceNode else _MAP

    # No path resolvers: these are called for every node, so they are C functions that do
    # nothing useful rather than Python methods (builtins do not bind to the instance).
    # Their signatures differ from the methods they stand in for, which mypy cannot know is
    # harmless: each takes the arguments the composer passes and its result is not used.
    descend_resolver = operator.is_  # type: ignore[assignment]  # a no-op, see above
    ascend_resolver = tuple  # type: ignore[assignment]  # a no-op, see above


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


def compose(text: str) -> tuple[list[Node], YAMLError | None]:
    """Every document of ``text`` up to a syntax error, and the error if there is one."""
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


def is_libyaml_gap(error: YAMLError | None) -> TypeGuard[MarkedYAMLError]:
    """Whether the C parser refused something go-yaml (Kubernetes' parser) accepts.

    libyaml refuses ':' inside a plain scalar in a flow collection (``{image: nginx:1.25}``);
    go-yaml, and so kubectl, read it as part of the scalar.
    """
    return isinstance(error, MarkedYAMLError) and error.problem == "found unexpected ':'"


def compose_pure(
    text: str, fallback: list[Node], error: YAMLError
) -> tuple[list[Node], YAMLError | None]:
    """Compose with ruamel's pure-Python parser (slow: only for the documents that need it)."""
    if "&" in text:
        _anchored[0] += 1
    try:
        # It warns of a reused anchor, which go-yaml accepts (the later one wins), as do we.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return list(YAML(typ="safe", pure=True).compose_all(text)), None
    except YAMLError as pure_error:
        return fallback, pure_error
    except RecursionError:
        return fallback, error


def problem_position(error: YAMLError, text: str) -> tuple[int, int]:
    """0-based line and column of a parser error."""
    if isinstance(error, MarkedYAMLError) and error.problem_mark is not None:
        return error.problem_mark.line, error.problem_mark.column
    if isinstance(error, ReaderError):
        # The C reader reports a byte offset into the UTF-8 encoding.
        prefix = text.encode("utf-8", errors="surrogatepass")[: error.position].decode(
            "utf-8", errors="replace"
        )
        lines = BREAK.split(prefix)
        return len(lines) - 1, len(lines[-1])
    return 0, 0


def describe_error(error: YAMLError) -> str:
    """A parser error in words, for a finding."""
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
