"""Edit distance for typo detection: optimal string alignment (Levenshtein plus adjacent
transpositions, so ``ngnix`` is one edit from ``nginx``), with an early exit."""

from __future__ import annotations

from collections.abc import Iterable


def distance(a: str, b: str, limit: int) -> int:
    """The OSA distance between ``a`` and ``b``, or ``limit + 1`` when it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def allowed_edits(name: str) -> int:
    """How many edits still count as a slip of the keyboard, relative to the name's length:
    none below 4 characters (too many real short names), 1 up to 7, 2 from 8."""
    if len(name) < 4:
        return 0
    return 1 if len(name) < 8 else 2


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The single candidate within the allowed edits of ``name``; None if none or a tie."""
    limit = allowed_edits(name)
    if limit == 0:
        return None
    best: list[str] = []
    best_distance = limit + 1
    for candidate in candidates:
        if candidate == name:
            return None
        d = distance(name, candidate, limit)
        if d < best_distance:
            best, best_distance = [candidate], d
        elif d == best_distance and d <= limit:
            best.append(candidate)
    return best[0] if len(best) == 1 else None
