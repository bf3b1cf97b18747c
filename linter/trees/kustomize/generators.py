"""secretGenerator and configMapGenerator: the objects they make, the content-hash suffix
kustomize gives their names, and how a generated object joins the build (``behavior``).

The hash follows kustomize's ``api/hasher``: sha256 of a JSON encoding (Go's
``json.Marshal``: keys sorted, no spaces, ``<>&`` escaped) of kind, type (Secrets), data (and
stringData/binaryData when present) and a name that is always empty (kustomize looks the name
up as one field called "metadata/name", which no object has); the first ten hex digits, with
0, 1, 3, a and e mapped to g, h, k, m and t.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import posixpath

from ruamel.yaml.nodes import MappingNode, Node

from imagelint.trees.kustomize.context import Run
from imagelint.trees.kustomize.kustomization import Kustomization
from imagelint.trees.kustomize.nodes import BROKEN, get, items, new_mapping, text, with_key
from imagelint.trees.kustomize.resources import Res, having
from imagelint.trees.origins import mapping, scalar


def generate(k: Kustomization, run: Run) -> list[tuple[Res, Node]]:
    """The objects ``k``'s generators make, in kustomize's order (ConfigMaps, then Secrets),
    each with its generator entry."""
    result: list[tuple[Res, Node]] = []
    options = get(k.node, "generatorOptions")
    for field, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
        for entry in k.entries(field):
            if isinstance(entry, MappingNode):
                made = _generate_one(k, run, entry, kind, options)
                if made is not None:
                    result.append((made, entry))
    return result


def _generate_one(
    k: Kustomization, run: Run, entry: MappingNode, kind: str, options: Node | None
) -> Res | None:
    name_node = get(entry, "name")
    name = text(name_node)
    if name is None or name_node is None:
        run.problem(entry, BROKEN, f"this {kind} generator has no name: kustomize stops")
        return None
    pairs = _pairs(k, run, entry, kind)
    if pairs is None:
        return None
    data: list[tuple[str, Node]] = []
    binary: list[tuple[str, Node]] = []
    for key, value, like in pairs:
        if kind == "Secret":
            data.append((key, scalar(_base64_lines(value), like)))
        else:
            try:
                data.append((key, scalar(value.decode("utf-8"), like)))
            except UnicodeDecodeError:
                binary.append((key, scalar(_base64_lines(value), like)))
    local = get(entry, "options")
    metadata: list[tuple[str, Node]] = [("name", name_node)]
    namespace = get(entry, "namespace")
    if text(namespace):
        assert namespace is not None
        metadata.append(("namespace", namespace))
    for field in ("labels", "annotations"):
        merged = _merged_map(get(options, field), get(local, field))
        if merged is not None:
            metadata.append((field, merged))
    pairs_out: list[tuple[str, Node]] = [
        ("apiVersion", scalar("v1", entry)),
        ("kind", scalar(kind, entry)),
        ("metadata", new_mapping(metadata, entry)),
    ]
    if kind == "Secret":
        type_node = get(entry, "type")
        if type_node is None or not text(type_node):
            type_node = scalar("Opaque", entry)
        pairs_out.append(("type", type_node))
    if data:
        pairs_out.append(("data", new_mapping(data, entry)))
    if binary:
        pairs_out.append(("binaryData", new_mapping(binary, entry)))
    if _flag(options, local, "immutable"):
        pairs_out.append(("immutable", scalar("true", entry)))
    res = Res(new_mapping(pairs_out, entry))
    res.needs_hash = not _flag(options, local, "disableNameSuffixHash")
    res.behavior = text(get(entry, "behavior")) or "create"
    return res


def _base64_lines(value: bytes) -> str:
    """Base64 as kustomize's generators write it: an encoding of 70 characters or more is cut
    into lines of 70, each ending with a line break (the hash covers those breaks)."""
    encoded = base64.b64encode(value).decode("ascii")
    if len(encoded) < 70:
        return encoded
    return "".join(encoded[i : i + 70] + "\n" for i in range(0, len(encoded), 70))


def _flag(options: Node | None, local: Node | None, field: str) -> bool:
    value = text(get(local, field)) or text(get(options, field))
    return value in ("true", "True", "TRUE")


def _merged_map(outer: Node | None, inner: Node | None) -> Node | None:
    if not isinstance(outer, MappingNode):
        return inner if isinstance(inner, MappingNode) else None
    if not isinstance(inner, MappingNode):
        return outer
    keys = {k.value for k, _ in inner.value}
    return mapping([p for p in outer.value if p[0].value not in keys] + list(inner.value), inner)


def _pairs(
    k: Kustomization, run: Run, entry: MappingNode, kind: str
) -> list[tuple[str, bytes, Node]] | None:
    """The generator's keys and values, from env files, literals and files (kustomize's
    order); None when kustomize would stop."""
    result: list[tuple[str, bytes, Node]] = []
    envs = items(get(entry, "envs"))
    single = get(entry, "env")
    if single is not None:
        envs.append(single)
    for env in envs:
        path = text(env)
        if path is None:
            continue
        data = run.read_input(k, env, path, f"{kind} generator env file")
        if data is None:
            return None
        for line_number, line in enumerate(data.decode("utf-8", "replace").split("\n")):
            if line_number == 0:
                line = line.removeprefix("\ufeff")
            line = line.removesuffix("\r").lstrip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            # A key alone takes its value from kustomize's environment, as kustomize does.
            result.append((key, (value if sep else os.environ.get(key, "")).encode(), env))
    for literal in items(get(entry, "literals")):
        source = text(literal)
        if source is None:
            continue
        key, sep, value = source.partition("=")
        if not sep:
            run.problem(
                literal,
                BROKEN,
                f"kustomize stops: the literal {key!r} has no '=' (write KEY=VALUE)",
            )
            return None
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        result.append((key, value.encode(), literal))
    for file_entry in items(get(entry, "files")):
        source = text(file_entry)
        if source is None:
            continue
        if source.count("=") > 1 or source.startswith("=") or source.endswith("="):
            run.problem(
                file_entry,
                BROKEN,
                f"kustomize stops: {source!r} is not 'path' or 'key=path'",
            )
            return None
        key, sep, path = source.partition("=")
        if not sep:
            key, path = posixpath.basename(source), source
        data = run.read_input(k, file_entry, path, f"{kind} generator file")
        if data is None:
            return None
        result.append((key, data, file_entry))
    seen: set[str] = set()
    for key, _value, node in result:
        if key in seen:
            run.problem(
                node,
                BROKEN,
                f"kustomize stops: the key {key!r} is set twice in this {kind} generator",
            )
            return None
        seen.add(key)
    return result


def absorb(ra: list[Res], generated: list[tuple[Res, Node]], run: Run) -> None:
    """Add generated objects to the build as kustomize does: ``create`` adds (an object with
    the same id already there is an error), ``merge`` and ``replace`` change the one object
    with that id (none is an error)."""
    for res, entry in generated:
        ident = res.cur_id()
        matches = having(ra, ident)
        if not matches:
            if res.behavior in ("merge", "replace"):
                run.problem(
                    entry,
                    BROKEN,
                    f"kustomize stops: behavior {res.behavior} needs a {res.kind} named "
                    f"{res.name} from a base of this kustomization, and there is none",
                )
                continue
            ra.append(res)
            continue
        if len(matches) > 1 or res.behavior not in ("merge", "replace"):
            run.problem(
                entry,
                BROKEN,
                f"kustomize stops: a {res.kind} named {res.name} is already in the build; "
                "use behavior: merge or behavior: replace to change it",
            )
            continue
        old = matches[0]
        ra[ra.index(old)] = _combined(old, res)


def _combined(old: Res, new: Res) -> Res:
    """A ``merge`` or ``replace`` result: the new object with the old one's name, namespace,
    labels and annotations (merged), and for ``merge`` the old data under the new."""
    node = new.node
    old_meta = get(old.node, "metadata")
    new_meta = get(node, "metadata")
    assert isinstance(new_meta, MappingNode)
    meta_pairs = [p for p in new_meta.value if p[0].value not in ("name", "namespace")]
    meta = mapping(meta_pairs, new_meta)
    for field in ("labels", "annotations"):
        merged = _merged_map(get(old_meta, field), get(meta, field))
        if merged is not None:
            meta = _set(meta, field, merged)
    for field in ("name", "namespace"):
        value = get(old_meta, field)
        if value is not None:
            meta = _set(meta, field, value)
    node = _set(node, "metadata", meta)
    if new.behavior == "merge":
        for field in ("data", "binaryData"):
            merged = _merged_map(get(old.node, field), get(node, field))
            if merged is not None:
                node = _set(node, field, merged)
    result = old.copy()
    result.node = node
    result.refresh()
    result.needs_hash = old.needs_hash  # a Secret from a file keeps its name
    result.behavior = "create"
    return result


def _set(node: MappingNode, key: str, value: Node) -> MappingNode:
    return with_key(node, key, value)


def content_hash(res: Res) -> str:
    """kustomize's hash of a ConfigMap or Secret (see the module's docstring)."""
    node = res.node
    fields: dict[str, object] = {"kind": res.kind, "name": "", "data": _as_map(get(node, "data"))}
    if res.kind == "Secret":
        fields["type"] = text(get(node, "type")) or ""
        extra = "stringData"
    else:
        extra = "binaryData"
    if isinstance(get(node, extra), MappingNode):
        fields[extra] = _as_map(get(node, extra))
    encoded = _ENCODER.encode(fields)
    for char, escaped in _GO_ESCAPES:
        encoded = encoded.replace(char, escaped)
    digest = hashlib.sha256(encoded.encode("utf-8")).hexdigest()
    return digest[:10].translate(_HASH_LETTERS)


# Go's json.Marshal, less its escapes (below): one encoder for every hash.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_GO_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
_HASH_LETTERS = str.maketrans("013ae", "ghkmt")


def _as_map(node: Node | None) -> object:
    if not isinstance(node, MappingNode):
        return ""
    return {k.value: (text(v) or "") for k, v in node.value}
