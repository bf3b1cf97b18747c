"""Lines of a text as YAML counts them.

YAML breaks lines at LF, CR and CRLF (and libyaml, like YAML 1.1, also at NEL, LS and PS), but
not at the vertical tab, form feed or the separators U+001C-U+001E that ``str.splitlines()``
also breaks at. Positions reported by the parser are counted this way, so everything that
numbers lines itself must count them the same way.
"""

from __future__ import annotations

import re

# LS and PS are alternatives of their own, not in the class: a class holding a character above
# U+00FF makes re's compiler build a 64K-entry table, a few hundred microseconds every start.
BREAK = re.compile("\r\n|[\r\n\x85]|\u2028|\u2029")
BREAK_CHARS = "\r\n\x85\u2028\u2029"


def yaml_lines(text: str) -> list[str]:
    """The lines of ``text`` without their breaks, like ``str.splitlines()`` (no empty last
    line after a final break) but breaking only where YAML does."""
    lines = BREAK.split(text)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines if text else []
