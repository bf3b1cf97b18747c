"""Online benchmark of imagelint: ``check --online`` against a slow registry, in one run.

A real ``docker-registry`` (plain HTTP, on loopback) holds N unique images (distinct digests),
behind a proxy that delays every request by ``--delay`` seconds. One manifest file names every
image once, through the proxy. Measured, each once:

- the baseline: a sequential loop of one ``HEAD /v2/<repo>/manifests/<tag>`` per image (one
  shared httpx client, the full Accept header), the least a checker that asks one by one does;
- ``imagelint check --online --no-cache`` as a subprocess (start-up included): default rules
  (which also GET manifests and image configs for platform-missing and image-too-large), and
  HEAD only (``--ignore platform-missing --ignore image-too-large``);
- the same two through the Python API, for imagelint's own request count (which includes the
  HTTPS attempt that fails before plain HTTP is used on a loopback host);
- a warm run: the second of two runs with the same ``--cache-dir``.

Requests are counted by the proxy. Times are printed, never asserted.
Run from the repository root:  python -m bench.online [--images 500] [--delay 0.05] [--repos 50]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from imagelint.core.model import Settings
from imagelint.core.rulebook import all_rules
from imagelint.online import checker
from imagelint.online.step import OnlineSettings, OnlineStep
from imagelint.running.engine import Engine
from tests.registry.proxy import delaying_proxy
from tests.registry.server import start_registry

ACCEPT = ", ".join(
    (
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    )
)
CONTENT_RULES = ("platform-missing", "image-too-large")
RUN_TIMEOUT = 600  # --timeout: generous, so that a large --images still finishes
PUSH_WORKERS = 4


@dataclass
class Measure:
    label: str
    seconds: float
    requests: int  # as the proxy counted them
    kinds: Counter[str] = field(default_factory=Counter)
    own_requests: int | None = None  # imagelint's own counter (API runs only)
    findings: list[str] = field(default_factory=list)
    failure: str | None = None


# --------------------------------------------------------------------------------------------
# Set-up: registry content and the manifest file
# --------------------------------------------------------------------------------------------


def references(images: int, repos: int) -> list[tuple[str, str]]:
    """``images`` unique (repository, tag) pairs spread over ``repos`` repositories."""
    per_repo = -(-images // repos)
    pairs = [
        (f"bench/svc{r:03d}", f"{t // 10}.{t % 10}.0")
        for r in range(repos)
        for t in range(per_repo)
    ]
    return pairs[:images]


def push_all(registry: Any, pairs: list[tuple[str, str]]) -> None:
    """Push one distinct single-platform image (linux/amd64, 1 KiB layer) per pair."""
    registry.push(*pairs[0])  # the first one alone: the registry's shared client is made here
    with ThreadPoolExecutor(PUSH_WORKERS) as pool:
        for _ in pool.map(lambda pair: registry.push(*pair), pairs[1:]):
            pass


def manifest_text(host: str, pairs: list[tuple[str, str]]) -> str:
    """One Deployment per repository, one container per tag."""
    by_repo: dict[str, list[str]] = {}
    for repo, tag in pairs:
        by_repo.setdefault(repo, []).append(tag)
    docs = []
    for repo, tags in by_repo.items():
        name = repo.rsplit("/", 1)[-1]
        containers = "\n".join(
            f"        - name: c{i}\n"
            f"          image: {host}/{repo}:{tag}\n"
            f"          imagePullPolicy: IfNotPresent"
            for i, tag in enumerate(tags)
        )
        docs.append(
            f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: bench
spec:
  replicas: 1
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
{containers}"""
        )
    return "---\n" + "\n---\n".join(docs) + "\n"


# --------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------


def _kinds(proxy: Any) -> Counter[str]:
    """What the proxy forwarded, e.g. ``HEAD manifest``, ``GET blob``."""
    kinds: Counter[str] = Counter()
    for entry in list(proxy.log):
        path = entry.path.split("?", 1)[0]
        if "/manifests/" in path:
            what = "manifest"
        elif "/blobs/" in path:
            what = "blob"
        elif path.endswith("/tags/list"):
            what = "tags"
        else:
            what = path
        kinds[f"{entry.method} {what}"] += 1
    return kinds


def sequential(proxy: Any, pairs: list[tuple[str, str]]) -> Measure:
    proxy.reset()
    missing = []
    start = time.perf_counter()
    with httpx.Client(base_url=proxy.url, trust_env=False, timeout=30.0) as client:
        for repo, tag in pairs:
            response = client.head(f"/v2/{repo}/manifests/{tag}", headers={"Accept": ACCEPT})
            if response.status_code != 200:
                missing.append(f"{repo}:{tag} -> HTTP {response.status_code}")
    seconds = time.perf_counter() - start
    measure = Measure("sequential HEAD loop", seconds, proxy.requests, _kinds(proxy))
    measure.findings = missing
    return measure


def cli_argv(path: str, ignore: Sequence[str], cache_dir: str | None) -> list[str]:
    """The command, with paths relative to the work directory (its cwd)."""
    argv = [sys.executable, "-m", "imagelint", "check", "--online", "--format", "json"]
    argv += ["--timeout", str(RUN_TIMEOUT)]
    argv += ["--no-cache"] if cache_dir is None else ["--cache-dir", cache_dir]
    for name in ignore:
        argv += ["--ignore", name]
    return [*argv, path]


def _finding_text(rule: str, image: str | None, message: str) -> str:
    return f"{rule}: {image}: {message}"


def cli(label: str, proxy: Any, argv: list[str], cwd: Path) -> Measure:
    proxy.reset()
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    measure = Measure(label, seconds, proxy.requests, _kinds(proxy))
    try:
        document = json.loads(proc.stdout)
    except ValueError:
        document = None
    if proc.returncode not in (0, 1) or not isinstance(document, dict):
        measure.failure = f"exit {proc.returncode}: {proc.stderr.strip()[-2000:]}"
        return measure
    measure.findings = [
        _finding_text(f["rule"], f["image"], f["message"]) for f in document["findings"]
    ]
    measure.findings += [f"note: {note}" for note in document["summary"]["notes"]]
    return measure


def api(label: str, proxy: Any, text: str, ignore: Sequence[str]) -> tuple[Measure, int]:
    """One in-process run (no start-up); returns the measure and the number of questions."""
    rules = [rule for rule in all_rules() if rule.default_enabled and rule.name not in ignore]
    settings = Settings()
    online = OnlineSettings(use_cache=False, timeout=RUN_TIMEOUT)
    step = OnlineStep(settings, online, {rule.name for rule in rules})
    proxy.reset()
    start = time.perf_counter()
    report = Engine(settings, rules, online=step).check_text("bench.yaml", text)
    seconds = time.perf_counter() - start
    measure = Measure(label, seconds, proxy.requests, _kinds(proxy))
    assert step.answers is not None
    measure.own_requests = step.answers.requests
    measure.findings = [_finding_text(f.rule, f.image, f.message) for f in report.findings]
    measure.findings += [f"note: {note}" for note in report.notes + step.notes]
    measure.findings += [f"internal error: {error}" for error in report.internal_errors]
    return measure, step.answers.questions


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def print_table(measures: list[Measure], base: Measure, unique: int, delay: float) -> None:
    in_flight = getattr(checker, "PER_REGISTRY", 1)
    print(f"  {'':<38}{'wall':>9}{'floor':>9}{'vs seq':>9}{'requests':>10}{'per ref':>9}")
    for m in measures:
        if m.failure is not None:
            print(f"  {m.label:<38}FAILED ({m.failure.splitlines()[0][:200]})")
            continue
        floor = m.requests * delay / (1 if m is base else in_flight)
        print(
            f"  {m.label:<38}{m.seconds:>7.2f} s{floor:>7.2f} s{m.seconds / base.seconds:>8.2f}x"
            f"{m.requests:>10}{m.requests / unique:>9.2f}"
        )
    print(
        "  requests: as the proxy forwarded them; per ref: divided by the unique references;\n"
        f"  floor: requests x delay / requests in flight (1 for the loop, {in_flight} for "
        "imagelint: PER_REGISTRY)"
    )


def print_details(measures: list[Measure]) -> None:
    for m in measures:
        if m.failure is not None:
            continue
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(m.kinds.items())) or "none"
        own = ""
        if m.own_requests is not None:
            own = f"; imagelint counted {m.own_requests}"
            if m.own_requests != m.requests:
                own += f" ({m.own_requests - m.requests} never reached the proxy: HTTPS attempts)"
        print(f"  {m.label}: {kinds}{own}")


def report_findings(measures: list[Measure]) -> bool:
    clean = True
    for m in measures:
        if m.failure is not None:
            clean = False
            print(f"  {m.label}: FAILED\n    {m.failure.replace(chr(10), chr(10) + '    ')}")
        elif m.findings:
            clean = False
            print(f"  {m.label}: {len(m.findings)} findings (all images exist: a bug)")
            for text in m.findings[:20]:
                print(f"    {text}")
            if len(m.findings) > 20:
                print(f"    ... and {len(m.findings) - 20} more")
    if clean:
        print("  no findings in any run: every image was found, as expected")
    return clean


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="imagelint --online against a registry behind a delaying proxy, "
        "compared with a sequential HEAD loop."
    )
    parser.add_argument(
        "--images",
        type=int,
        default=500,
        metavar="N",
        help="unique image references (default: 500)",
    )
    parser.add_argument(
        "--delay",
        type=float,
        default=0.05,
        metavar="S",
        help="seconds the proxy waits before each request (default: 0.05)",
    )
    parser.add_argument(
        "--repos",
        type=int,
        default=50,
        metavar="R",
        help="repositories the images are spread over (default: 50)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the work directory (registry log, manifest) and print its path",
    )
    args = parser.parse_args(argv)
    if args.images < 1 or args.repos < 1 or args.delay < 0:
        parser.error("--images and --repos must be at least 1, --delay not negative")
    args.repos = min(args.repos, args.images)
    return args


def run(args: argparse.Namespace, workdir: Path) -> bool:
    pairs = references(args.images, args.repos)
    with ExitStack() as stack:
        start = time.perf_counter()
        registry = start_registry(workdir / "registry")
        stack.callback(registry.close)
        push_all(registry, pairs)
        setup = time.perf_counter() - start
        proxy = stack.enter_context(delaying_proxy(registry.url, delay=args.delay))
        text = manifest_text(proxy.host, pairs)
        path = workdir / "manifests.yaml"
        path.write_text(text, encoding="utf-8")
        unique = len(set(pairs))
        print(
            f"setup: {unique} unique images in {len(set(r for r, _ in pairs))} repositories "
            f"pushed to docker-registry in {setup:.1f} s; proxy {proxy.host}, "
            f"{args.delay * 1000:g} ms per request"
        )

        base = sequential(proxy, pairs)
        print(f"  sequential loop done ({base.seconds:.1f} s)", flush=True)
        default_argv = cli_argv(path.name, (), None)
        head_argv = cli_argv(path.name, CONTENT_RULES, None)
        cache_argv = cli_argv(path.name, (), "cache")
        cli_default = cli("imagelint CLI, default rules", proxy, default_argv, workdir)
        cli_head = cli("imagelint CLI, HEAD only", proxy, head_argv, workdir)
        api_default, questions = api("imagelint API, default rules", proxy, text, ())
        api_head, _ = api("imagelint API, HEAD only", proxy, text, CONTENT_RULES)
        cold = cli("imagelint CLI, cache: 1st run (cold)", proxy, cache_argv, workdir)
        warm = cli("imagelint CLI, cache: 2nd run (warm)", proxy, cache_argv, workdir)
        measures = [base, cli_default, cli_head, api_default, api_head, cold, warm]

    print(f"\n{unique} unique references ({questions} questions for imagelint)")
    print_table(measures, base, unique, args.delay)
    print("\nrequests by kind:")
    print_details(measures)
    print("\ncommands (cwd: the work directory):")
    for label, argv in (("default", default_argv), ("HEAD only", head_argv), ("cache", cache_argv)):
        shown = ["python", *argv[1:]]
        print(f"  {label}: {' '.join(shown)}")
    print("\nfindings:")
    return report_findings(measures)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    binary = os.environ.get("IMAGELINT_REGISTRY_BIN") or "/usr/bin/docker-registry"
    if shutil.which(binary) is None:
        print(
            f"bench.online needs docker-registry ({binary} not found); install the Debian "
            "package docker-registry, or set IMAGELINT_REGISTRY_BIN",
            file=sys.stderr,
        )
        return 2
    print(f"imagelint online bench (python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
    if args.keep:
        workdir = Path(tempfile.mkdtemp(prefix="imagelint-online-"))
        ok = run(args, workdir)
        print(f"kept: {workdir}")
    else:
        with tempfile.TemporaryDirectory(prefix="imagelint-online-") as tmp:
            ok = run(args, Path(tmp))
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
