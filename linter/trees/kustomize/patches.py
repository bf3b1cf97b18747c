"""The patch fields of a kustomization: ``patchesStrategicMerge``, ``patches`` (with or
without ``target``) and ``patchesJson6902``, applied as kustomize v5 applies them.

A patch without a target names its object (apiVersion, kind, name): kustomize stops when no
object, or more than one, has that id. A patch with a target applies to every object the
target selects; none selected is silent in kustomize, a warning here.
"""

from __future__ import annotations

import re

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.trees.kustomize.context import Run
from imagelint.trees.kustomize.kustomization import Kustomization
from imagelint.trees.kustomize.nodes import (
    BROKEN,
    MATCHES_NOTHING,
    get,
    text,
    with_key,
    without_key,
)
from imagelint.trees.kustomize.resources import (
    BUILTIN_GROUPS,
    Res,
    effective,
    having,
    split_api_version,
)
from imagelint.trees.kustomize.smp import DELETE, directive, merge
from imagelint.trees.origins import mapping


def patch_documents(run: Run, k: Kustomization, node: Node, what: str) -> list[Node] | None:
    """The documents of a patch given as a path, or (a string with a line break or that is
    not a file) written inline."""
    value = text(node)
    if value is None or not isinstance(node, ScalarNode):
        run.problem(node, BROKEN, f"kustomize stops: this {what} is not a path or a patch")
        return None
    if "\n" not in value and not value.lstrip().startswith(("{", "[")):
        located = run.locate_file(k, node, value, what)
        if located is None:
            return None
        loaded = run.load(located.real, located.display, node, what)
        return None if loaded is None else [d.node for d in loaded.documents]
    return _inline(run, k, node)


def _inline(run: Run, k: Kustomization, node: ScalarNode) -> list[Node]:
    # Here, not at the top: most patches are files (the module is imported for those that
    # are written inline).
    from imagelint.trees.kustomize.inline import inline_documents

    return inline_documents(run, k, node)


def apply_strategic_merge_field(k: Kustomization, run: Run, ra: list[Res]) -> None:
    for entry in k.entries("patchesStrategicMerge"):
        for document in patch_documents(run, k, entry, "patchesStrategicMerge patch") or ():
            _patch_by_id(run, ra, document, entry)


def apply_patches_field(k: Kustomization, run: Run, ra: list[Res]) -> None:
    for entry in k.entries("patches"):
        if not isinstance(entry, MappingNode):
            run.problem(entry, BROKEN, "kustomize stops: a patches entry is a mapping")
            continue
        source = get(entry, "path") or get(entry, "patch")
        if source is None:
            run.problem(entry, BROKEN, "kustomize stops: this patch has neither path nor patch")
            continue
        if get(entry, "patch") is not None and isinstance(source, ScalarNode):
            documents = _inline(run, k, source)
        else:
            documents = patch_documents(run, k, source, "patch") or []
        target = get(entry, "target")
        options = get(entry, "options")
        keep_id = not (text(get(options, "allowNameChange")) == "true")
        for document in documents:
            if isinstance(document, SequenceNode):
                if target is None:
                    run.problem(entry, BROKEN, "kustomize stops: a JSON patch needs a target")
                    continue
                _json_patch(run, select(ra, target), document, entry)
            elif target is None:
                _patch_by_id(run, ra, document, entry, keep_id)
            else:
                for res in select(ra, target):
                    _merge_into(run, ra, res, document, keep_id)
        if target is not None and not select(ra, target):
            _nothing(run, target, "patch")


def apply_json6902_field(k: Kustomization, run: Run, ra: list[Res]) -> None:
    for entry in k.entries("patchesJson6902"):
        target = get(entry, "target")
        source = get(entry, "path") or get(entry, "patch")
        if target is None or source is None:
            run.problem(entry, BROKEN, "kustomize stops: this entry needs a target and a patch")
            continue
        if get(entry, "patch") is not None and isinstance(source, ScalarNode):
            documents = _inline(run, k, source)
        else:
            documents = patch_documents(run, k, source, "patchesJson6902 patch") or []
        selected = select(ra, target)
        if not selected:
            _nothing(run, target, "patchesJson6902 patch")
        for document in documents:
            _json_patch(run, selected, document, entry)


def _nothing(run: Run, target: Node, what: str) -> None:
    run.problem(
        target,
        MATCHES_NOTHING,
        f"this {what}'s target selects no object of the build: kustomize ignores it without "
        "a word, so the patch is never applied; fix the target (kind, name, namespace, "
        "labels) or remove the patch",
    )


def _patch_by_id(run: Run, ra: list[Res], patch: Node, entry: Node, keep_id: bool = True) -> None:
    if not isinstance(patch, MappingNode):
        if not (isinstance(patch, ScalarNode) and not patch.value.strip()):
            run.problem(entry, BROKEN, "kustomize stops: a strategic merge patch is a mapping")
        return
    group, version = split_api_version(text(get(patch, "apiVersion")) or "")
    metadata = get(patch, "metadata")
    ident = (
        group,
        version,
        text(get(patch, "kind")) or "",
        text(get(metadata, "namespace")) or "",
        text(get(metadata, "name")) or "",
    )
    matches = having(ra, ident)
    if len(matches) != 1:
        shown = f"{ident[2]} {ident[4]}" + (f" in namespace {ident[3]}" if ident[3] else "")
        how = "no object" if not matches else f"{len(matches)} objects"
        run.problem(
            entry,
            BROKEN,
            f"kustomize stops: {how} of the build {'is' if not matches else 'are'} "
            f"{shown} ({'/'.join(p for p in ident[:2] if p)}), the object this patch names "
            "('failed to find unique target for patch'); fix the patch's apiVersion, kind, "
            "name or namespace, or give it a target",
        )
        return
    _merge_into(run, ra, matches[0], patch, keep_id)


def _merge_into(run: Run, ra: list[Res], res: Res, patch: Node, keep_id: bool) -> None:
    if isinstance(patch, MappingNode) and keep_id:
        patch = _without_id(patch, isinstance(get(res.node, "metadata"), MappingNode))
    merged = merge(res.node, patch, res.group in BUILTIN_GROUPS)
    if merged is DELETE:
        ra.remove(res)
        return
    if isinstance(merged, MappingNode):
        res.node = merged
        if not (keep_id and _names_nothing(patch)):
            res.refresh()


def _names_nothing(patch: Node) -> bool:
    """Whether a patch less its id (see _without_id) leaves the object's id as it was: it
    replaces nothing whole and has no metadata to merge."""
    return (
        isinstance(patch, MappingNode)
        and directive(patch) is None
        and get(patch, "metadata") is None
    )


_ID_KEYS = ("apiVersion", "kind")
_META_ID_KEYS = ("name", "namespace")


def _without_id(patch: MappingNode, has_metadata: bool) -> MappingNode:
    """A patch less what names its object (apiVersion, kind, metadata's name and namespace),
    which a patch that keeps the id does not change. A metadata left empty is left out when
    the object has a metadata mapping (merging nothing into it changes nothing)."""
    if sum(_named(key, ("metadata",)) for key, _value in patch.value) > 1:
        # A repeated key: the last metadata, trimmed, in place of the first, as with_key puts it.
        patch = without_key(without_key(patch, "apiVersion"), "kind")
        metadata = get(patch, "metadata")
        if isinstance(metadata, MappingNode):
            trimmed = without_key(without_key(metadata, "name"), "namespace")
            patch = with_key(patch, "metadata", trimmed)
        return patch
    pairs: list[tuple[Node, Node]] = []
    changed = False
    for key, value in patch.value:
        name = key.value if isinstance(key, ScalarNode) else None
        if name in _ID_KEYS:
            changed = True
            continue
        if name == "metadata" and isinstance(value, MappingNode):
            kept = [p for p in value.value if not _named(p[0], _META_ID_KEYS)]
            if len(kept) != len(value.value):
                changed = True
                if not kept and has_metadata:
                    continue
                value = mapping(kept, value)
        pairs.append((key, value))
    return mapping(pairs, patch) if changed else patch


def _named(key: Node, names: tuple[str, ...]) -> bool:
    return isinstance(key, ScalarNode) and key.value in names


def _json_patch(run: Run, selected: list[Res], operations: Node, entry: Node) -> None:
    # Here, not at the top: most trees have no JSON patches.
    from imagelint.trees.kustomize.jsonpatch import PatchError, apply

    if not isinstance(operations, SequenceNode):
        run.problem(entry, BROKEN, "kustomize stops: a JSON patch is a list of operations")
        return
    for res in selected:
        node: Node = res.node
        for operation in operations.value:
            op = text(get(operation, "op")) or ""
            path = text(get(operation, "path"))
            try:
                if path is None:
                    raise PatchError("an operation has no path")
                node = apply(node, op, path, get(operation, "value"), text(get(operation, "from")))
            except PatchError as error:
                run.problem(
                    operation,
                    BROKEN,
                    f"kustomize stops: this {op or 'JSON patch'} operation does not apply to "
                    f"{res.describe()}: {error}",
                )
                return
        if isinstance(node, MappingNode):
            res.node = node
            res.refresh()


def select(ra: list[Res], target: Node) -> list[Res]:
    """The objects a ``target`` selects, as kustomize's ResMap.Select: group, version and kind
    equal when given; name and namespace anchored regular expressions over the original or
    the current name (namespace: empty is "default"); label and annotation selectors."""
    group = text(get(target, "group"))
    version = text(get(target, "version"))
    kind = text(get(target, "kind"))
    name = _regex(text(get(target, "name")))
    namespace = _regex(text(get(target, "namespace")))
    labels = _selector(text(get(target, "labelSelector")))
    annotations = _selector(text(get(target, "annotationSelector")))
    result = []
    for res in ra:
        if group and res.group != group or version and res.version != version:
            continue
        if kind and res.kind != kind:
            continue
        org = res.org_id()
        if namespace is not None and not (
            namespace.fullmatch(effective(org[3])) or namespace.fullmatch(effective(res.namespace))
        ):
            continue
        if name is not None and not (name.fullmatch(org[4]) or name.fullmatch(res.name)):
            continue
        metadata = get(res.node, "metadata")
        if labels is not None and not _matches(labels, get(metadata, "labels")):
            continue
        if annotations is not None and not _matches(annotations, get(metadata, "annotations")):
            continue
        result.append(res)
    return result


def _regex(value: str | None) -> re.Pattern[str] | None:
    if not value:
        return None
    try:
        return re.compile(f"(?:{value})")
    except re.error:
        return re.compile(re.escape(value))


Requirement = tuple[str, str, frozenset[str]]  # (key, operator, values)


def _selector(value: str | None) -> list[Requirement] | None:
    """A label selector: ``k=v``, ``k==v``, ``k!=v``, ``k``, ``!k``, ``k in (a,b)``,
    ``k notin (a,b)``, comma-separated."""
    if not value:
        return None
    result: list[Requirement] = []
    for part in re.findall(r"(?:[^,(]|\([^)]*\))+", value):
        part = part.strip()
        found = re.fullmatch(r"(\S+)\s+(in|notin)\s+\(([^)]*)\)", part)
        if found:
            values = frozenset(v.strip() for v in found.group(3).split(","))
            result.append((found.group(1), found.group(2), values))
        elif "!=" in part:
            key, _, val = part.partition("!=")
            result.append((key.strip(), "!=", frozenset({val.strip()})))
        elif "=" in part:
            key, _, val = part.replace("==", "=").partition("=")
            result.append((key.strip(), "=", frozenset({val.strip()})))
        elif part.startswith("!"):
            result.append((part[1:].strip(), "!", frozenset()))
        else:
            result.append((part, "exists", frozenset()))
    return result


def _matches(requirements: list[Requirement], node: Node | None) -> bool:
    present = {k.value: text(v) for k, v in node.value} if isinstance(node, MappingNode) else {}
    for key, operator, values in requirements:
        value = present.get(key)
        has = key in present
        if operator in ("=", "in") and (not has or value not in values):
            return False
        if operator in ("!=", "notin") and has and value in values:
            return False
        if operator == "exists" and not has or operator == "!" and has:
            return False
    return True
