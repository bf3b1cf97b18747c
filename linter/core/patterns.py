"""Regular expressions compiled on their first use.

Compiling a pattern runs re's compiler, written in Python: a tenth of a millisecond for a small
one. A one-file run needs few of the patterns imagelint has (most serve a rarer input: a
rendered chart, a broken document, a Secret, a near-miss image), so modules keep their
patterns' sources and ask for the compiled pattern where they use it.
"""

from __future__ import annotations

import functools
import re


@functools.cache
def pattern(source: str, flags: int = 0) -> re.Pattern[str]:
    """``source`` compiled with ``flags``, once a process."""
    return re.compile(source, flags)
