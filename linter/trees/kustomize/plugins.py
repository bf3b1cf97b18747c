"""``transformers:`` entries that configure kustomize's builtin transformers (``apiVersion:
builtin``), which kustomize runs without any plugin: an ImageTagTransformer is applied like an
``images:`` entry; label, annotation and replica transformers change nothing imagelint checks
and are accepted as they are. Any other transformer (an exec or container plugin, or a builtin
this builder does not run) is one note that it was not followed."""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from imagelint.trees.kustomize.context import Run
from imagelint.trees.kustomize.inline import inline_documents
from imagelint.trees.kustomize.kustomization import Kustomization
from imagelint.trees.kustomize.nodes import NOT_FOLLOWED, get, text
from imagelint.trees.kustomize.resources import Res
from imagelint.trees.kustomize.transforms import apply_image

# Builtin transformers that change nothing that decides images or pull secrets.
_HARMLESS = frozenset(
    {
        "LabelTransformer",
        "AnnotationsTransformer",
        "ReplicaCountTransformer",
        "SortOrderTransformer",
    }
)


def apply_transformers(k: Kustomization, run: Run, ra: list[Res]) -> None:
    for entry in k.entries("transformers"):
        for config in _configs(k, run, entry):
            kind = text(get(config, "kind")) or ""
            builtin = text(get(config, "apiVersion")) == "builtin"
            if builtin and kind == "ImageTagTransformer":
                tag = get(config, "imageTag")
                if isinstance(tag, MappingNode):
                    apply_image(tag, run, ra)
                continue
            if builtin and kind in _HARMLESS:
                continue
            what = f"the {kind} transformer" if kind else "this transformer"
            run.problem(
                entry,
                NOT_FOLLOWED,
                f"{what} is not followed: kustomize runs it here, imagelint does not, so "
                "what it changes is not checked (check `kubectl kustomize` output piped to "
                "`imagelint check -` for that)",
            )


def _configs(k: Kustomization, run: Run, entry: Node) -> list[Node]:
    value = text(entry)
    if value is None or not isinstance(entry, ScalarNode):
        return []
    if "\n" in value:
        return inline_documents(run, k, entry)
    located = run.locate_file(k, entry, value, "transformer configuration")
    if located is None:
        return []
    loaded = run.load(located.real, located.display, entry, "the transformer configuration")
    return [] if loaded is None else [d.node for d in loaded.documents]
