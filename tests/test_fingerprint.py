"""Fingerprints must not change between versions (baselines keep them): the pattern that takes
positions out of messages equals the one fingerprints were first made with."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from imagelint.reporting import fingerprint

# The pattern of the first fingerprints, kept here as the oracle.
FIRST = re.compile(r"\bline \d+|:\d+(?::\d+)?\b|\bcolumn \d+")
WORDS = ["line ", "column ", ":", "1", "23", " ", "a", "_", "é", "٣", "\n", "l", "c", "ine", "."]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=14).map("".join))
def test_positions_are_taken_out_as_at_first(message):
    assert fingerprint._POSITIONS.sub("#", message) == FIRST.sub("#", message)


def test_positions_in_real_messages():
    messages = [
        'image "registry.acme.io/shop/web:1.4.2" pulls from line 12 of base.yaml:12:5',
        "pull secret regcred is not in namespace shop: it exists only in ops (a.yaml:3)",
        "see column 7, inline 3, decline 4, (line 9), xcolumn 2, :80/x, host:5000/app",
    ]
    for message in messages:
        assert fingerprint._POSITIONS.sub("#", message) == FIRST.sub("#", message)
