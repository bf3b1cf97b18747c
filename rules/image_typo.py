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
    hosts = _Frequencies(ref.domain for _, ref in references if ref.domain_given)
    names = _Frequencies(ref.name for _, ref in references)
    judged: dict[tuple[str, bool], _Verdict | None] = {}  # one verdict per name
    for record, ref in references:
        assert record.image is not None
        key = (ref.name, ref.domain_given)
        if key not in judged:
            judged[key] = _host_typo(ref, hosts) or _name_typo(ref, names)
        found = judged[key]
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


class _Frequencies:
    """How often each value occurs in the run, with the frequent ones grouped by registry host
    and length, so a rare value is compared only with frequent values of about its length."""

    def __init__(self, values: Iterable[str]) -> None:
        self.counts = Counter(values)
        # group -> length -> (value, its count, its kinds of pairs), the frequent values only
        self.groups: dict[str, dict[int, list[tuple[str, int, frozenset[str]]]]] = {}
        self.most: dict[str, int] = {}  # group -> the count of its most frequent value
        for value, count in self.counts.items():
            if count >= _DOMINANCE:
                group = _group(value)
                by_length = self.groups.setdefault(group, {})
                by_length.setdefault(len(value), []).append((value, count, bigrams(value)))
                self.most[group] = max(count, self.most.get(group, 0))

    def dominant(self, value: str) -> str | None:
        """The one value near ``value`` used at least _DOMINANCE times as often, if exactly one."""
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
        pairs: frozenset[str] | None = None
        most_missing = 3 * limit  # may_be_within, inlined: this runs for every rare value
        near = []
        for length in range(len(value) - limit, len(value) + limit + 1):
            for other, count, other_pairs in by_length.get(length, ()):
                if count < floor or other == value:
                    continue
                if pairs is None:
                    pairs = bigrams(value)
                if (
                    len(pairs - other_pairs) <= most_missing
                    and distance(value, other, limit) <= limit
                    and not _siblings(value, other)
                ):
                    near.append(other)
        return near[0] if len(near) == 1 else None


def _group(value: str) -> str:
    """Names are compared within their registry host (a host typo is a host rule's business);
    hosts are compared with hosts, whose group is ""."""
    return value[: value.find("/")] if "/" in value else ""


def _siblings(a: str, b: str) -> bool:
    """Names that differ only in their numbers (``details-v1``, ``details-v2``) or in one whole
    word (``py-runner``, ``go-runner``) are a family, not a typo."""
    digits = pattern(_DIGITS)
    return digits.sub("0", a) == digits.sub("0", b) or word_replaced(a, b)
