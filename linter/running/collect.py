"""How a run keeps Python's cyclic garbage collector out of its way.

Composing allocates about a hundred thousand node objects a file, and the records of the files
checked so far live to the end of the run: the collector would keep examining both and find
nothing to free. The run collects young objects rarely (:func:`collecting_rarely`) and puts what
it holds out of the collector's sight as it goes (:func:`settle`, :func:`settling`).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import TypeVar

from imagelint.reading.composer import anchored_texts

# Allocations before the cyclic garbage collector looks at young objects (see below): far
# above Python's 700, which makes it walk the run's many records again and again; the range
# measured alike is in bench/README.md.
COLLECT_AFTER = 100_000
SETTLE_EVERY = 256  # files
# New objects (since the last young collection) below which settle() freezes without collecting
# first: too few to hold cycles worth freeing now (a run of a few small files); any such cycle
# is freed after the run, when the engine unfreezes.
SETTLE_COLLECT_FROM = 10_000

_Result = TypeVar("_Result")


@contextlib.contextmanager
def collecting_rarely() -> Iterator[None]:
    """Run with Python's cyclic garbage collector looking at young objects rarely.

    With the default threshold (700 allocations) the collector keeps examining the nodes of the
    document being composed, and finds nothing: node trees have no cycles, and reference
    counting frees them once a file is checked. A high first threshold lets most nodes die
    before any collection sees them; the older generations keep Python's own schedule, which
    keeps full collections amortized linear in what the run holds (collecting everything every
    N files instead made a run quadratic in its number of files). Only recursive YAML aliases
    make cycles, and the young collections still gather them.
    """
    saved = gc.get_threshold()
    gc.set_threshold(max(saved[0], COLLECT_AFTER), *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def settle() -> None:
    """Put what the run holds so far out of the collector's sight until the run ends.

    The records of the files checked so far live to the end of the run; the collector's
    collections kept traversing all of them, more often and for longer the larger the run
    (most of it in the run rules). Where a text with an anchor was composed since the last
    call, the young objects are collected first, so that a cycle of nodes (a recursive alias)
    is freed rather than kept (unless there are too few young objects to matter:
    SETTLE_COLLECT_FROM). Without one, the run makes no cyclic garbage worth a collection,
    which would only walk the records just merged. The engine unfreezes everything when the run
    ends."""
    anchored = anchored_texts()
    if anchored != _settled[0] and gc.get_count()[0] >= SETTLE_COLLECT_FROM:
        gc.collect(1)
    _settled[0] = anchored
    gc.freeze()


_settled = [0]  # anchored_texts() at the last settle()


def settling(results: Iterator[_Result]) -> Iterator[_Result]:
    """The results, settling what the run holds after every SETTLE_EVERY of them is merged."""
    for count, result in enumerate(results, 1):
        yield result
        if count % SETTLE_EVERY == 0:
            settle()
