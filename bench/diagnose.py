"""Speed and memory of ``imagelint diagnose`` on a big dump: the target of issue 19.

Generates what ``kubectl get pods,events,nodes,serviceaccounts,secrets -A -o json`` prints for
a cluster of ``--pods`` pods (default 10,000; ``--failing`` of them waiting on a failed pull, in
every runtime's words) and ``--events`` events (default 50,000: the kubelet's Scheduled,
Pulling, Pulled, Created, Started, and the Failed/BackOff of the failing pods), then times,
interleaved:

a. ``json.load`` of the dump (a child process of the same interpreter);
b. ``imagelint diagnose DUMP --format json``;

and prints the best times, the ratio b/a (target <= 2.0x), and the peak RSS of b against the
dump's size (target < 3x). Exit 1 when a target is missed or a command fails.

Like bench.core, imagelint runs from a regular install of this checkout built in the scratch
folder (``--editable``: the running interpreter's imagelint instead). Run from the repository
root:

python -m bench.diagnose [--pods N] [--events N] [--failing F] [--repeat R] [--seed N]
[--workdir DIR] [--keep] [--editable]
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.core import PYTHON, Command, _row, editable_install, installed_python, interleave

TIME_TARGET = 2.0  # diagnose / json.load
MEMORY_TARGET = 3.0  # peak RSS / dump size
DEFAULT_SEED = 20261219
# The errors the failing pods' waiting messages and Events hold (tests/data/diagnose has them
# all, with their sources).
ERRORS = (
    'failed to pull and unpack image "{i}": failed to resolve reference "{i}": {i}: not found',
    'failed to pull and unpack image "{i}": failed to resolve reference "{i}": pull access '
    "denied, repository does not exist or may require authorization: server message: "
    "insufficient_scope: authorization failed",
    'failed to pull and unpack image "{i}": no match for platform in manifest: not found',
    "reading manifest 1.0 in {i}: manifest unknown",
    "unable to retrieve auth token: invalid username/password: unauthorized: incorrect username "
    "or password",
    'Error response from daemon: Get "https://registry.internal/v2/": dial tcp: lookup '
    "registry.internal on 10.96.0.10:53: no such host",
)
NORMAL = (("Scheduled", "Successfully assigned {ns}/{pod} to {node}"),
          ("Pulling", 'Pulling image "{image}"'),
          ("Pulled", 'Successfully pulled image "{image}" in 1.2s (1.2s including waiting)'),
          ("Created", "Created container app"),
          ("Started", "Started container app"))  # fmt: skip


def _metadata(rng: random.Random, ns: str, name: str) -> dict:
    return {
        "name": name,
        "namespace": ns,
        "uid": f"{rng.getrandbits(128):032x}",
        "resourceVersion": str(rng.randrange(10**7)),
        "creationTimestamp": "2024-05-02T09:00:00Z",
        "labels": {"app": name.rsplit("-", 2)[0], "pod-template-hash": "7d9f8c6b5"},
        "annotations": {"kubectl.kubernetes.io/restartedAt": "2024-05-01T12:00:00Z"},
        "ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": name.rsplit("-", 1)[0],
             "uid": f"{rng.getrandbits(128):032x}", "controller": True,
             "blockOwnerDeletion": True}
        ],
        "managedFields": [
            {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
             "time": "2024-05-02T09:00:00Z", "fieldsType": "FieldsV1",
             "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}}},
        ],
    }  # fmt: skip


def pod(rng: random.Random, index: int, failing: bool, nodes: int) -> tuple[dict, dict]:
    ns, name = f"team-{index % 40}", f"svc{index // 3}-7d9f8c6b5-{index:05d}"
    image = f"registry.example.com/team-{index % 40}/svc{index // 3}:1.{index % 9}.0"
    node = f"node-{index % nodes}"
    container = {
        "name": "app", "image": image, "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
        "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "PORT", "value": "8080"}],
        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"},
                      "requests": {"cpu": "100m", "memory": "128Mi"}},
        "volumeMounts": [{"name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": True}],
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
    }  # fmt: skip
    error = rng.choice(ERRORS).format(i=image)
    state = (
        {"waiting": {"reason": "ImagePullBackOff", "message": f'Back-off pulling image "{image}"'}}
        if failing
        else {"running": {"startedAt": "2024-05-02T09:00:10Z"}}
    )
    obj = {
        "apiVersion": "v1", "kind": "Pod", "metadata": _metadata(rng, ns, name),
        "spec": {"containers": [container], "nodeName": node, "serviceAccountName": "default",
                 "imagePullSecrets": [{"name": "regcred"}], "restartPolicy": "Always",
                 "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                 "terminationGracePeriodSeconds": 30, "securityContext": {},
                 "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                                  "effect": "NoExecute", "tolerationSeconds": 300}],
                 "volumes": [{"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}}]},
        "status": {"phase": "Pending" if failing else "Running", "hostIP": "10.0.0.5",
                   "podIP": f"10.244.{index // 250}.{index % 250}", "qosClass": "Burstable",
                   "startTime": "2024-05-02T09:00:00Z",
                   "conditions": [{"type": "Ready", "status": str(not failing),
                                   "lastTransitionTime": "2024-05-02T09:00:10Z"}],
                   "containerStatuses": [{"name": "app", "image": image, "imageID": "",
                                          "ready": not failing, "restartCount": 0,
                                          "started": not failing, "state": state}]},
    }  # fmt: skip
    return obj, {"ns": ns, "pod": name, "uid": obj["metadata"]["uid"], "node": node,
                 "image": image, "error": error}  # fmt: skip


def event(rng: random.Random, about: dict, reason: str, message: str, kind: str, n: int) -> dict:
    return {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": f"{about['pod']}.{n:x}", "namespace": about["ns"],
                     "uid": f"{rng.getrandbits(128):032x}", "resourceVersion": "1",
                     "creationTimestamp": "2024-05-02T09:00:01Z"},
        "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": about["pod"],
                           "namespace": about["ns"], "uid": about["uid"],
                           "fieldPath": "spec.containers{app}", "resourceVersion": "1"},
        "reason": reason, "message": message, "type": kind, "count": 1,
        "source": {"component": "kubelet", "host": about["node"]},
        "firstTimestamp": "2024-05-02T09:00:01Z", "lastTimestamp": f"2024-05-02T09:{n % 60:02d}:01Z",
        "reportingComponent": "kubelet", "reportingInstance": about["node"],
    }  # fmt: skip


def generate(path: Path, pods: int, events: int, failing: float, seed: int) -> tuple[int, int]:
    """Write the dump; returns the pods failing and the events written."""
    rng = random.Random(seed)
    nodes = max(3, pods // 100)
    items: list[dict] = []
    abouts, failing_abouts = [], []
    for index in range(pods):
        fails = rng.random() < failing
        obj, about = pod(rng, index, fails, nodes)
        items.append(obj)
        abouts.append(about)
        if fails:
            failing_abouts.append(about)
    written = 0
    for about in failing_abouts:  # the Failed Event holding the error, then the back-off
        items.append(event(rng, about, "Failed", f'Failed to pull image "{about["image"]}": '
                           f'{about["error"]}', "Warning", written))  # fmt: skip
        items.append(event(rng, about, "BackOff", f'Back-off pulling image "{about["image"]}"',
                           "Normal", written + 1))  # fmt: skip
        written += 2
    while written < events:
        about = abouts[written % len(abouts)]
        reason, message = NORMAL[written % len(NORMAL)]
        text = message.format(**about)
        items.append(event(rng, about, reason, text, "Normal", written))
        written += 1
    for index in range(nodes):
        arch = "arm64" if index % 4 == 0 else "amd64"
        items.append({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-{index}",
                      "labels": {"kubernetes.io/arch": arch, "kubernetes.io/os": "linux"}},
                      "status": {"nodeInfo": {"architecture": arch, "operatingSystem": "linux",
                                              "containerRuntimeVersion": "containerd://1.7.13"}}})  # fmt: skip
    config = base64.b64encode(b'{"auths":{"registry.example.com":{"auth":"dXNlcjpwYXNz"}}}')
    for team in range(40):
        ns = f"team-{team}"
        items.append({"apiVersion": "v1", "kind": "ServiceAccount",
                      "metadata": {"name": "default", "namespace": ns}})  # fmt: skip
        items.append({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
                      "metadata": {"name": "regcred", "namespace": ns},
                      "data": {".dockerconfigjson": config.decode()}})  # fmt: skip
    with path.open("w") as handle:
        json.dump({"apiVersion": "v1", "items": items, "kind": "List",
                   "metadata": {"resourceVersion": ""}}, handle, indent=4)  # fmt: skip
    return len(failing_abouts), written


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.diagnose", description=__doc__)
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--failing", type=float, default=0.05, help="share of pods failing")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--editable", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="imagelint-bench-diagnose-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        return 0 if measure(args, workdir) else 1
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def measure(args: argparse.Namespace, workdir: Path) -> bool:
    python = PYTHON[0]
    if args.editable:
        if editable_install():
            print("warning: measuring an editable install (its import hook costs start-up time)")
    else:
        python = installed_python(workdir)
    dump = workdir / "dump.json"
    failing, events = generate(dump, args.pods, args.events, args.failing, args.seed)
    size = dump.stat().st_size
    _row("dump", f"{args.pods:,} pods ({failing:,} failing), {events:,} events, "
                 f"{size / 2**20:.1f} MiB")  # fmt: skip
    load = Command(
        "json.load",
        [python, "-c", "import json, sys; json.load(open(sys.argv[1], 'rb'))", str(dump)],
        ok_codes=(0,),
    )
    diagnose = Command(
        "imagelint diagnose",
        [python, "-m", "imagelint", "diagnose", str(dump), "--format", "json"],
        ok_codes=(1,),
        capture_stdout=True,
    )
    interleave([load, diagnose], args.repeat)
    for command in (load, diagnose):
        if command.failure is not None:
            print(f"{command.label} failed: {command.failure}")
            return False
    assert load.best is not None and diagnose.best is not None
    diagnosed = len(json.loads(diagnose.stdout)["diagnoses"])
    ratio, memory = diagnose.best / load.best, diagnose.rss / size
    _row("json.load", f"{load.best:.2f} s, peak RSS {load.rss / 2**20:.0f} MiB")
    _row("imagelint diagnose", f"{diagnose.best:.2f} s, peak RSS {diagnose.rss / 2**20:.0f} MiB,"
                               f" {diagnosed:,} diagnoses")  # fmt: skip
    _row("time ratio", f"{ratio:.2f}x (target <= {TIME_TARGET}x)")
    _row("memory / dump size", f"{memory:.2f}x (target < {MEMORY_TARGET}x)")
    return ratio <= TIME_TARGET and memory < MEMORY_TARGET and diagnosed == failing


if __name__ == "__main__":
    sys.exit(main())
