"""Building a kustomization in Python, in kustomize v5's order, with every value remembering
the line that set it.

For each kustomization (kustomize's ``accumulateTarget``): its ``resources`` (then legacy
``bases``), each a file or a kustomization folder built on its own; its ``components``, applied
to what has accumulated so far; its generators; then its transformers in kustomize's order
(patchesStrategicMerge, patches, namespace, namePrefix/nameSuffix, labels and annotations,
patchesJson6902, images, replacements). At the root only: the content-hash suffixes, the name
references that follow them, and the output order.

A :class:`Builder` caches files and built sub-kustomizations for a run: a base used by 200
overlays is read and built once. Nothing built is ever changed (``origins``' copy-on-write), so
sharing is safe.
"""

from __future__ import annotations

import os

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from imagelint.trees.kustomize.context import FileCache, Run
from imagelint.trees.kustomize.generators import absorb, content_hash, generate
from imagelint.trees.kustomize.kustomization import (
    FIELDS,
    NAMES,
    Kustomization,
    Located,
    display_of_file,
    find_kustomization,
    kustomization_files,
    locate,
)
from imagelint.trees.kustomize.nodes import BROKEN, NOT_FOLLOWED, get, text
from imagelint.trees.kustomize.patches import (
    apply_json6902_field,
    apply_patches_field,
    apply_strategic_merge_field,
)
from imagelint.trees.kustomize.references import fix_references
from imagelint.trees.kustomize.resources import Res, effective, objects_of
from imagelint.trees.kustomize.transforms import (
    add_metadata,
    legacy_order,
    part,
    set_images,
    set_namespace_and_affixes,
)
from imagelint.trees.origins import Build, splice
from imagelint.trees.realpaths import take_over

# Kustomizations nested deeper than this are not followed (kustomize has no limit; real trees
# nest a handful of levels).
MAX_DEPTH = 50

# Fields imagelint does not build, and what kustomize does with them.
_NOT_FOLLOWED = {
    "helmCharts": "renders Helm charts (helm template)",
    "helmChartInflationGenerator": "renders Helm charts",
    "generators": "runs generator plugins",
    "validators": "runs validator plugins",
    "openapi": "reads an OpenAPI schema for patches",
    "configurations": "reads transformer configurations (custom field specs)",
    "crds": "reads custom resource definitions for name references",
    "vars": "substitutes $(VAR) references",
}


class _Built:
    """A kustomization built on its own (cached): its objects and what building it met."""

    __slots__ = ("resources", "build", "kustomization")

    def __init__(self, resources: list[Res], build: Build, k: Kustomization | None):
        self.resources = resources
        self.build = build
        self.kustomization = k  # None: no kustomization could be read there

    @property
    def component(self) -> bool:
        return self.kustomization is not None and self.kustomization.is_component


class Builder:
    """Builds kustomizations; one per run (per worker process), caching what more than one
    root can use: the kustomizations a root is built from (bases, components) with the files
    they read, built once. A root's own kustomization and the files it reads itself are let go
    once the root is built (a root is used by no other kustomization of the run)."""

    def __init__(self) -> None:
        self._cache = FileCache()
        self._built: dict[tuple[str, str], _Built] = {}
        self._kustomizations: dict[tuple[str, str], Kustomization | None] = {}

    def build(self, folder: str, display: str) -> Build:
        """The objects the kustomization in ``folder`` builds (``display``: how the user sees
        the folder; other files are shown relative to it)."""
        if not self._built and not self._kustomizations:
            # The first build: the plan that found this root looked the tree's paths up.
            planned = take_over(folder)
            if planned is not None:
                self._cache.realpath = planned
        real = self._cache.realpath(folder)
        built = self._sub(real, display, (), 0)
        if self._built.get((real, display)) is built:
            # Built before for another root (which uses this one): its objects are shared.
            build = Build(built.build.display, display)
            _merge(build, built.build)
            ra = [res.copy() for res in built.resources]
        else:  # built for this root alone: finished in place
            build, ra = built.build, built.resources
        run = Run(self._cache, build)
        k = built.kustomization
        if k is not None and k.is_component:
            run.problem(
                k.get("kind"),
                BROKEN,
                "a Component cannot be built on its own: kustomize stops ('expected kind != "
                "Component'); build the kustomization that lists it under components",
            )
        for res in ra:
            if res.needs_hash:
                _add_hash(res)
        fix_references(ra)
        order = text(get(get(k.node, "sortOptions"), "order")) if k is not None else None
        ordered = ra if order == "fifo" else legacy_order(ra)
        build.documents = [res.node for res in ordered]
        build.problems = list(dict.fromkeys(build.problems))
        return build

    # -- one kustomization ----------------------------------------------------------------------

    def _sub(self, real: str, display: str, stack: tuple[str, ...], depth: int) -> _Built:
        key = (real, display)
        built = self._built.get(key)
        if built is not None:
            return built
        names = kustomization_files(real, self._cache.realpath)
        build = Build(display_of_file(display, names[0] if names else NAMES[0]), display)
        # Below the root, what is built may be used by other roots too: kept.
        run = Run(self._cache, build, shared=depth > 0)
        k = self._read(real, display, run, names)
        ra: list[Res] = []
        if k is not None:
            self._accumulate(k, run, ra, (*stack, real), depth)
        built = _Built(ra, build, k)
        if run.shared:
            self._built[key] = built
        return built

    def _read(
        self, real: str, display: str, run: Run, names: list[str] | None = None
    ) -> Kustomization | None:
        """The kustomization in ``real`` (``names``: the kustomization files there, if known)."""
        key = (real, display)
        if key in self._kustomizations:
            k = self._kustomizations[key]
            if k is not None:
                run.keep(k.loaded, k.path)
                for problem in k.loaded.problems:
                    run.build.problems.append((k.display, problem))
            return k
        k = self._load_kustomization(real, display, run, names)
        if run.shared:
            self._kustomizations[key] = k
        return k

    def _load_kustomization(
        self, real: str, display: str, run: Run, names: list[str] | None
    ) -> Kustomization | None:
        if names is None:
            names = kustomization_files(real, self._cache.realpath)
        if not names:
            return None
        path = os.path.join(real, names[0])
        kdisplay = display_of_file(display, path)
        loaded = run.load(path, kdisplay, None, "the kustomization")
        if loaded is None:
            return None
        if len(names) > 1:
            run.problem(
                None,
                BROKEN,
                f"this folder holds {' and '.join(names)}: kustomize stops ('Found multiple "
                "kustomization files'); keep one",
            )
        documents = [d.node for d in loaded.documents]
        if loaded.problems:
            run.problem(
                None,
                BROKEN,
                "kustomize cannot read this kustomization: it is not valid YAML (see the "
                "syntax problems reported in it)",
            )
            return None
        if len(documents) > 1:
            if len(documents) > 1:
                run.problem(documents[1], BROKEN, "a kustomization is one YAML document")
            return None
        node = documents[0] if documents else None
        if isinstance(node, ScalarNode) and not node.value.strip():
            node = MappingNode("tag:yaml.org,2002:map", [], node.start_mark, node.end_mark)
        if not isinstance(node, MappingNode):
            run.problem(node, BROKEN, "kustomize stops: a kustomization is a mapping")
            return None
        k = Kustomization(real, display, path, kdisplay, node, loaded)
        for key_node, _value in node.value:
            name = key_node.value if isinstance(key_node, ScalarNode) else None
            if name not in FIELDS:
                run.problem(
                    key_node,
                    BROKEN,
                    f"kustomize stops: {name!r} is not a field of a kustomization ('invalid "
                    "Kustomization: json: unknown field'); fix its spelling or remove it",
                )
        kind = k.text("kind")
        if kind not in (None, "Kustomization", "Component"):
            run.problem(k.get("kind"), BROKEN, f"kustomize stops: unknown kind {kind!r}")
        return k

    def _accumulate(
        self, k: Kustomization, run: Run, ra: list[Res], stack: tuple[str, ...], depth: int
    ) -> None:
        for field in ("resources", "bases"):
            for entry in k.entries(field):
                self._resource(k, entry, run, ra, stack, depth, component=False)
        for entry in k.entries("components"):
            self._resource(k, entry, run, ra, stack, depth, component=True)
        absorb(ra, generate(k, run), run)
        apply_strategic_merge_field(k, run, ra)
        apply_patches_field(k, run, ra)
        set_namespace_and_affixes(k, run, ra)
        add_metadata(k, ra)
        apply_json6902_field(k, run, ra)
        set_images(k, run, ra)
        # Here, not at the top: most kustomizations have neither (their modules are imported
        # for those that do).
        if k.get("replacements") is not None:
            from imagelint.trees.kustomize.replacements import apply_replacements

            apply_replacements(k, run, ra)
        if k.get("transformers") is not None:
            from imagelint.trees.kustomize.plugins import apply_transformers

            apply_transformers(k, run, ra)
        for field in k.fields_among(_NOT_FOLLOWED):
            what = _NOT_FOLLOWED[field]
            if k.get(field) is not None:
                run.problem(
                    k.key(field),
                    NOT_FOLLOWED,
                    f"{field}: kustomize {what} here; imagelint does not, so what this sets "
                    "is not checked (check `kubectl kustomize` output piped to `imagelint "
                    "check -` for that)",
                )

    def _resource(
        self,
        k: Kustomization,
        entry: Node,
        run: Run,
        ra: list[Res],
        stack: tuple[str, ...],
        depth: int,
        component: bool,
    ) -> None:
        value = text(entry)
        what = "component" if component else "resource"
        if value is None:
            run.problem(entry, BROKEN, f"kustomize stops: this {what} is not a path")
            return
        located = locate(k, value, self._cache.realpath)
        if located.what == "remote":
            run.problem(
                entry,
                NOT_FOLLOWED,
                f"the remote {what} {value} is not followed: kustomize would fetch it, "
                "imagelint never fetches anything, so its objects are not checked",
            )
            return
        if located.what == "file" and not component:
            loaded = run.load(located.real, located.display, entry, "the resource file")
            if loaded is not None:
                if loaded.problems:
                    run.problem(
                        entry,
                        BROKEN,
                        f"kustomize stops: the resource file {value} is not valid YAML (see the "
                        "problems reported in it); its readable documents are still built here",
                    )
                _append(ra, objects_of(loaded, run.build.problems, located.display), run, entry)
            return
        if located.what != "folder":
            run.problem(entry, BROKEN, _path_problem(located.what, value, what, k))
            return
        if located.real in stack:
            run.problem(
                entry,
                BROKEN,
                f"{value} is a kustomization this one is built from: the chain of "
                "kustomizations loops, and kustomize stops ('cycle detected'); remove the entry",
            )
            return
        if depth + 1 > MAX_DEPTH:
            run.problem(
                entry,
                BROKEN,
                f"kustomizations nest more than {MAX_DEPTH} levels deep here; imagelint "
                "stops following them",
            )
            return
        if component:
            # A component, and the files it reads, may be used by other roots: kept, even
            # when read for a root.
            shared, run.shared = run.shared, True
            try:
                self._component(entry, value, located, run, ra, (*stack, located.real), depth)
            finally:
                run.shared = shared
            return
        built = self._sub(located.real, located.display, stack, depth + 1)
        _merge(run.build, built.build)
        if built.kustomization is None:
            run.problem(entry, BROKEN, _folder_problem(located.real, value, what))
            return
        if built.component:
            run.problem(
                entry,
                BROKEN,
                f"{value} is a Component: kustomize stops ('expected kind != Component'); "
                "list it under components instead",
            )
            return
        _append(ra, [res.copy() for res in built.resources], run, entry)

    def _component(
        self,
        entry: Node,
        value: str,
        located: Located,
        run: Run,
        ra: list[Res],
        stack: tuple[str, ...],
        depth: int,
    ) -> None:
        sub_k = self._read(located.real, located.display, run)
        if sub_k is None:
            run.problem(entry, BROKEN, _folder_problem(located.real, value, "component"))
            return
        if not sub_k.is_component:
            run.problem(
                entry,
                BROKEN,
                f"{value} is not a Component (kind: Component): kustomize stops; list it "
                "under resources instead",
            )
            return
        self._accumulate(sub_k, run, ra, stack, depth + 1)


def _merge(into: Build, sub: Build) -> None:
    into.problems.extend(sub.problems)
    into.files.update(sub.files)
    into.read.update(sub.read)


def _append(ra: list[Res], new: list[Res], run: Run, entry: Node) -> None:
    """Add objects to a build; an id already there is an error in kustomize."""
    seen = {_key(res) for res in ra}
    for res in new:
        key = _key(res)
        if key in seen:
            run.problem(
                entry,
                BROKEN,
                f"kustomize stops: {res.describe()} is already in the build ('may not add "
                "resource with an already registered id'); remove one of them",
            )
            continue
        seen.add(key)
        ra.append(res)


def _key(res: Res) -> tuple[str, str, str, str, str]:
    return (res.group, res.version, res.kind, effective(res.namespace), res.name)


def _add_hash(res: Res) -> None:
    name = get(get(res.node, "metadata"), "name")
    if not isinstance(name, ScalarNode):
        return
    pieces = part(name, 0, len(name.value))
    last = pieces[-1] if pieces else ("", name, 0)
    pieces.append((f"-{content_hash(res)}", last[1], last[2] + len(last[0])))
    res.rename(splice(pieces))


def _path_problem(what: str, value: str, role: str, k: Kustomization) -> str:
    if what == "missing":
        return (
            f"the {role} {value} does not exist: kustomize stops; fix the path or remove the entry"
        )
    if what == "file":
        return f"the component {value} is a file: kustomize wants a folder with a Component"
    return (
        f"the {role} {value} is a file outside this kustomization's folder "
        f"({k.folder_display}): kustomize's default load restrictor refuses it ('security; "
        "file ... is not in or below ...'); list the kustomization folder that holds it "
        "instead"
    )


def _folder_problem(real: str, value: str, role: str) -> str:
    if find_kustomization(real) is None:
        return (
            f"the {role} {value} is a folder without kustomization.yaml, kustomization.yml or "
            "Kustomization: kustomize stops; add one, or list the files themselves"
        )
    return f"the kustomization of {role} {value} cannot be read: kustomize stops"
