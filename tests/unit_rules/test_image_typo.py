from __future__ import annotations

import random

import pytest

from imagelint.images.equivalence import word_replaced
from imagelint.images.similarity import allowed_edits, distance
from imagelint.rules import image_typo
from tests.unit_rules.helpers import findings, pod

RULE = "image-typo"


def test_a_rare_name_beside_a_frequent_near_miss():
    text = "\n---\n".join(
        [pod("image: ghcr.io/acme/billing-api:1.0") for _ in range(3)]
        + [pod("image: ghcr.io/acme/biling-api:1.0")]
    )
    [finding] = findings(text, RULE)
    assert '"acme/biling-api" looks like a typo of "acme/billing-api"' in finding.message
    assert "used 3 times in this run" in finding.message


def test_a_name_with_one_whole_word_replaced_is_a_variant_not_a_typo():
    # bench/corpus-extra/litmuschaos__chaos-charts: py-runner (the Python experiments' runner,
    # a Docker Hub repository of its own) beside 104 uses of go-runner.
    text = "\n---\n".join(
        [pod("image: litmuschaos.docker.scarf.sh/litmuschaos/go-runner:latest") for _ in range(4)]
        + [pod("image: litmuschaos.docker.scarf.sh/litmuschaos/py-runner:latest")]
    )
    assert findings(text, RULE) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [("litmuschaos/py-runner", "litmuschaos/go-runner"), ("app-a", "app-b"), ("x/blue", "x/red")],
)
def test_word_replaced(a, b):
    assert word_replaced(a, b) and word_replaced(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("acme/biling-api", "acme/billing-api"),  # a letter dropped: the word is kept
        ("ngnix", "nginx"),  # a swap
        ("acme/api-v1", "acme/api_v1"),  # a separator, not a word
        ("acme/py-runner-x", "acme/go-runner-y"),  # two words
        ("acme/runner", "acme/py-runner"),  # a word added, not replaced
    ],
)
def test_not_word_replaced(a, b):
    assert not word_replaced(a, b)


def dominant_by_comparing_all(counts: dict[str, int], value: str) -> str | None:
    """What _Frequencies.dominant answers, comparing ``value`` with every value of the run."""
    limit = allowed_edits(value.rsplit("/", 1)[-1])
    if limit == 0:
        return None

    def group(text: str) -> str:
        return text.split("/", 1)[0] if "/" in text else ""

    near = [
        other
        for other, count in counts.items()
        if other != value
        and group(other) == group(value)
        and count >= image_typo._DOMINANCE
        and count >= image_typo._DOMINANCE * counts[value]
        and distance(value, other, limit) <= limit
        and not image_typo._siblings(value, other)
    ]
    return near[0] if len(near) == 1 else None


def test_the_frequent_values_grouped_by_host_and_length_find_what_comparing_all_finds():
    rng = random.Random(3)
    hosts = ["ghcr.io", "quay.io", "docker.io", "registry.acme.io:5000"]
    words = ["billing-api", "orders", "catalog-web", "search", "users-v2", "users-v3", "mailer"]
    values = []
    for _ in range(600):
        word = rng.choice(words)
        chars = list(word)
        if rng.random() < 0.4:  # a slip of the keyboard
            position = rng.randrange(len(chars))
            chars[position] = rng.choice("abcdelmnrs")
        name = f"{rng.choice(hosts)}/acme/{''.join(chars)}"
        values += [name] * rng.choice([1, 1, 1, 2, 3, 5, 9])
    values += rng.sample(hosts, len(hosts)) * 4 + ["ghrc.io", "quay.oi", "qauy.io"]
    assert _dominant_as_comparing_all(values) > 10


def test_the_quick_rejections_keep_every_near_miss_of_any_kind_of_edit():
    """dominant() rules values out by their kinds of characters and of pairs after the host
    before distance() is asked: near misses made by each kind of edit (insert, delete,
    substitute, swap; one or two) are found as comparing with every value finds them."""
    rng = random.Random(11)
    hosts = ["ghcr.io", "registry.acme.io:5000", "quay.io"]
    words = ["billing-api", "orders-web", "catalog", "search-v2", "notify-users-17"]

    def slip(text: str) -> str:
        chars = list(text)
        at = rng.randrange(len(chars) - 1)
        kind = rng.choice(["insert", "delete", "substitute", "swap"])
        if kind == "insert":
            chars.insert(at, rng.choice("aeirs-0"))
        elif kind == "delete":
            del chars[at]
        elif kind == "substitute":
            chars[at] = rng.choice("aeirs-0")
        else:
            chars[at], chars[at + 1] = chars[at + 1], chars[at]
        return "".join(chars)

    values = []
    for _ in range(800):
        word = rng.choice(words)
        for _ in range(rng.choice([0, 1, 1, 2])):
            word = slip(word)
        values += [f"{rng.choice(hosts)}/team/{word}"] * rng.choice([1, 1, 2, 4, 7])
    values += ["ghcr.io"] * 5 + ["ghrc.io", "gchr.io", "ghcr.oi", "gcr.io"]
    assert _dominant_as_comparing_all(values) > 10


def _dominant_as_comparing_all(values: list[str]) -> int:
    """Assert that dominant() answers for each value as comparing with every value does; how
    many values have a dominant near miss."""
    frequencies = image_typo._Frequencies(values)
    answers = 0
    for value in sorted(set(values)):
        expected = dominant_by_comparing_all(frequencies.counts, value)
        assert frequencies.dominant(value) == expected, value
        answers += expected is not None
    return answers
