"""``replacements``: copy a field of one object into fields of others (kustomize v5's
ReplacementTransformer), where they write image fields as anywhere else. The value keeps
the line of the source field (spliced into the target's value with ``delimiter``)."""

from __future__ import annotations

import re

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.trees.kustomize.context import Run
from imagelint.trees.kustomize.kustomization import Kustomization
from imagelint.trees.kustomize.nodes import (
    BROKEN,
    MATCHES_NOTHING,
    get,
    items,
    text,
    with_key,
)
from imagelint.trees.kustomize.resources import Res, effective
from imagelint.trees.kustomize.transforms import Piece, part
from imagelint.trees.origins import mapping, sequence, splice


class ReplacementError(Exception):
    """Why kustomize stops."""


def apply_replacements(k: Kustomization, run: Run, ra: list[Res]) -> None:
    for entry in k.entries("replacements"):
        path = text(get(entry, "path"))
        definitions: list[Node] = [entry]
        if path is not None:
            located = run.locate_file(k, get(entry, "path") or entry, path, "replacement file")
            loaded = None
            if located is not None:
                loaded = run.load(located.real, located.display, entry, "replacement file")
            definitions = []
            for document in loaded.documents if loaded is not None else ():
                node = document.node
                definitions.extend(items(node) if isinstance(node, SequenceNode) else [node])
        for definition in definitions:
            try:
                _replace(run, definition, ra)
            except ReplacementError as error:
                run.problem(definition, BROKEN, f"kustomize stops: {error}")


def _replace(run: Run, definition: Node, ra: list[Res]) -> None:
    source = get(definition, "source")
    if source is None:
        raise ReplacementError("this replacement has no source")
    found = [res for res in ra if _selected(res, source)]
    if not found:
        raise ReplacementError(
            f"no object of the build is the replacement's source ({_describe(source)})"
        )
    if len(found) > 1:
        raise ReplacementError(
            f"several objects match the replacement's source ({_describe(source)})"
        )
    field_path = text(get(source, "fieldPath")) or "metadata.name"
    values = _find(found[0].node, _split(field_path))
    if not values:
        raise ReplacementError(f"the source has no field {field_path}")
    value = values[0]
    options = get(source, "options")
    delimiter = text(get(options, "delimiter"))
    if delimiter and isinstance(value, ScalarNode):
        index = _int(text(get(options, "index")))
        pieces = _pieces(value, delimiter)
        if not 0 <= index < len(pieces):
            raise ReplacementError(f"options.index {index} is out of range")
        value = splice(pieces[index])
    for target in items(get(definition, "targets")):
        select = get(target, "select")
        rejects = items(get(target, "reject"))
        chosen = [
            res
            for res in ra
            if (select is None or _selected(res, select))
            and not any(_selected(res, r) for r in rejects)
        ]
        if not chosen:
            run.problem(
                select or target,
                MATCHES_NOTHING,
                "this replacement target selects no object of the build: kustomize ignores "
                "it without a word, so the value is never written; fix the selector",
            )
            continue
        target_options = get(target, "options")
        for res in chosen:
            for path_node in items(get(target, "fieldPaths")):
                path = text(path_node) or ""
                node = _write(res.node, _split(path), value, target_options, path)
                if isinstance(node, MappingNode):
                    res.node = node
            res.refresh()


def _int(value: str | None) -> int:
    try:
        return int(value or "0")
    except ValueError:
        return 0


def _pieces(value: ScalarNode, delimiter: str) -> list[list[Piece]]:
    result = []
    start = 0
    for chunk in value.value.split(delimiter):
        result.append(part(value, start, start + len(chunk)) or [("", value, start)])
        start += len(chunk) + len(delimiter)
    return result


def _selected(res: Res, selector: Node) -> bool:
    group = text(get(selector, "group"))
    version = text(get(selector, "version"))
    kind = text(get(selector, "kind"))
    if group and res.group != group or version and res.version != version:
        return False
    if kind and res.kind != kind:
        return False
    name = text(get(selector, "name"))
    namespace = text(get(selector, "namespace"))
    if name or namespace:
        if not any(
            (not name or ident[4] == name)
            and (not namespace or effective(ident[3]) == effective(namespace))
            for ident in res.any_ids()
        ):
            return False
    return True


def _describe(selector: Node) -> str:
    parts = [
        f"{field} {text(get(selector, field))}"
        for field in ("kind", "name", "namespace")
        if text(get(selector, field))
    ]
    return ", ".join(parts) or "any object"


_SEGMENT = re.compile(r"\[[^\]]*\]|[^.\[]+")


def _split(path: str) -> list[str]:
    """A field path (``spec.template.spec.containers.[name=app].image``) into its parts."""
    return [s.strip("[]") if "=" in s else s for s in _SEGMENT.findall(path) if s != "."]


def _find(node: Node | None, path: list[str]) -> list[Node]:
    if node is None:
        return []
    if not path:
        return [node]
    head, rest = path[0], path[1:]
    if isinstance(node, MappingNode):
        return _find(get(node, head), rest)
    if isinstance(node, SequenceNode):
        return [found for i in _indexes(node, head) for found in _find(node.value[i], rest)]
    return []


def _indexes(node: SequenceNode, head: str) -> list[int]:
    if head == "*":
        return list(range(len(node.value)))
    if "=" in head:
        key, _, wanted = head.partition("=")
        return [i for i, item in enumerate(node.value) if text(get(item, key)) == wanted]
    if head.isdigit() and int(head) < len(node.value):
        return [int(head)]
    return []


def _write(node: Node, path: list[str], value: Node, options: Node | None, shown: str) -> Node:
    if not path:
        delimiter = text(get(options, "delimiter"))
        if delimiter and isinstance(node, ScalarNode) and isinstance(value, ScalarNode):
            chunks = _pieces(node, delimiter)
            index = _int(text(get(options, "index")))
            new_chunk = part(value, 0, len(value.value))
            if index < 0:
                chunks.insert(0, new_chunk)
            elif index >= len(chunks):
                chunks.append(new_chunk)
            else:
                chunks[index] = new_chunk
            pieces: list[Piece] = []
            for i, chunk in enumerate(chunks):
                if i:
                    last = pieces[-1] if pieces else (delimiter, value, 0)
                    pieces.append((delimiter, last[1], last[2] + len(last[0])))
                pieces.extend(chunk)
            return splice(pieces)
        return value
    head, rest = path[0], path[1:]
    create = text(get(options, "create")) == "true"
    if isinstance(node, MappingNode):
        inner = get(node, head)
        if inner is None:
            if not create:
                raise ReplacementError(f"the target has no field {shown} ('unable to find field')")
            inner = mapping([], node)
        return with_key(node, head, _write(inner, rest, value, options, shown))
    if isinstance(node, SequenceNode):
        found = _indexes(node, head)
        if not found:
            raise ReplacementError(f"the target has no field {shown} ('unable to find field')")
        values = list(node.value)
        for i in found:
            values[i] = _write(values[i], rest, value, options, shown)
        return sequence(values, node)
    raise ReplacementError(f"the target has no field {shown} ('unable to find field')")
