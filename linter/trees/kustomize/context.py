"""What one kustomize build collects (problems, files, paths read), and reading the files a
kustomization names, bounded and cached across the builds of a run."""

from __future__ import annotations

import os

from ruamel.yaml.nodes import Node

from imagelint.reading.loader import LoadedFile
from imagelint.reading.sources import Problem
from imagelint.trees.kustomize.files import read_capped, take
from imagelint.trees.kustomize.kustomization import Kustomization, Located, locate
from imagelint.trees.kustomize.nodes import BROKEN, NOT_FOLLOWED, problem_at
from imagelint.trees.origins import Build
from imagelint.trees.realpaths import RealPaths

# A generator input (secretGenerator/configMapGenerator files and envs) larger than this is not
# read: a Secret or ConfigMap holds at most 1 MiB in Kubernetes anyway.
INPUT_CAP = 1024 * 1024


class FileCache:
    """Files read during a run, shared by its builds (a base's files are read once)."""

    def __init__(self) -> None:
        self.loaded: dict[tuple[str, str], LoadedFile] = {}
        self.raw: dict[str, bytes | str] = {}  # real path -> bytes, or why it cannot be read
        self.realpath = RealPaths()
        # id -> a file's node with no containers list in or below it: see transforms._ImageWalk.
        self.no_containers: dict[int, Node] = {}

    def read(self, real: str, cap: int, keep: bool = True) -> bytes | str:
        key = f"{cap}:{real}"
        found = self.raw.get(key)
        if found is None:
            status = self.realpath.stat(real)  # (locating it stat'ed it)
            if status is None:
                found = _unreadable(real)
            else:
                found = read_capped(real, status.st_size, cap)
            if keep:
                self.raw[key] = found
        return found


def _unreadable(real: str) -> str:
    try:
        os.stat(real)
    except (OSError, ValueError) as error:
        return f"it cannot be read ({getattr(error, 'strerror', None) or error})"
    return "it cannot be read"


class Run:
    """One build under way: the :class:`Build` it fills, and the cache it reads through."""

    def __init__(self, cache: FileCache, build: Build, shared: bool = True) -> None:
        self.cache = cache
        self.build = build
        # Whether what is read now may be used by other roots (kept in the cache) or only by
        # the root being built (its own kustomization and files: read, used, let go).
        self.shared = shared

    def problem(self, node: Node | None, rule: str, message: str) -> None:
        """A problem at ``node`` (None: at the start of the build's kustomization)."""
        if node is None:
            self.build.problems.append((self.build.display, Problem(rule, 1, 1, message)))
        else:
            self.build.problems.append(problem_at(node, rule, message, self.build.display))

    def keep(self, loaded: LoadedFile, real: str) -> None:
        self.build.files[loaded.display] = loaded
        self.build.read.add(real)

    def load(self, real: str, display: str, node: Node | None, what: str) -> LoadedFile | None:
        """A YAML file (resources, a patch, a kustomization), composed once per run; its
        syntax problems are reported in its own name, under its own rule."""
        key = (real, display)
        loaded = self.cache.loaded.get(key)
        if loaded is None:
            found = take(real, display, self.cache.realpath)
            if isinstance(found, str):
                self.problem(node, BROKEN, f"kustomize cannot use {what} {display}: {found}")
                return None
            loaded = found
            if self.shared:
                self.cache.loaded[key] = loaded
        self.keep(loaded, real)
        for problem in loaded.problems:
            self.build.problems.append((display, problem))
        return loaded

    def locate_file(self, k: Kustomization, node: Node, entry: str, what: str) -> Located | None:
        """The file a kustomization names for ``what`` (a patch, a generator input...), or
        None after reporting why kustomize would not read it."""
        located = locate(k, entry, self.cache.realpath)
        if located.what == "file":
            return located
        if located.what == "remote":
            self.problem(
                node,
                NOT_FOLLOWED,
                f"{what} {entry} is remote: kustomize would fetch it, imagelint never fetches "
                "anything, so what it sets is not checked",
            )
        else:
            self.problem(node, BROKEN, file_problem(located, entry, what, k))
        return None

    def read_input(self, k: Kustomization, node: Node, entry: str, what: str) -> bytes | None:
        """A generator input's bytes (capped), or None after reporting."""
        located = self.locate_file(k, node, entry, what)
        if located is None:
            return None
        data = self.cache.read(located.real, INPUT_CAP, self.shared)
        if isinstance(data, str):
            self.problem(
                node,
                BROKEN,
                f"imagelint did not read {what} {located.display}: {data}; "
                "the generated object is left out of the build",
            )
            return None
        self.build.read.add(located.real)
        return data


def file_problem(located: Located, entry: str, what: str, k: Kustomization) -> str:
    if located.what == "missing":
        return (
            f"{what} {entry} does not exist (looked for {located.display}): kustomize stops "
            "with an error; fix the path or remove the entry"
        )
    if located.what == "folder":
        return f"{what} {entry} is a folder, not a file: kustomize stops with an error"
    return (
        f"{what} {entry} is outside the kustomization's folder {k.folder_display}: kustomize's "
        "default load restrictor refuses files outside it ('security; file ... is not in or "
        "below ...'); move the file under the folder, or refer to a kustomization folder "
        "that holds it"
    )
