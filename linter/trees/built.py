"""A built tree, checked as the engine checks a file: its objects are the documents, and every
position is looked up in the file that wrote the node (see :mod:`imagelint.trees.origins`)."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.nodes import Node

from imagelint.core.model import Site
from imagelint.reading.loader import Document, LoadedFile
from imagelint.trees.origins import Build, SplicedScalar, file_of


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
        name = getattr(mark, "name", None)
        loaded = self.files.get(name) if isinstance(name, str) else None
        return loaded.line_of(mark) if loaded is not None else ""

    def site(self, node: Node, source: str | None) -> Site:
        if isinstance(node, SplicedScalar):
            first = self._site(node.parts[0][1], source)
            parts = []
            for start, part, inner in node.parts:
                site = self._site(part, source)
                if inner and site.exact:
                    site = Site(site.path, site.line, site.column + inner, True, source, self.via)
                elif inner:
                    site = site.inexact()
                parts.append((start, site))
            return Site(first.path, first.line, first.column, False, source, self.via, tuple(parts))
        return self._site(node, source)

    def _site(self, node: Node, source: str | None) -> Site:
        name = file_of(node)
        loaded = self.files.get(name) if name is not None else None
        if loaded is None:  # a node whose file is not known: the build's own file
            mark = node.start_mark
            return Site(self.display, mark.line + 1, mark.column + 1, False, source, self.via)
        site = loaded.site(node, source)
        return Site(site.path, site.line, site.column, site.exact, source, self.via)
