"""A built tree, checked as the engine checks a file: its objects are the documents, and every
position is looked up in the file that wrote the node (see :mod:`imagelint.trees.origins`)."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.nodes import Node

from imagelint.core.model import Site
from imagelint.reading.loader import Document, LoadedFile
from imagelint.reading.yamlnodes import value_start
from imagelint.trees.origins import Build, SplicedScalar


class BuiltFile(LoadedFile):
    """A :class:`~imagelint.trees.origins.Build` in the shape of a loaded file.

    ``display`` is the build's own file (a kustomization, a chart's values file), where
    findings about the build as a whole point; a node written in another file of the tree is
    placed there, with the tree named as ``via``."""

    __slots__ = ("via", "files")

    def __init__(self, build: Build) -> None:
        super().__init__(build.display, "")
        self.via = build.via
        self.files = build.files
        self._documents = [
            Document(node, index, None) for index, node in enumerate(build.documents)
        ]

    def line_of(self, mark: Any) -> str:
        loaded = self.files.get(getattr(mark, "name", ""))
        return loaded.line_of(mark) if loaded is not None else ""

    def site(self, node: Node, source: str | None) -> Site:
        if not isinstance(node, SplicedScalar):
            return self._site(node, source)
        sites = [self._site(part, source) for _start, part, _inner in node.parts]
        parts = []
        for (start, _part, inner), site in zip(node.parts, sites, strict=True):
            if inner and site.exact:
                site = Site(site.path, site.line, site.column + inner, True, source, self.via)
            elif inner:
                site = site.inexact()
            parts.append((start, site))
        first = sites[0]
        return Site(first.path, first.line, first.column, False, source, self.via, tuple(parts))

    def _site(self, node: Node, source: str | None) -> Site:
        """As :meth:`LoadedFile.site` in the file that wrote ``node``, naming the tree."""
        mark = node.start_mark
        # (a mark names its file: a parser's (NamedText), a NamedMark, or none at all)
        loaded = self.files.get(getattr(mark, "name", ""))
        if loaded is None:  # a node whose file is not known: the build's own file
            return Site(self.display, mark.line + 1, mark.column + 1, False, source, self.via)
        line, column, exact = value_start(node, loaded.line_of(mark))
        return Site(loaded.display, line + 1, column + 1, exact, source, self.via)
