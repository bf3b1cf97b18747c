"""Fuzz imagelint for minutes with the long profile of tests/fuzzing.py.

    python -m bench.fuzz [--minutes 5] [--batch 200] [--only NAME ...] [--out DIR]

(from the repository root). Runs every target of tests/fuzzing.py (the reference parser,
generated manifests, raw YAML-ish text, mutations of ../shared/corpus files, raw bytes through
files, the command line in process and as a subprocess, configuration and baseline files) in
turns of ``--batch`` hypothesis examples, sharing the time between them, until the time is up.
Prints how many cases each target tried and every property violation found, with its minimal
(shrunk) input saved under ``--out``. A violation that tests/fuzzing.py's KNOWN matches (a bug
with a strict xfail reproducer in tests/test_fuzz.py) is counted and let through; a new one is
reported once and then treated as known for the rest of the run, so that the search goes on for
other bugs. Exit status 1 if anything new was found.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

from hypothesis import given, settings

from tests import fuzzing
from tests.helpers import PRIVATE_FOLDERS, UNSET, shared_dir


def isolate_environment() -> None:
    """IMAGELINT_FUZZ=long (tests/fuzzing.py's long profile), no debug output, and, as
    tests/conftest.py does for the suite: never the user's cache, registry logins or proxies,
    nor an IMAGELINT_FORMAT that would change the output the properties read."""
    os.environ["IMAGELINT_FUZZ"] = "long"
    os.environ.pop("IMAGELINT_DEBUG", None)
    private = tempfile.mkdtemp(prefix="imagelint-fuzz-home-")
    atexit.register(shutil.rmtree, private, True)
    for name, folder in PRIVATE_FOLDERS:
        os.environ[name] = os.path.join(private, folder)
    for name in (*UNSET, "IMAGELINT_FORMAT"):
        os.environ.pop(name, None)


class Stats:
    def __init__(self, name: str) -> None:
        self.name = name
        self.cases = 0  # every call of the check, shrinking included
        self.shrink_cases = 0  # calls after the first failure of a batch
        self.batches = 0
        self.seconds = 0.0
        self.known_hits = 0
        self.failures: list[dict] = []


def run_batch(target: fuzzing.Target, stats: Stats, known: set[str], batch: int, out: Path):
    state = {"failed": False, "last": None, "error": None}

    @settings(settings.get_profile("long"), max_examples=batch)
    @given(target.strategy)
    def one(case):
        stats.cases += 1
        if state["failed"]:
            stats.shrink_cases += 1
        before = len(fuzzing.SUPPRESSED)
        try:
            target.check(case, known)
        except Exception as error:
            state["failed"] = True
            state["last"], state["error"] = case, error
            raise
        finally:
            stats.known_hits += len(fuzzing.SUPPRESSED) - before
            del fuzzing.SUPPRESSED[before:]

    started = time.perf_counter()
    try:
        one()
    except Exception as error:  # the minimal case was the last one that failed
        last_error = state["error"] or error
        signature = getattr(last_error, "signature", None) or fuzzing.exception_signature(
            last_error
        )
        stem = f"{target.name}-{len(stats.failures) + 1}"
        files = save_case(state["last"], out, stem, last_error)
        known.add(signature)
        stats.failures.append(
            {
                "signature": signature,
                "detail": str(last_error)[:2000],
                "input": repr(state["last"])[:500],
                "files": [str(f) for f in files],
            }
        )
        print(f"  ! {target.name}: {signature}\n    input: {repr(state['last'])[:300]}")
    finally:
        stats.batches += 1
        stats.seconds += time.perf_counter() - started


def save_case(case, out: Path, stem: str, error: BaseException) -> list[Path]:
    files = fuzzing.save_case(case, out, stem)
    report = out / f"{stem}.error.txt"
    report.write_text(
        "".join(traceback.format_exception(type(error), error, error.__traceback__)),
        encoding="utf-8",
        errors="backslashreplace",
    )
    return [*files, report]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="total time (default 5)")
    parser.add_argument("--batch", type=int, default=200, help="examples per turn (default 200)")
    parser.add_argument("--only", nargs="*", help="run only these targets")
    parser.add_argument("--no-subprocess", action="store_true", help="skip cli-subprocess")
    parser.add_argument(
        "--out", type=Path, default=Path("fuzz-failures"), help="where failing inputs go"
    )
    parser.add_argument("--json", type=Path, help="also write the summary as JSON here")
    args = parser.parse_args(argv)
    isolate_environment()
    # The library's warnings would flood the report; the CLI targets record their own (a
    # Python warning on imagelint's standard error is a violation).
    warnings.simplefilter("ignore")

    shared = shared_dir()
    corpus = fuzzing.corpus_dir(shared)
    if corpus is None:
        print("note: ../shared/corpus not found; corpus-mutations is skipped", file=sys.stderr)
    targets = fuzzing.targets(corpus, subprocess_cli=not args.no_subprocess)
    if args.only:
        unknown = set(args.only) - {t.name for t in targets}
        if unknown:
            parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
        targets = [t for t in targets if t.name in args.only]
    stats = {t.name: Stats(t.name) for t in targets}
    known: set[str] = set()  # signatures reported in this run (fuzzing.KNOWN is consulted too)
    total_share = sum(t.share for t in targets)
    budget = args.minutes * 60
    started = time.perf_counter()
    print(f"fuzzing {', '.join(t.name for t in targets)} for {args.minutes:g} min")
    while time.perf_counter() - started < budget:
        # The target furthest behind its share of the time so far goes next.
        target = min(targets, key=lambda t: stats[t.name].seconds / t.share)
        run_batch(target, stats[target.name], known, args.batch, args.out)
    elapsed = time.perf_counter() - started

    print(f"\n{'target':<18} {'cases':>9} {'shrink':>7} {'batches':>7} {'seconds':>8} "
          f"{'cases/s':>8} {'known':>6} {'new':>4}")  # fmt: skip
    for target in targets:
        s = stats[target.name]
        rate = s.cases / s.seconds if s.seconds else 0.0
        print(
            f"{s.name:<18} {s.cases:>9} {s.shrink_cases:>7} {s.batches:>7} {s.seconds:>8.1f} "
            f"{rate:>8.1f} {s.known_hits:>6} {len(s.failures):>4}"
        )
    total = sum(s.cases for s in stats.values())
    new = [f | {"target": s.name} for s in stats.values() for f in s.failures]
    print(f"{'total':<18} {total:>9}   in {elapsed:.0f} s (share: {total_share:g})")
    if new:
        print(f"\n{len(new)} new violation(s); inputs saved under {args.out}/:")
        for failure in new:
            print(f"- {failure['target']}: {failure['signature']}\n  {failure['files'][0]}")
    else:
        print("\nno new violations")
    if args.json:
        summary = {
            "minutes": elapsed / 60,
            "targets": {
                s.name: {
                    "cases": s.cases,
                    "shrink_cases": s.shrink_cases,
                    "batches": s.batches,
                    "seconds": round(s.seconds, 1),
                    "known_hits": s.known_hits,
                    "failures": s.failures,
                }
                for s in stats.values()
            },
        }
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
