from __future__ import annotations

import pytest

from imagelint.online.answers import FOUND, Content, Platform, format_size, parse_size
from tests.unit_rules.helpers import image_pod
from tests.unit_rules.online_helpers import answer, online_findings

RULE = "image-too-large"
IMAGE = "registry.acme.io/ml/trainer:3.1"
AMD64 = Platform("linux", "amd64")


def test_full_message():
    said = answer(FOUND, IMAGE, content=Content((AMD64,), False, ((AMD64, 6_657_199_308),)))
    [finding] = online_findings(image_pod(IMAGE), RULE, {IMAGE: said})
    assert finding.message == (
        "registry.acme.io/ml/trainer:3.1 is 6.2 GiB compressed (linux/amd64), above "
        "max-image-size (1GiB); large pulls are slow and can run into the runtime's pull timeout"
    )
    assert finding.severity.label == "warning"


def test_the_limit_is_an_option():
    said = answer(FOUND, IMAGE, content=Content((AMD64,), False, ((AMD64, 300 << 20),)))
    assert online_findings(image_pod(IMAGE), RULE, {IMAGE: said}) == []
    [finding] = online_findings(
        image_pod(IMAGE), RULE, {IMAGE: said}, **{"max-image-size": "250Mi"}
    )
    assert "300 MiB compressed" in finding.message and "(250Mi)" in finding.message


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1GiB", 1 << 30),
        ("500MB", 500_000_000),
        ("750Mi", 750 << 20),
        (1024, 1024),
        ("2.5G", 2_500_000_000),
    ],
)
def test_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["huge", "0", "-1GiB", "1 parsec", True])
def test_bad_sizes(text):
    with pytest.raises(ValueError, match="not a size"):
        parse_size(text)


def test_format_size():
    assert [format_size(n) for n in (512, 2048, 3 << 20, (3 << 30) + (1 << 29))] == [
        "512 bytes",
        "2 KiB",
        "3 MiB",
        "3.5 GiB",
    ]
