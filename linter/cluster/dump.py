"""Reading what ``kubectl get pods,events,nodes,serviceaccounts,secrets -A -o yaml`` (or ``-o
json``) prints: a List, several files, or single objects, in YAML or JSON.

Only what a diagnosis needs is kept as each object is read: the Pods with a container waiting
on a pull (the others are counted and dropped), the Warning Events that may hold a pull's error,
each Node's platform, the ServiceAccounts, and the Secrets as imagelint's pull-secret rules read
them. A Secret's data is kept only under the docker config keys, and its values are remembered
so that :mod:`imagelint.cluster.report` can make sure none is ever printed.

JSON is read one List item at a time (:mod:`jsonstream`); YAML through imagelint's loader (the
C composer), one document at a time.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sys
from collections.abc import Iterable
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from imagelint.cluster import events as event_index
from imagelint.cluster import jsonstream, pods
from imagelint.cluster.records import Event, Failing
from imagelint.cluster.records import Node as NodeInfo
from imagelint.reading.loader import load
from imagelint.reading.yamlnodes import tag_of

DOCKER_KEYS = (".dockerconfigjson", ".dockercfg")
_DESCRIBE = re.compile(r"^Name:\s+\S.*^(?:Namespace|Events|Containers):", re.MULTILINE | re.DOTALL)
_SHORTEST_SECRET = 4  # shorter values cannot be told from ordinary words


class DumpError(Exception):
    """Input a diagnosis cannot use; the message says why, for the user."""


class Dump:
    """What the input holds, as far as a diagnosis needs it."""

    def __init__(self) -> None:
        self.failing: list[tuple[dict[str, Any], list[Failing]]] = []
        self.pods = 0
        self.events: dict[tuple[str, str], list[Event]] = {}
        self.event_objects = 0
        self.nodes: dict[str, NodeInfo] = {}
        self.node_objects = 0
        self.secrets: list[dict[str, Any]] = []
        self.service_accounts: list[dict[str, Any]] = []
        self.sensitive: set[str] = set()  # every credential value read: never to be printed
        self.objects = 0

    def add(self, obj: Any) -> None:
        if not isinstance(obj, dict):
            return
        kind = obj.get("kind")
        if not isinstance(kind, str) or "apiVersion" not in obj:
            return
        self.objects += 1
        if kind == "Pod":
            self.pods += 1
            found = pods.failing(obj)
            if found:
                self.failing.append((obj, found))
        elif kind == "Event":
            self.event_objects += 1
            event = event_index.event_of(obj)
            if event is not None:
                namespace, name, record = event
                self.events.setdefault((namespace, name), []).append(record)
        elif kind == "Node":
            self.node_objects += 1
            node = pods.node_of(obj)
            self.nodes[node.name] = node
        elif kind == "ServiceAccount":
            metadata = pods.mapping(obj.get("metadata"))
            self.service_accounts.append(
                {
                    "apiVersion": "v1",
                    "kind": "ServiceAccount",
                    "metadata": _name(metadata),
                    "imagePullSecrets": pods.sequence(obj.get("imagePullSecrets")),
                }
            )
        elif kind == "Secret":
            self.secrets.append(self._secret(obj))

    def _secret(self, obj: dict[str, Any]) -> dict[str, Any]:
        """The Secret with its data values left out, but under the docker config keys."""
        data = {}
        for key, value in pods.mapping(obj.get("data")).items():
            if key in DOCKER_KEYS and isinstance(value, str):
                data[key] = value
                self._remember(value)
            else:
                data[key] = ""
        secret = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": _name(pods.mapping(obj.get("metadata"))),
            "data": data,
        }
        if isinstance(obj.get("type"), str):
            secret["type"] = obj["type"]
        return secret

    def _remember(self, encoded: str) -> None:
        """Each credential of a docker config value, as written and decoded."""
        self._keep(encoded)
        try:
            config = json.loads(base64.b64decode(encoded, validate=False))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return
        entries = config.get("auths", config) if isinstance(config, dict) else {}
        for entry in entries.values() if isinstance(entries, dict) else ():
            if not isinstance(entry, dict):
                continue
            for field in ("auth", "password", "identitytoken", "registrytoken"):
                value = entry.get(field)
                if isinstance(value, str):
                    self._keep(value)
            auth = entry.get("auth")
            if isinstance(auth, str):
                try:
                    plain = base64.b64decode(auth).decode("utf-8", "replace")
                except (ValueError, binascii.Error):
                    continue
                self._keep(plain)
                self._keep(plain.partition(":")[2])

    def _keep(self, value: str) -> None:
        if len(value) >= _SHORTEST_SECRET:
            self.sensitive.add(value)


def _name(metadata: dict[str, Any]) -> dict[str, str]:
    return {
        "name": pods.text(metadata.get("name")),
        "namespace": pods.text(metadata.get("namespace")) or "default",
    }


def read(paths: Iterable[str]) -> Dump:
    """Every path ('-': standard input) into one dump; DumpError for input that is unusable."""
    dump = Dump()
    for path in paths:
        add_text(dump, "standard input" if path == "-" else path, _read_text(path))
    check(dump)
    return dump


def check(dump: Dump) -> None:
    """Refuse a dump that cannot answer: no Pods (Events alone cannot say what fails)."""
    if dump.pods == 0:
        if dump.event_objects:
            raise DumpError(
                f"the input holds {dump.event_objects} Event(s) but no Pod: Events alone do not "
                "say which containers are failing now; include the pods (kubectl get "
                "pods,events,nodes,serviceaccounts,secrets -A -o yaml)"
            )
        raise DumpError(
            "the input holds no Pod; diagnose reads what 'kubectl get pods,events,nodes,"
            "serviceaccounts,secrets -A -o yaml' prints"
        )


def _read_text(path: str) -> str:
    where = "standard input" if path == "-" else path
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as handle:
                data = handle.read()
    except OSError as error:
        raise DumpError(f"cannot read {where}: {(error.strerror or str(error)).lower()}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise DumpError(f"{where} is not UTF-8 text (a binary file?)") from None


def add_text(dump: Dump, display: str, text: str) -> None:
    """The objects of one text (JSON or YAML) into ``dump``."""
    if not text.strip():
        raise DumpError(f"{display} is empty")
    before = dump.objects
    if jsonstream.looks_like_json(text):
        try:
            for obj in jsonstream.objects(text):
                dump.add(obj)
        except jsonstream.JSONProblem as error:
            raise DumpError(f"{display} is not valid JSON ({error})") from None
    else:
        _add_yaml(dump, display, text)
    if dump.objects == before:
        if _DESCRIBE.search(text):
            raise DumpError(
                f"{display} looks like 'kubectl describe' output, which cannot be read "
                "reliably; give what 'kubectl get pods,events,nodes,serviceaccounts,secrets "
                "-A -o yaml' prints instead"
            )
        raise DumpError(
            f"{display} holds no Kubernetes objects (apiVersion and kind); diagnose reads what "
            "'kubectl get ... -o yaml' or '-o json' prints"
        )


def _add_yaml(dump: Dump, display: str, text: str) -> None:
    loaded = load(display, text)
    for document in loaded.iter_documents():
        value = _python(document.node)
        if isinstance(value, dict) and isinstance(value.get("items"), list):
            for item in value["items"]:
                dump.add(item)
        else:
            dump.add(value)
    if loaded.problems and dump.objects == 0:
        problem = loaded.problems[0]
        raise DumpError(
            f"{display}:{problem.line}:{problem.column}: {problem.message}"
            if not _DESCRIBE.search(text)
            else f"{display} looks like 'kubectl describe' output, which cannot be read "
            "reliably; give what 'kubectl get pods,events,nodes,serviceaccounts,secrets -A "
            "-o yaml' prints instead"
        )


def _python(node: Node) -> Any:
    """A composed node as the plain value it stands for (strings, numbers, lists, dicts)."""
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            name = _python(key_node)
            result[name if isinstance(name, str) else str(name)] = _python(value_node)
        return result
    if isinstance(node, SequenceNode):
        return [_python(item) for item in node.value]
    if isinstance(node, ScalarNode):
        value: str = node.value
        if node.style:
            return value
        tag = tag_of(node).rsplit(":", 1)[-1]
        if tag == "null":
            return None
        if tag == "bool":
            return value.lower() in ("true", "yes", "on", "y")
        if tag == "int":
            try:
                return int(value.replace("_", ""), 0)
            except ValueError:
                return value
        return value
    return None
