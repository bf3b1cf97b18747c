"""A registry host or repository that is a near miss of a well-known or more used one.

## What it finds
- a registry host one or two keystrokes from a well-known public registry (`dokcer.io`,
  `gcr.oi`, `qauy.io`, `ghrc.io`, `regsitry.k8s.io`);
- a Docker Hub repository that is not well known but is a near miss of one that is (`ngnix`,
  `postgress`, `rediss`, `bitnami/postgressql`);
- a repository (or private registry host) used once or twice in the run next to a near miss
  used at least three times as often (`acme/biling-api` beside three uses of
  `acme/billing-api`).

How near is relative to length: no edits for names under 4 characters, one edit up to 7, two from
8; a swap of two adjacent letters counts as one. Names that are themselves well known are never
reported (`redis` and `redash/redash` are both real), nor are names that differ only in their
numbers (`details-v1` and `details-v2`) or in one whole word (`py-runner` and `go-runner`), and
a tie between two candidates is not reported.
Spellings a registry itself treats as one are not typos: GCR's `_` and `-` in project names
(`gcr.io/google_samples` is `gcr.io/google-samples`), the regional and legacy hosts of one
registry (`b.gcr.io`, `us.gcr.io`); nor are hosts that differ by a whole word
(`registry.corp.com`, `myregistry.corp.com`) or only by a number.

## Why it breaks a pull
A misspelt host does not resolve (`no such host`); a misspelt repository does not exist
(`pull access denied`) or, on Docker Hub, may exist and belong to someone else.

## Example
```yaml
image: ngnix:1.27
```

## Fix
Correct the name to the one suggested ("did you mean ...").
`imagelint check --fix --unsafe-fixes` corrects a registry host to the well-known host it is a
near miss of, and a repository to the spelling the rest of the run uses (unsafe fixes: a near
miss is likely, not certain, to be a typo); near misses of well-known Docker Hub images and of
hosts used more often in the run are left to you.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from imagelint.core.fixes import UNSAFE, Fix
from imagelint.core.model import ImageRecord, Settings, Violation
from imagelint.core.patterns import pattern
from imagelint.images import catalog
from imagelint.images.equivalence import host_typo_evidence, same_repository, word_replaced
from imagelint.images.reference import DEFAULT_DOMAIN, Reference
from imagelint.images.similarity import allowed_edits, bigrams, distance
from imagelint.reporting.messages import shown
from imagelint.running.runindex import RunIndex

NAME = "image-typo"
CODE = "IL112"
SEVERITY = "warning"
SCOPE = "run"
SUMMARY = "A registry host or repository is a near miss of a well-known or more used one."
SUPERSEDES = ("missing-registry",)
FIX = UNSAFE

# How many times more often the correct spelling must occur in the run than the near miss.
_DOMINANCE = 3
_DIGITS = r"[0-9]+"


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[ImageRecord, Violation]]:
    references = list(run.references())
    names_of = [ref.name for _, ref in references]  # a property: worked out once a record
    hosts = _Frequencies(ref.domain for _, ref in references if ref.domain_given)
    names = _Frequencies(names_of)
    # A host verdict depends on the host only, a name verdict on the name only (a name is its
    # host and path): each is worked out once, not once a record.
    by_host: dict[str, _Verdict | None] = {}
    by_name: dict[str, _Verdict | None] = {}
    for (record, ref), name in zip(references, names_of, strict=True):
        assert record.image is not None
        found = None
        if ref.domain_given:
            domain = ref.domain
            if domain in by_host:
                found = by_host[domain]
            else:
                found = by_host[domain] = _host_typo(ref, hosts)
        if found is None:
            if name in by_name:
                found = by_name[name]
            else:
                found = by_name[name] = _name_typo(ref, names)
            if found is None:
                continue
        wrong, right, why, fixable = found
        at = record.image.find(wrong)
        offset = max(at, 0)
        fix = None
        if fixable and at >= 0:
            value = record.image[:at] + right + record.image[at + len(wrong) :]
            fix = Fix(value, UNSAFE, f"correct {wrong} to {right}")
        yield (
            record,
            Violation(
                f"image {shown(record.image)}: {shown(wrong)} looks like a typo of {shown(right)} "
                f"({why}); did you mean {shown(record.image.replace(wrong, right, 1))}?",
                offset,
                fix=fix,
            ),
        )


# A near miss: what is written, what was meant, why that, and whether --fix may correct it.
_Verdict = tuple[str, str, str, bool]


def _host_typo(ref: Reference, hosts: _Frequencies) -> _Verdict | None:
    if not ref.domain_given or catalog.is_known_host(ref.domain):
        return None
    known = catalog.host_typo_of(ref.domain)
    if known is not None:
        return ref.domain.split(":", 1)[0], known, "a well-known registry", True
    frequent = hosts.dominant(ref.domain)
    if frequent is not None and host_typo_evidence(ref.domain, frequent):
        return ref.domain, frequent, f"used {hosts.counts[frequent]} times in this run", False
    return None


def _name_typo(ref: Reference, names: _Frequencies) -> _Verdict | None:
    if ref.domain == DEFAULT_DOMAIN:
        familiar = ref.familiar_name
        if familiar in catalog.dockerhub_popular():
            return None
        known = catalog.dockerhub_index().nearest(familiar)
        if known is not None and not _siblings(familiar, known):
            return familiar, known, "a well-known Docker Hub image", False
    frequent = names.dominant(ref.name)
    if (
        frequent is None
        or not frequent.startswith(ref.domain + "/")
        or same_repository(ref.name, frequent)
    ):
        return None
    return (
        ref.path,
        frequent[len(ref.domain) + 1 :],
        f"used {names.counts[frequent]} times in this run",
        True,
    )


# A frequent value: the value, its count, its kinds of characters and of adjacent pairs.
_Frequent = tuple[str, int, frozenset[str], frozenset[str]]


class _Frequencies:
    """How often each value occurs in the run, with the frequent ones grouped by registry host
    and length, so a rare value is compared only with frequent values of about its length."""

    def __init__(self, values: Iterable[str]) -> None:
        self.counts = Counter(values)
        # group -> length -> the frequent values of that group and length
        self.groups: dict[str, dict[int, list[_Frequent]]] = {}
        self.most: dict[str, int] = {}  # group -> the count of its most frequent value
        self._answers: dict[str, str | None] = {}  # value -> what dominant() said
        # (group, length, allowed edits) -> the frequent values to compare a value with
        self._windows: dict[tuple[str, int, int], tuple[_Frequent, ...]] = {}
        for value, count in self.counts.items():
            if count >= _DOMINANCE:
                group = _group(value)
                by_length = self.groups.setdefault(group, {})
                frequent = (value, count, frozenset(value), bigrams(value))
                by_length.setdefault(len(value), []).append(frequent)
                self.most[group] = max(count, self.most.get(group, 0))

    def dominant(self, value: str) -> str | None:
        """The one value near ``value`` used at least _DOMINANCE times as often, if exactly one."""
        if value in self._answers:
            return self._answers[value]
        answer = self._answers[value] = self._dominant(value)
        return answer

    def _dominant(self, value: str) -> str | None:
        group = _group(value)
        by_length = self.groups.get(group)
        if by_length is None:  # most values: nothing of their host is frequent
            return None
        floor = _DOMINANCE * self.counts[value]
        if self.most[group] < floor:  # nothing of its group is that frequent
            return None
        limit = allowed_edits(value[value.rfind("/") + 1 :])
        if limit == 0:
            return None
        # Two cheap necessary conditions for being within ``limit`` edits rule out nearly every
        # frequent value before distance() is asked: one edit takes at most one kind of
        # character away from a string (so no more than ``limit`` kinds of ``value`` may be
        # missing from the other), and at most three kinds of adjacent pairs (may_be_within).
        # The values compared share the group and the "/" after it (a host has no "/" and is
        # compared whole), so only what follows the group can hold kinds the other lacks: the
        # sets are worked out for that tail only.
        tail = value[len(group) :]
        chars: frozenset[str] | None = None
        pairs: frozenset[str] | None = None
        most_missing = 3 * limit
        near = []
        for other, count, other_chars, other_pairs in self._window(group, len(value), limit):
            if count < floor or other == value:
                continue
            if chars is None:
                chars = frozenset(tail)
            if len(chars - other_chars) > limit:
                continue
            if pairs is None:
                pairs = bigrams(tail)
            if (
                len(pairs - other_pairs) <= most_missing
                and distance(value, other, limit) <= limit
                and not _siblings(value, other)
            ):
                near.append(other)
        return near[0] if len(near) == 1 else None

    def _window(self, group: str, length: int, limit: int) -> tuple[_Frequent, ...]:
        """The frequent values of ``group`` within ``limit`` of ``length`` long, by length and
        then as counted (the order comparing each length in turn meets them in); worked out
        once for each length asked."""
        key = (group, length, limit)
        window = self._windows.get(key)
        if window is None:
            by_length = self.groups[group]
            window = self._windows[key] = tuple(
                entry
                for near_length in range(length - limit, length + limit + 1)
                for entry in by_length.get(near_length, ())
            )
        return window


def _group(value: str) -> str:
    """Names are compared within their registry host (a host typo is a host rule's business);
    hosts are compared with hosts, whose group is ""."""
    return value[: value.find("/")] if "/" in value else ""


def _siblings(a: str, b: str) -> bool:
    """Names that differ only in their numbers (``details-v1``, ``details-v2``) or in one whole
    word (``py-runner``, ``go-runner``) are a family, not a typo."""
    digits = pattern(_DIGITS)
    return digits.sub("0", a) == digits.sub("0", b) or word_replaced(a, b)
