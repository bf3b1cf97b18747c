"""What ``imagelint check --fix`` costs over ``imagelint check`` (issue 18's targets).

``python -m bench.fixes [--files 1000] [--repeat 9] [--jobs 1] [--editable]`` measures, with a
regular install of this checkout (as bench.core builds it) and in child CPU time (user and
system: steadier than wall time on a shared machine), sides interleaved, minimum kept:

- nothing to fix: ``check --fix`` against ``check`` on a generated corpus of ``--files`` files
  (its few fixable mistakes fixed first) and on bench.trees' kustomize tree (target 1.05x);
- one fix: the same corpus with one image moved to ``k8s.gcr.io`` (a safe fix), each run on
  the file as it was: what ``--fix`` adds, at ``--files`` and at a tenth of it (it should grow
  with the files changed, not with the run).
"""

from __future__ import annotations

import argparse
import functools
import re
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.core import generate_corpus, installed_python
from bench.treegen import generate_tree

SEED = 20241121


def _cpu(argv: Sequence[str], before: Callable[[], None] | None = None) -> float:
    if before is not None:
        before()
    start = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    end = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (end.ru_utime - start.ru_utime) + (end.ru_stime - start.ru_stime)


def _pair(
    check: list[str], repeat: int, before: Callable[[], None] | None = None
) -> tuple[float, float]:
    """The minimum CPU time of ``check`` and of ``check --fix``, interleaved."""
    plain, fixing = [], []
    for turn in range(repeat):
        order = [(plain, check), (fixing, [*check, "--fix"])]
        for times, argv in order if turn % 2 else order[::-1]:
            times.append(_cpu(argv, before))
    return min(plain), min(fixing)


def _row(label: str, plain: float, fixing: float) -> None:
    print(
        f"  {label:34} check {plain:.3f} s  --fix {fixing:.3f} s  "
        f"ratio {fixing / plain:.3f}  adds {fixing - plain:+.3f} s"
    )


def _corpus(root: Path, python: str, files: int, jobs: int) -> tuple[list[str], Path, bytes]:
    """A generated corpus with nothing left to fix, the check command, and one file with a
    single fixable image (its text)."""
    generate_corpus(root, files, SEED, 0.0)
    check = [python, "-m", "imagelint", "check", "--isolated", "--format", "json"]
    check += ["--jobs", str(jobs), str(root)]
    subprocess.run([*check, "--fix", "--unsafe-fixes"], capture_output=True, check=False)
    target = sorted(root.rglob("*.yaml"))[files // 2]
    text, count = re.subn(r"(image: )\S+", r"\1k8s.gcr.io/pause:3.9", target.read_text(), count=1)
    if count != 1:
        raise SystemExit(f"no image to change in {target}")
    return check, target, text.encode("utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fixes", description=__doc__)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--editable", action="store_true", help="measure this interpreter's")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="imagelint-bench-fixes-") as scratch:
        work = Path(scratch)
        python = sys.executable if args.editable else installed_python(work)
        print(f"check --fix against check, CPU time, --jobs {args.jobs}, min of {args.repeat}")
        print("nothing to fix")
        check, _, _ = _corpus(work / "corpus", python, args.files, args.jobs)
        _row(f"{args.files} generated files", *_pair(check, args.repeat))
        generate_tree(work / "tree", 20, 200, SEED)
        tree = [python, "-m", "imagelint", "check", "--isolated", "--format", "json"]
        tree += ["--jobs", str(args.jobs), str(work / "tree")]
        _row("kustomize tree (20 bases, 200 roots)", *_pair(tree, args.repeat))
        print("one fix (a k8s.gcr.io image)")
        for files in (args.files // 10, args.files):
            check, target, broken = _corpus(work / f"one-{files}", python, files, args.jobs)
            restore = functools.partial(_restore, target, broken)
            _row(f"{files} generated files", *_pair(check, args.repeat, restore))
    return 0


def _restore(target: Path, text: bytes) -> None:
    target.write_bytes(text)


if __name__ == "__main__":
    sys.exit(main())
