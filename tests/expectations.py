"""Expectation markers in fixtures.

``# expect: RULE[@COLUMN] [RULE[@COLUMN] ...]`` at the end of a line expects those findings on
that line. Files that cannot carry comments (binary, JSON) have a sidecar ``NAME.expect`` with
lines ``LINE[:COLUMN] RULE``.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

_MARKER = re.compile(r"#\s*expect:\s*(.+?)\s*$")


def expected(path: Path) -> tuple[Counter, dict[tuple[int, str], list[int]]]:
    """Expected (line, rule) counts and, where given, their columns."""
    counts: Counter = Counter()
    columns: dict[tuple[int, str], list[int]] = {}
    sidecar = path.with_name(path.name + ".expect")
    entries: list[tuple[int, str]] = []
    if sidecar.exists():
        for raw in sidecar.read_text().splitlines():
            if raw.strip():
                where, rule = raw.split()
                entries.append((0, f"{rule}@{where}"))
    else:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = _MARKER.search(line)
            if match:
                entries.extend((number, item) for item in match.group(1).replace(",", " ").split())
    for number, item in entries:
        rule, _, at = item.partition("@")
        if number == 0:  # sidecar: LINE[:COLUMN]
            line_text, _, column_text = at.partition(":")
            number, at = int(line_text), column_text
        counts[(number, rule)] += 1
        if at:
            columns.setdefault((number, rule), []).append(int(at))
    return counts, columns
