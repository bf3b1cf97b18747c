"""Cheaper node objects for ruamel's C composer.

The C composer makes each node by calling ``ScalarNode``, ``SequenceNode`` or ``MappingNode``,
looked up in its own module's globals at each call. ruamel's classes run a chain of Python
``__init__`` methods per node (three calls for a scalar, and a Tag for a string tag); the
subclasses here set the same attributes in one call, which makes composing markedly cheaper.

:func:`get_node` puts them in the C module's globals for the length of one ``get_node()`` call
and then puts ruamel's back, so nothing else that uses ruamel in this process ever sees them.
They are subclasses, so ``isinstance(node, ScalarNode)`` holds as before.
"""

from __future__ import annotations

import functools
import sys
from types import ModuleType
from typing import Any, Protocol

from ruamel.yaml.cyaml import CSafeLoader
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.tag import Tag

_NAMES = ("ScalarNode", "SequenceNode", "MappingNode")
_STOCK = (ScalarNode, SequenceNode, MappingNode)


class LeanScalarNode(ScalarNode):
    __slots__ = ()

    def __init__(
        self,
        tag: Any,
        value: Any,
        start_mark: Any = None,
        end_mark: Any = None,
        style: Any = None,
        comment: Any = None,
        anchor: Any = None,
    ) -> None:
        self.ctag = tag if isinstance(tag, Tag) else Tag(suffix=tag)
        self.value = value
        self.start_mark = start_mark
        self.end_mark = end_mark
        self.style = style
        self.comment = comment
        self.anchor = anchor


class LeanSequenceNode(SequenceNode):
    __slots__ = ()

    def __init__(
        self,
        tag: Any,
        value: Any,
        start_mark: Any = None,
        end_mark: Any = None,
        flow_style: Any = None,
        comment: Any = None,
        anchor: Any = None,
    ) -> None:
        self.ctag = tag if isinstance(tag, Tag) else Tag(suffix=tag)
        self.value = value
        self.start_mark = start_mark
        self.end_mark = end_mark
        self.flow_style = flow_style
        self.comment = comment
        self.anchor = anchor


class LeanMappingNode(MappingNode):
    __slots__ = ()

    def __init__(
        self,
        tag: Any,
        value: Any,
        start_mark: Any = None,
        end_mark: Any = None,
        flow_style: Any = None,
        comment: Any = None,
        anchor: Any = None,
    ) -> None:
        self.ctag = tag if isinstance(tag, Tag) else Tag(suffix=tag)
        self.value = value
        self.start_mark = start_mark
        self.end_mark = end_mark
        self.flow_style = flow_style
        self.comment = comment
        self.anchor = anchor
        self.merge = None


_LEAN = dict(zip(_NAMES, (LeanScalarNode, LeanSequenceNode, LeanMappingNode), strict=True))
_RUAMEL = dict(zip(_NAMES, _STOCK, strict=True))


class _Composing(Protocol):
    """What :func:`get_node` needs of a loader."""

    def get_node(self) -> Node: ...


def get_node(loader: _Composing) -> Node:
    """``loader.get_node()``, with lean nodes where the C composer takes them."""
    module = c_module()
    if module is None:
        return loader.get_node()
    namespace = vars(module)
    namespace.update(_LEAN)
    try:
        return loader.get_node()
    finally:
        namespace.update(_RUAMEL)


@functools.cache
def c_module() -> ModuleType | None:
    """The C composer's module, if it finds ruamel's node classes in its globals (as both
    ruamel.yaml.clib's ``_ruamel_yaml`` and ruamel.yaml.clibz's ``_ruamel_yaml_clibz`` do);
    otherwise nodes stay ruamel's own."""
    for name in ("_ruamel_yaml", "_ruamel_yaml_clibz"):
        module = sys.modules.get(name)
        # The module whose CParser ruamel's C loaders are built on (CSafeLoader is one).
        if module is not None and getattr(module, "CParser", None) in CSafeLoader.__mro__:
            stock = tuple(getattr(module, attribute, None) for attribute in _NAMES)
            return module if stock == _STOCK else None
    return None
