"""``diagnose --cluster``: the dump read from the cluster itself, through ``kubectl get ... -o
json`` (the user's kubectl, context and credentials; imagelint makes no API call of its own).

Pods and Events are needed; Nodes, ServiceAccounts and Secrets are read each on its own, so that
a user whom RBAC does not let list them (Secrets, often) still gets a diagnosis, with a note
saying what could not be read.
"""

from __future__ import annotations

import shutil
import subprocess

from imagelint.cluster.dump import Dump, DumpError, add_text

REQUIRED = "pods,events"
OPTIONAL = ("nodes", "serviceaccounts", "secrets")


class Target:
    """Which cluster and namespaces to read, as kubectl's flags say it."""

    def __init__(
        self,
        context: str | None = None,
        namespace: str | None = None,
        kubeconfig: str | None = None,
    ) -> None:
        self.context = context
        self.namespace = namespace  # None: all namespaces
        self.kubeconfig = kubeconfig

    def flags(self) -> list[str]:
        flags = ["-n", self.namespace] if self.namespace else ["--all-namespaces"]
        if self.context:
            flags += ["--context", self.context]
        if self.kubeconfig:
            flags += ["--kubeconfig", self.kubeconfig]
        return flags


def read(target: Target, notes: list[str]) -> Dump:
    """The cluster's pods, events, nodes, service accounts and secrets; DumpError when kubectl is
    missing or cannot read the pods and events."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise DumpError(
            "--cluster runs 'kubectl get', but kubectl is not on PATH; install it, or give the "
            "output of 'kubectl get pods,events,nodes,serviceaccounts,secrets -A -o json' as a "
            "file"
        )
    dump = Dump()
    code, output, error = _get(kubectl, REQUIRED, target)
    if code != 0:
        raise DumpError(f"'kubectl get {REQUIRED}' failed (exit {code}): {error}")
    _add(dump, REQUIRED, output)
    for resource in OPTIONAL:
        code, output, error = _get(kubectl, resource, target)
        if code != 0:
            notes.append(f"could not read the {resource} ({error}); diagnosing without them")
            continue
        _add(dump, resource, output)
    return dump


def _add(dump: Dump, resources: str, output: str) -> None:
    try:
        add_text(dump, f"kubectl get {resources}", output)
    except DumpError:
        pass  # an empty List: none of that kind (kubectl's JSON is otherwise well-formed)


def _get(kubectl: str, resources: str, target: Target) -> tuple[int, str, str]:
    command = [kubectl, "get", resources, "-o", "json", *target.flags()]
    try:
        done = subprocess.run(command, capture_output=True, check=False, stdin=subprocess.DEVNULL)
    except OSError as error:
        raise DumpError(f"cannot run {kubectl}: {error.strerror or error}") from None
    stderr = done.stderr.decode("utf-8", "replace").strip()
    last = stderr.splitlines()[-1] if stderr else "no message"
    return done.returncode, done.stdout.decode("utf-8", "replace"), last
