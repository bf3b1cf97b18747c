"""Resource bounds of imagelint on hostile inputs: time, peak memory and what it says.

Each case writes one generated input of tests/bounds.py (alias and merge-key bombs, 100,000
documents, a 50 MB file, nesting 10,000 levels deep, 1 MB lines, scalars and images, ...) into a
temporary folder and runs ``python -m imagelint check --isolated --format json`` on it in a child
process of the interpreter given (``--python``, default this one), whose own peak RSS is measured
(tests/bounds.py's ``run``). The table gives, per case: input size, wall seconds, peak RSS, exit
code, output size and the first finding or message. Two sizes of one shape (10 MB / 50 MB, 10k /
100k documents, ...) are then compared: time and memory above the startup floor should grow like
the size (time/size about 1; quadratic growth shows as about the size ratio).

Standard library only; tests/test_resource_bounds.py and tests/test_hostile_files.py assert
bounds on the same inputs. Measure a regular (non-editable) install, as users run it; from the
repository root:

    pip install . && python -m bench.bounds [--quick] [--timeout S] [--memory-limit MB] [CASE ...]

Every child gets an address-space limit (default 8 GiB) and a timeout (default 60 s; 30 s for
the cases known not to finish), so those show as "(timeout)" with the memory they had reached,
or as the message of a failed allocation, instead of taking the machine down. A full run takes
about 5 minutes, ``--quick`` (smaller sizes, no hopeless cases) about 30 seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.bounds import (
    KB,
    MB,
    Run,
    alias_bomb,
    big_file,
    big_image,
    big_image_upper,
    big_scalar,
    deep_block_mapping,
    deep_block_sequence,
    deep_flow,
    deep_image,
    documents,
    floor_run,
    list_bomb,
    lone_directives,
    long_line,
    merge_bomb,
    run,
    suppressed_documents,
)

# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    make: Callable[[], str]
    group: str = ""  # cases of one group are compared by size
    quick: bool = True  # part of --quick
    timeout: float | None = None


def cases(quick: bool) -> list[Case]:
    docs = (10_000, 100_000) if not quick else (2_000, 10_000)
    sizes = (10 * MB, 50 * MB) if not quick else (2 * MB, 10 * MB)
    table = [
        Case("alias-bomb-annotations", lambda: alias_bomb("annotations")),
        Case("alias-bomb-args", lambda: alias_bomb("args")),
        Case("alias-bomb-env", lambda: alias_bomb("env")),
        Case("alias-bomb-image", lambda: alias_bomb("image")),
        Case("merge-bomb-6", lambda: merge_bomb(6), "merge-bomb"),
        Case("merge-bomb-7", lambda: merge_bomb(7), "merge-bomb"),
        Case("merge-bomb-8", lambda: merge_bomb(8), "merge-bomb", quick=False),
        Case("merge-bomb-9", lambda: merge_bomb(9), "merge-bomb", quick=False),
        Case("merge-bomb-10", lambda: merge_bomb(10), quick=False, timeout=30),
        Case("list-bomb-4^7", lambda: list_bomb(7, 4), "list-bomb"),
        Case("list-bomb-4^8", lambda: list_bomb(8, 4), "list-bomb"),
        Case("list-bomb-5^8", lambda: list_bomb(8, 5), "list-bomb", quick=False),
        Case("list-bomb-10^8", lambda: list_bomb(8, 10), quick=False, timeout=30),
    ]
    for count in docs:
        table.append(Case(f"documents-{count // 1000}k", lambda c=count: documents(c), "docs"))
    for count in (2_000, 4_000, 8_000):
        table.append(
            Case(
                f"documents-{count // 1000}k+1-broken",
                lambda c=count: documents(c, "end"),
                "docs-broken",
                quick=count < 8_000,
            )
        )
    table.append(
        Case("documents-100k+1-broken", lambda: documents(100_000, "end"), quick=False, timeout=30)
    )
    table.append(
        Case(
            "documents-10k-all-broken", lambda: documents(10_000, "every"), quick=False, timeout=30
        )
    )
    for count in (1_000, 4_000) if quick else (2_500, 10_000):
        table.append(
            Case(
                f"suppressed-{count / 1000:g}k",
                lambda c=count: suppressed_documents(c),
                "suppressed",
            )
        )
    table.append(
        Case("suppressed-100k", lambda: suppressed_documents(100_000), quick=False, timeout=30)
    )
    for count in (2_000, 8_000) if quick else (5_000, 20_000):
        table.append(
            Case(
                f"lone-directives-{count // 1000}k",
                lambda c=count: lone_directives(c),
                "lone-directives",
            )
        )
    for size in sizes:
        table.append(Case(f"file-{size // MB}MB", lambda s=size: big_file(s), "file"))
    for depth in (2_000, 10_000):
        table += [
            Case(f"nest-flow-seq-{depth}", lambda d=depth: deep_flow(d, "["), "nest-seq"),
            Case(f"nest-flow-map-{depth}", lambda d=depth: deep_flow(d, "{"), "nest-map"),
            Case(f"nest-block-seq-{depth}", lambda d=depth: deep_block_sequence(d), "nest-bseq"),
            Case(
                f"nest-block-map-{depth}",
                lambda d=depth: deep_block_mapping(d),
                "nest-bmap",
                quick=depth < 10_000,
            ),
        ]
    table += [
        Case("nest-image-map-10000", lambda: deep_image(10_000)),
        Case("nest-flow-seq-30000", lambda: deep_flow(30_000, "[")),
        Case("nest-flow-seq-100000", lambda: deep_flow(100_000, "[")),
    ]
    for size in (200 * KB, MB) if quick else (MB, 5 * MB):
        label = f"{size // KB}KB" if size < MB else f"{size // MB}MB"
        table += [
            Case(f"line-flow-{label}", lambda s=size: long_line(s), "line"),
            Case(f"line-flow-go-{label}", lambda s=size: long_line(s, True), "line-go"),
            Case(f"scalar-plain-{label}", lambda s=size: big_scalar(s), "scalar"),
            Case(f"scalar-quoted-{label}", lambda s=size: big_scalar(s, "quoted"), "scalar-q"),
            Case(f"scalar-literal-{label}", lambda s=size: big_scalar(s, "literal"), "scalar-l"),
            Case(f"image-{label}", lambda s=size: big_image(s), "image"),
            Case(f"image-parts-{label}", lambda s=size: big_image_upper(s), "image-parts"),
        ]
    table.append(Case("image-1MB-x10", lambda: big_image(MB, 10)))
    return [case for case in table if case.quick or not quick]


def _fmt_size(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.1f} MB"
    if size >= KB:
        return f"{size / KB:.0f} KB"
    return f"{size} B"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only the cases whose name contains one of these")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, no slow cases")
    parser.add_argument("--python", default=sys.executable, help="interpreter with imagelint")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per case")
    parser.add_argument("--memory-limit", type=int, default=8192, help="MB of address space")
    args = parser.parse_args(argv)

    floor = min((floor_run(args.python) for _ in range(3)), key=lambda run: run.seconds)
    print(
        f"floor (one small Pod): {floor.seconds:.2f} s, {floor.peak_rss_mb:.0f} MB peak RSS; "
        f"timeout {args.timeout:.0f} s, address space limit {args.memory_limit} MB"
    )
    selected = [
        case
        for case in cases(args.quick)
        if not args.names or any(name in case.name for name in args.names)
    ]
    header = f"{'input':<26} {'size':>9} {'seconds':>8} {'peak MB':>8} {'exit':>5} {'out KB':>7}"
    print(f"{header}  first finding or message")
    results: dict[str, tuple[Case, int, Run]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for case in selected:
            path = Path(folder, f"{case.name}.yaml")
            path.write_text(case.make(), encoding="utf-8")
            size = path.stat().st_size
            result = run(
                ["check", "--isolated", "--format", "json", path.name],
                python=args.python,
                cwd=folder,
                timeout=case.timeout or args.timeout,
                memory_limit=args.memory_limit * MB,
            )
            path.unlink()
            results[case.name] = (case, size, result)
            code = "-" if result.exit_code is None else str(result.exit_code)
            print(
                f"{case.name:<26} {_fmt_size(size):>9} {result.seconds:>8.2f} "
                f"{result.peak_rss_mb:>8.0f} {code:>5} {len(result.stdout) / KB:>7.1f}  "
                f"{result.first_message()}",
                flush=True,
            )
    groups: dict[str, list[tuple[Case, int, Run]]] = {}
    for item in results.values():
        if item[0].group:
            groups.setdefault(item[0].group, []).append(item)
    print(
        "\ngrowth, first -> last size of a shape (time and memory above the floor; proportional "
        "growth gives time/size ~1, quadratic ~size ratio; '~' where the smaller run is too "
        "close to the floor to tell):"
    )
    for group, items in groups.items():
        if len(items) < 2:
            continue
        (_, size_a, a), (_, size_b, b) = items[0], items[-1]
        if a.timed_out or b.timed_out:
            print(f"  {group:<16} (a run timed out)")
            continue
        size_ratio = size_b / size_a
        above_a = a.seconds - floor.seconds
        time_ratio = max(b.seconds - floor.seconds, 0.01) / max(above_a, 0.01)
        rss_ratio = max(b.peak_rss_mb - floor.peak_rss_mb, 1) / max(
            a.peak_rss_mb - floor.peak_rss_mb, 1
        )
        vague = "~" if above_a < 0.25 else " "
        print(
            f"  {group:<16} size x{size_ratio:<6.1f} time x{time_ratio:<7.1f}{vague} "
            f"memory x{rss_ratio:<6.1f} time/size {time_ratio / size_ratio:.2f}{vague}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
