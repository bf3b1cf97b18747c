"""The near-miss index answers the same with and without its deletion index."""

from __future__ import annotations

import pytest

from imagelint.catalog import dockerhub_popular
from imagelint.similarity import NameIndex, distance

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
]


@pytest.mark.parametrize("query", QUERIES)
def test_scan_and_index_agree(query):
    scanning = NameIndex(dockerhub_popular())
    indexed = NameIndex(dockerhub_popular())
    indexed.SCAN_BEFORE_INDEX = 0
    assert scanning.nearest(query) == indexed.nearest(query)
    assert scanning._variants is None


def test_the_index_is_built_after_many_lookups():
    index = NameIndex(dockerhub_popular())
    for n in range(NameIndex.SCAN_BEFORE_INDEX + 1):
        index.nearest(f"unknown-{n}")
    assert index._variants is not None


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
