"""Hostile inputs for imagelint, and a run of it in a child process with its time and memory.

The generators write one input each: alias and merge-key bombs, 100,000 documents, a 50 MB file,
nesting 10,000 levels deep, 1 MB lines, scalars and images, thousands of suppressions. ``run``
starts ``python -m imagelint ARGS`` (or any command) in a child process of the given
interpreter, with a timeout and an address-space limit, and measures that child's own peak RSS
(see ``_LAUNCHER``). ``floor_run`` is the startup every run pays.

Standard library only. Used by tests/test_resource_bounds.py and tests/test_hostile_files.py
(which assert bounds) and by ``python -m bench.bounds`` (which prints the measured table).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

KB = 1 << 10
MB = 1 << 20
GOOD_IMAGE = "registry.k8s.io/pause:3.10"


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


def pod(name: str = "p", image: str = GOOD_IMAGE, container: str = "") -> str:
    """A Pod in block style; ``container`` adds lines to its one container (6-space indent)."""
    return (
        f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n"
        f"  - name: c\n    image: {image}\n{container}"
    )


def _laughs(levels: int, width: int, indent: str) -> str:
    """The anchors of a billion-laughs document as mapping entries: a0 holds ``width`` strings,
    each next level ``width`` aliases of the one before; a{levels-1} stands for width**levels."""
    lines = [f"{indent}a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"{indent}a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def alias_bomb(where: str, levels: int = 10, width: int = 10) -> str:
    """Billion laughs (``width ** levels`` strings once expanded) in a Pod's annotations, used
    again from a container's ``args``/``command``, ``env``, or as the ``image`` itself."""
    top = f"*a{levels - 1}"
    head = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
        + _laughs(levels, width, "    ")
        + "spec:\n  containers:\n  - name: c\n"
    )
    body = {
        "annotations": f"    image: {GOOD_IMAGE}\n",
        "args": f"    image: {GOOD_IMAGE}\n    command: [{top}, {top}]\n    args: {top}\n",
        "env": f"    image: {GOOD_IMAGE}\n    env: [{{name: A, value: {top}}}]\n"
        f"    envFrom: {top}\n",
        "image": f"    image: {top}\n",
    }[where]
    return head + body


def merge_bomb(levels: int = 10, width: int = 9) -> str:
    """Merge keys that fan out: m{k} merges ``width`` aliases of m{k-1}, so following every merge
    visits ``width ** levels`` mappings; the container merges the last one."""
    lines = ["apiVersion: v1", "kind: Pod", "metadata:", "  name: p", "  annotations:"]
    lines.append("    m0: &m0 {k: v}")
    for level in range(1, levels):
        merged = ", ".join([f"*m{level - 1}"] * width)
        lines.append(f"    m{level}: &m{level} {{<<: [{merged}]}}")
    lines += ["spec:", "  containers:", f"  - <<: *m{levels - 1}", "    name: c"]
    lines.append(f"    image: {GOOD_IMAGE}")
    return "\n".join(lines) + "\n"


def list_bomb(levels: int = 8, width: int = 10, image: str = "Bad") -> str:
    """``kind: List`` whose items are aliases of a List of aliases of a List ... of one Pod:
    ``width ** levels`` Pod objects (all the same node) once the Lists are unwrapped."""
    lines = ["apiVersion: v1", "kind: List", "metadata:", "  anchors:"]
    lines.append(
        "  - &l0 {apiVersion: v1, kind: Pod, metadata: {name: p}, "
        f"spec: {{containers: [{{name: c, image: {image}}}]}}}}"
    )
    for level in range(1, levels):
        items = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"  - &l{level} {{apiVersion: v1, kind: List, items: [{items}]}}")
    lines.append("items: [" + ", ".join([f"*l{levels - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def documents(count: int, broken: str = "") -> str:
    """``count`` small Pods, one per document (about 110 bytes each); every 1000th has a
    capitalised image (one finding). ``broken``: "" none, "end" one unclosed flow sequence
    after the last document, "every" one in each document."""
    parts = []
    for i in range(count):
        image = "Bad:1" if i % 1000 == 999 else f"nginx:1.27.{i % 10}"
        text = pod(f"p{i}", image)
        if broken == "every":
            text += "oops: [\n"
        parts.append(text)
    if broken == "end":
        parts.append("oops: [\n")
    return "---\n".join(parts)


def suppressed_documents(count: int) -> str:
    """``count`` Pods whose untagged image has an inline suppression of that finding."""
    return "---\n".join(
        pod(f"p{i}", "nginx  # imagelint: disable=missing-tag") for i in range(count)
    )


def lone_directives(count: int) -> str:
    """A Pod, then ``count`` suppression comments alone on their lines with no content after
    them (each covers "the next line with content", of which there is none)."""
    return pod() + "# imagelint: disable=invalid-reference\n" * count


def _deployment(i: int) -> str:
    return f"""# Source: chart/templates/app-{i}.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: team-{i % 17}
  labels: {{app.kubernetes.io/name: app-{i}, app.kubernetes.io/part-of: shop}}
  annotations:
    checksum/config: "{i:064x}"
spec:
  replicas: 3
  selector:
    matchLabels: {{app.kubernetes.io/name: app-{i}}}
  template:
    metadata:
      labels: {{app.kubernetes.io/name: app-{i}}}
    spec:
      serviceAccountName: app-{i}
      containers:
      - name: app
        image: ghcr.io/example/app-{i % 101}:v1.{i % 13}.{i % 7}
        args: ["--port=8080", "--log-level=info", "--name=app-{i}"]
        env:
        - {{name: POD_NAME, valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}}}
        - {{name: GREETING, value: "hello from app {i}"}}
        ports: [{{containerPort: 8080, name: http}}]
        resources:
          limits: {{cpu: 500m, memory: 256Mi}}
          requests: {{cpu: 100m, memory: 128Mi}}
      - name: proxy
        image: {"envoyproxy/envoy:v1.31.0" if i % 500 else "envoyproxy/envoy"}
        ports: [{{containerPort: 9901}}]
"""


def big_file(size: int) -> str:
    """Rendered-chart-like Deployments (about 1.1 KB each) until ``size`` bytes; every 500th
    uses an untagged image (one finding)."""
    parts: list[str] = []
    total = 0
    i = 0
    while total < size:
        text = _deployment(i)
        parts.append(text)
        total += len(text) + 4
        i += 1
    return "---\n".join(parts)


def deep_flow(depth: int, kind: str = "[") -> str:
    """A container's ``args`` nested ``depth`` levels deep in flow style on one line:
    ``[[[...]]]`` or ``{a: {a: ...}}``."""
    if kind == "[":
        value = "[" * depth + "]" * depth
    else:
        value = "{a: " * depth + "x" + "}" * depth
    return pod(container=f"    args: {value}\n")


def deep_block_sequence(depth: int) -> str:
    """``depth`` nested block sequences on one line (``- - - ... x``) as a container's args."""
    return pod(container="    args:\n    " + "- " * depth + "x\n")


def deep_block_mapping(depth: int) -> str:
    """``depth`` nested block mappings one space deeper each (the file grows as depth**2 / 2:
    50 MB for 10,000 levels) under a ConfigMap's data, before a Pod."""
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: deep", "data:"]
    lines.extend(" " * level + f"k{level}:" for level in range(1, depth + 1))
    return "\n".join(lines) + " x\n---\n" + pod()


def deep_image(depth: int) -> str:
    """The image value itself is ``depth`` nested flow mappings."""
    return pod(image="{a: " * depth + "x" + "}" * depth)


def long_line(size: int, plain_colons: bool = False) -> str:
    """A whole Pod as one flow mapping on a single line of about ``size`` bytes: annotations
    pad it, the container's image is the last thing on the line. ``plain_colons``: values are
    written the way go-yaml accepts and libyaml refuses (``{k: v:x}``, ``image: nginx:1.25``),
    which sends the document to the pure-Python parser."""
    colon = ":x" if plain_colons else ""
    entries = []
    total = 0
    i = 0
    while total < size - 150:
        entry = f"k{i}: v{i}{colon}"
        entries.append(entry)
        total += len(entry) + 2
        i += 1
    image = "nginx:latest" if plain_colons else '"nginx:latest"'
    return (
        "{apiVersion: v1, kind: Pod, metadata: {name: p, annotations: {"
        + ", ".join(entries)
        + f"}}}}, spec: {{containers: [{{name: c, image: {image}}}]}}}}\n"
    )


def big_scalar(size: int, style: str = "plain") -> str:
    """A ConfigMap holding one scalar of ``size`` bytes on one line, then a Pod whose image
    has a finding. ``style``: plain, quoted ("..." with escapes) or literal (| block)."""
    if style == "plain":
        value = "x" * size
    elif style == "quoted":
        value = '"' + "ab\\tc" * (size // 5) + '"'
    else:
        value = "|\n    " + "x" * size
    return (
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  big: {value}\n---\n"
        + pod(image="nginx")
    )


def big_image(size: int, repeat: int = 1) -> str:
    """``image: "aaaa...:tag"`` of ``size`` bytes (``repeat`` containers with distinct ones)."""
    containers = "".join(
        f'  - name: c{i}\n    image: "{"a" * (size - 4 - len(str(i)))}{i}:tag"\n'
        for i in range(repeat)
    )
    return f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n{containers}"


def big_image_upper(size: int) -> str:
    """A 1 MB image that several rules look into: capitals, no tag, a path of many parts."""
    path = "/".join(["Repo"] * (size // 5))
    return pod(image=f'"example.com/{path}"')


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


@dataclass
class Run:
    exit_code: int | None  # None: killed at the timeout; negative: the signal that ended it
    seconds: float
    peak_rss_mb: float
    stdout: str
    stderr: str
    timed_out: bool = False

    @property
    def report(self) -> dict | None:
        try:
            return json.loads(self.stdout)
        except ValueError:
            return None

    @property
    def findings(self) -> list[dict]:
        report = self.report
        return [] if report is None else report["findings"]

    def first_message(self, width: int = 90) -> str:
        if self.timed_out:
            return "(timeout)"
        if self.exit_code is not None and self.exit_code < 0:
            return f"(killed by {signal.Signals(-self.exit_code).name})"
        findings = self.findings
        if findings:
            text = f"{findings[0]['code']} {findings[0]['message']}"
        else:
            text = next((line for line in self.stderr.splitlines() if line.strip()), "")
            text = text or "(no findings, no message)"
        return text if len(text) <= width else text[: width - 3] + "..."


# The measured process is started by this small launcher, not by the caller: Linux carries a
# process's peak RSS across exec, and a child forked from a big process (pytest after a few
# large inputs) would report the parent's size as its own peak. The launcher (python -S, ~8 MB,
# less than imagelint's floor) forks, execs the command in a process group of its own, kills
# that group at the time limit, and writes the child's exit code, wall time, peak RSS (KB, also
# of a killed child) and whether the time ran out to a file.
_LAUNCHER = r"""
import os, signal, sys, time
report, limit, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.setpgid(0, 0)
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
expired = []


def expire(signum, frame):
    expired.append(True)
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        os.kill(pid, signal.SIGKILL)


signal.signal(signal.SIGALRM, expire)
signal.setitimer(signal.ITIMER_REAL, limit)
_, status, usage = os.wait4(pid, 0)
signal.setitimer(signal.ITIMER_REAL, 0)
seconds = time.perf_counter() - started
with open(report, "w") as handle:
    code = os.waitstatus_to_exitcode(status)
    handle.write(f"{code} {seconds} {usage.ru_maxrss} {int(bool(expired))}")
"""


def run(
    args: Sequence[str],
    *,
    python: str = sys.executable,
    timeout: float = 60,
    memory_limit: int | None = 8 * 1024 * MB,
    stdin: int | str | Path | None = None,
    cwd: str | Path | None = None,
    close_stdin: bool = False,
    preexec: Callable[[], None] | None = None,
    module: str | None = "imagelint",
) -> Run:
    """Run ``python -m imagelint ARGS`` (``module=None``: ``python ARGS``) and measure it: its
    own peak RSS, wall time and exit code; killed (with anything it started) after ``timeout``.

    ``memory_limit``: bytes of address space (RLIMIT_AS); ``stdin``: a path to read standard
    input from, or a file descriptor (default: empty); ``close_stdin``: start it with file
    descriptor 0 closed; ``preexec``: called before it runs (e.g. to drop privileges).
    """

    def prepare() -> None:
        if memory_limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        if close_stdin:
            os.close(0)
        if preexec is not None:
            preexec()

    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("IMAGELINT_FORMAT", None)
    command = [python, *(["-m", module] if module else []), *args]
    opened = None
    if isinstance(stdin, (str, Path)):
        opened = open(stdin, "rb")  # noqa: SIM115 - closed below
        stdin = opened.fileno()
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as scratch,
    ):
        report = Path(scratch, "report")
        process = subprocess.Popen(
            [python, "-S", "-c", _LAUNCHER, str(report), str(timeout), *command],
            stdin=subprocess.DEVNULL if stdin is None and not close_stdin else stdin,
            stdout=out,
            stderr=err,
            cwd=cwd,
            env=env,
            preexec_fn=prepare,
        )
        try:
            process.wait(timeout + 30)
        except subprocess.TimeoutExpired:  # the launcher itself is stuck: give up on it
            process.kill()
            process.wait()
        if opened is not None:
            opened.close()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        measured = report.read_text().split() if report.exists() else []
        if len(measured) != 4:
            raise RuntimeError(f"the launcher failed ({process.returncode}): {stderr[-2000:]}")
        code, seconds, rss, expired = measured
        timed_out = expired == "1"
        return Run(
            None if timed_out else int(code),
            float(seconds),
            int(rss) / KB,
            stdout,
            stderr,
            timed_out,
        )


def floor_run(python: str = sys.executable) -> Run:
    """imagelint on one small clean Pod: the startup time and memory every run pays."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "pod.yaml")
        path.write_text(pod())
        return run(["check", "--isolated", "--format", "json", str(path)], python=python)
