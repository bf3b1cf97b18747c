"""The near-miss index finds exactly what comparing with every name finds."""

from __future__ import annotations

import pytest

from imagelint.images.catalog import dockerhub_popular, registry_hosts
from imagelint.images.similarity import NameIndex, allowed_edits, distance

QUERIES = [
    "ngnix",
    "postgress",
    "rediss",
    "redash",
    "bussybox",
    "alpin",
    "mysq",
    "bitnami/postgressql",
    "grafana/grafna",
    "acme/api",
    "nginx",
    "prom/promethues",
    "jaegertracing/all-in-on",
    "xyz",
    "gcr.oi",
    "quay.oi",
    "registry.k8s.oi",
    "ghrc.io",
]


def nearest_by_comparing_all(names: frozenset[str], name: str) -> str | None:
    limit = allowed_edits(name)
    if limit == 0 or name in names:
        return None
    scored = sorted((distance(name, known, limit), known) for known in names)
    scored = [(d, known) for d, known in scored if d <= limit]
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


@pytest.mark.parametrize("names", [dockerhub_popular, registry_hosts])
def test_the_index_finds_what_comparing_with_every_name_finds(names):
    import random

    known = frozenset(names())
    index = NameIndex(known)
    rng = random.Random(7)
    queries = list(QUERIES)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-./"
    for name in rng.sample(sorted(known), min(200, len(known))):  # near misses of real names
        chars = list(name)
        for _ in range(rng.randint(1, 3)):
            position = rng.randrange(len(chars))
            edit = rng.choice(["delete", "insert", "replace", "swap"])
            if edit == "delete" and len(chars) > 1:
                del chars[position]
            elif edit == "insert":
                chars.insert(position, rng.choice(alphabet))
            elif edit == "replace":
                chars[position] = rng.choice(alphabet)
            elif position + 1 < len(chars):
                chars[position], chars[position + 1] = chars[position + 1], chars[position]
        queries.append("".join(chars))
    for query in queries:
        assert index.nearest(query) == nearest_by_comparing_all(known, query), query
        assert index.nearest(query) == nearest_by_comparing_all(known, query), query  # kept


def test_banded_distance_matches_the_full_table():
    import itertools
    import random

    def full(a, b):
        d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i in range(len(a) + 1):
            d[i][0] = i
        for j in range(len(b) + 1):
            d[0][j] = j
        for i in range(1, len(a) + 1):
            for j in range(1, len(b) + 1):
                d[i][j] = min(
                    d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])
                )
                if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
        return d[-1][-1]

    rng = random.Random(7)
    words = ["".join(rng.choice("abc-/") for _ in range(rng.randint(0, 8))) for _ in range(60)]
    for a, b in itertools.product(words, repeat=2):
        for limit in (1, 2):
            assert distance(a, b, limit) == min(full(a, b), limit + 1), (a, b, limit)


def test_distance_counts_a_swap_as_one_edit():
    assert distance("ngnix", "nginx", 2) == 1
    assert distance("redash", "redis", 2) == 2
    assert distance("abcdef", "uvwxyz", 2) == 3  # capped at limit + 1


def test_known_examples():
    index = NameIndex(dockerhub_popular())
    assert [index.nearest(q) for q in ("ngnix", "postgress", "rediss", "redash", "nginx")] == [
        "nginx",
        "postgres",
        "redis",
        None,
        None,
    ]


def test_the_bigram_filter_never_rules_out_a_near_string():
    """may_be_within is a necessary condition for distance <= limit: checked on random strings
    and on strings one or two random edits (swaps included) away from them."""
    import random

    from imagelint.images.similarity import bigrams, may_be_within

    rng = random.Random(11)

    def edited(word: str) -> str:
        chars = list(word)
        kind = rng.choice("sdit")
        i = rng.randrange(len(chars) + 1)
        if kind == "i" or not chars:
            chars.insert(i, rng.choice("ab-/"))
        elif kind == "t" and len(chars) > 1:
            i = min(i, len(chars) - 2)
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif kind == "d":
            del chars[min(i, len(chars) - 1)]
        else:
            chars[min(i, len(chars) - 1)] = rng.choice("ab-/")
        return "".join(chars)

    ruled_out = 0
    for _ in range(3000):
        a = "".join(rng.choice("ab-/") for _ in range(rng.randint(0, 12)))
        for b in (edited(a), edited(edited(a)), "".join(rng.sample(a, len(a)))):
            for limit in (1, 2):
                within = distance(a, b, limit) <= limit
                if not may_be_within(bigrams(a), bigrams(b), limit):
                    assert not within, (a, b, limit)
                    ruled_out += 1
    assert ruled_out > 100  # and it does rule pairs out
    assert not may_be_within(
        bigrams("10.0.12.7:5000/orders-gateway-2"), bigrams("10.0.12.7:5000/search-auth-365"), 2
    )


def test_the_candidates_hold_every_name_within_reach():
    """NameIndex.candidates looks up the rarest kinds of pairs of a name: every name within
    the allowed edits must still be among its candidates, for long names (the pair index), short
    ones (compared with every name of about their length) and names sharing few pairs."""
    import random

    from imagelint.images.similarity import bigrams

    rng = random.Random(5)
    alphabet = "abcde-/0"
    known = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(400)}
    index = NameIndex(known)
    queries = [
        "".join(rng.choice(alphabet + "xyz") for _ in range(rng.randint(1, 16))) for _ in range(300)
    ]
    for name in rng.sample(sorted(known), 200):  # near misses
        chars = list(name)
        for _ in range(rng.randint(1, 2)):
            position = rng.randrange(len(chars) + 1)
            if rng.random() < 0.5 or not chars:
                chars.insert(position, rng.choice(alphabet))
            else:
                del chars[min(position, len(chars) - 1)]
        queries.append("".join(chars))
    short = long = 0
    for query in queries:
        for limit in (1, 2):
            found = index.candidates(query, limit)
            assert len(found) == len(set(found))
            within = {name for name in known if distance(query, name, limit) <= limit}
            assert within <= set(found), (query, limit)
            if len(bigrams(query)) > 3 * limit:
                long += 1
            else:
                short += 1
    assert long > 100 and short > 100  # both ways of finding candidates were exercised


@pytest.mark.parametrize("names", [dockerhub_popular, registry_hosts])
def test_the_first_lookups_scan_for_the_same_candidates_as_the_index(names):
    """The first SCANS_BEFORE_INDEX lookups compare with every name of about the length asked
    instead of building the index: the same candidates (as a set) either way."""
    import random

    known = frozenset(names())
    scanning, indexed = NameIndex(known), NameIndex(known)
    indexed._build()
    rng = random.Random(11)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-./"
    queries = [
        name[: rng.randrange(len(name) + 1)]
        + rng.choice(alphabet)
        + name[rng.randrange(len(name)) :]
        for name in rng.sample(sorted(known), min(150, len(known)))
    ]
    for query in queries:
        for limit in (1, 2):
            scanning._scans = 0  # every lookup answered by the scan
            assert set(scanning.candidates(query, limit)) == set(indexed.candidates(query, limit))
    assert scanning._by_length is None
