"""Edit distance for typo detection: optimal string alignment (Levenshtein plus adjacent
transpositions, so ``ngnix`` is one edit from ``nginx``), with an early exit, and an index that
finds the near misses of a name among many without comparing it with each."""

from __future__ import annotations

from collections.abc import Iterable

MAX_EDITS = 2


def distance(a: str, b: str, limit: int) -> int:
    """The OSA distance between ``a`` and ``b``, or ``limit + 1`` when it exceeds ``limit``.

    Common prefixes and suffixes are dropped first (registry paths that differ by one letter
    share most of their length), and only the diagonal band of width ``2 * limit + 1`` of the
    table is computed: anything outside it is already over the limit.
    """
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    a, b = a[start:end_a], b[start:end_b]
    over = limit + 1
    if abs(len(a) - len(b)) > limit:
        return over
    if not a or not b:
        return max(len(a), len(b))
    previous2: list[int] = []
    previous = [j if j <= limit else over for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        low, high = max(1, i - limit), min(len(b), i + limit)
        current = [over] * (len(b) + 1)
        if i <= limit:
            current[0] = i
        ca = a[i - 1]
        for j in range(low, high + 1):
            cb = b[j - 1]
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current[low - 1 : high + 1]) > limit:
            return over
        previous2, previous = previous, current
    return min(previous[-1], over)


def bigrams(text: str) -> frozenset[str]:
    """The kinds of adjacent character pairs in ``text``, for :func:`may_be_within`."""
    return frozenset(map(str.__add__, text, text[1:]))  # each character and the next


def may_be_within(bigrams_a: frozenset[str], bigrams_b: frozenset[str], limit: int) -> bool:
    """False when two strings, given by their :func:`bigrams`, are surely more than ``limit``
    edits apart: one edit breaks at most three of a string's adjacent pairs (an adjacent swap
    breaks the pair it swaps and its two neighbours), so a string with more than three per
    edit of its kinds of pairs missing from the other is out of reach. A set difference is
    about a tenth of the cost of :func:`distance`, and rules out nearly every unrelated pair."""
    return len(bigrams_a - bigrams_b) <= 3 * limit


def allowed_edits(name: str) -> int:
    """How many edits still count as a slip of the keyboard, relative to the name's length:
    none below 4 characters (too many real short names), 1 up to 7, 2 from 8."""
    if len(name) < 4:
        return 0
    return 1 if len(name) < 8 else MAX_EDITS


ANSWERS_KEPT = 4096  # distinct names whose answer a NameIndex remembers
# Lookups answered by comparing with every name of about the length asked, before the index is
# built: a one-file run asks about one or two names, for which building it costs more.
SCANS_BEFORE_INDEX = 8


class NameIndex:
    """Near-miss lookup among a fixed set of names.

    A name is compared only with the names of about its length (within the allowed edits) that
    :func:`may_be_within` does not rule out, a set difference of their kinds of adjacent pairs
    that is a necessary condition; the few left are confirmed with :func:`distance`.

    Most names looked up are near no name at all, so the names to compare with are found from
    an index of which names hold each pair: a name that may be within ``limit`` edits lacks at
    most ``3 * limit`` of the looked-up name's kinds of pairs, so it holds at least one of any
    ``3 * limit + 1`` of them, and the rarest ones (often held by no name) are looked up. The
    pairs and the index are worked out once, after the first few lookups (which compare with
    every name of about the length asked: the same names, found without the index).
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(names)
        self._by_length: dict[int, list[tuple[str, frozenset[str]]]] | None = None
        self._pairs: dict[str, frozenset[str]] = {}  # name -> its kinds of pairs
        self._holders: dict[str, tuple[str, ...]] = {}  # pair -> the names holding it
        self._rarity: dict[str, int] = {}  # pair -> how many names hold it
        self._held: frozenset[str] = frozenset()  # the pairs some name holds
        self._answers: dict[str, str | None] = {}  # a run asks about few distinct names
        self._scans = 0  # lookups answered without the index (SCANS_BEFORE_INDEX)

    def nearest(self, name: str) -> str | None:
        """The single name within the allowed edits of ``name``; None if none, if ``name`` is
        itself one of the names, or if two are equally near."""
        if name in self._answers:
            return self._answers[name]
        if len(self._answers) >= ANSWERS_KEPT:  # bounded: starts afresh
            self._answers.clear()
        answer = self._answers[name] = self._nearest(name)
        return answer

    def _nearest(self, name: str) -> str | None:
        limit = allowed_edits(name)
        if limit == 0 or name in self.names:
            return None
        scored = sorted((distance(name, c, limit), c) for c in self.candidates(name, limit))
        scored = [(d, c) for d, c in scored if d <= limit]
        if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
            return None
        return scored[0][1]

    def candidates(self, name: str, limit: int) -> list[str]:
        """The names that may be within ``limit`` edits of ``name`` (a superset of those that
        are), in no particular order."""
        pairs = bigrams(name)
        most_missing = 3 * limit  # may_be_within, inlined: this runs for every name
        low, high = len(name) - limit, len(name) + limit
        if self._by_length is None:
            if self._scans < SCANS_BEFORE_INDEX:  # the same names, without building the index
                self._scans += 1
                return [
                    known
                    for known in self.names
                    if low <= len(known) <= high
                    and len(pairs - self._pairs_of(known)) <= most_missing
                ]
            self._build()
        assert self._by_length is not None
        if len(pairs) <= most_missing:  # short: any name of about its length may be near
            return [
                known
                for length in range(low, high + 1)
                for known, known_pairs in self._by_length.get(length, ())
                if len(pairs - known_pairs) <= most_missing
            ]
        present = pairs & self._held
        need = most_missing + 1 - (len(pairs) - len(present))  # pairs to look up
        if need <= 0:  # too many pairs no name holds: none is near
            return []
        rarest = sorted(present, key=self._rarity.__getitem__)[:need]
        near: set[str] = set().union(*map(self._holders.__getitem__, rarest))
        return [
            known
            for known in near
            if low <= len(known) <= high and len(pairs - self._pairs[known]) <= most_missing
        ]

    def _pairs_of(self, known: str) -> frozenset[str]:
        """A name's kinds of pairs, worked out once (by a scan, or when the index is built)."""
        pairs = self._pairs.get(known)
        if pairs is None:
            pairs = self._pairs[known] = bigrams(known)
        return pairs

    def _build(self) -> None:
        by_length: dict[int, list[tuple[str, frozenset[str]]]] = {}
        holders: dict[str, list[str]] = {}
        for known in sorted(self.names):
            known_pairs = self._pairs_of(known)
            by_length.setdefault(len(known), []).append((known, known_pairs))
            for pair in known_pairs:
                holders.setdefault(pair, []).append(known)
        self._holders = {pair: tuple(names) for pair, names in holders.items()}
        self._rarity = {pair: len(names) for pair, names in holders.items()}
        self._held = frozenset(holders)
        self._by_length = by_length
