"""Stable identities of findings, for baselines and for CI systems that track findings.

A fingerprint survives lines moving (blank lines, reordered documents): it is made of the rule,
the file, the object (kind, namespace, name), the field inside it, the container, the image and
the message with its line and column references taken out. It is a hash, and the parts it is
made of never hold credentials (messages never do).

A finding keeps its fingerprint once worked out (``Finding.fingerprint``): the engine works the
fingerprints out as the files' results come in when the report will show them, which with
``--jobs`` is while the workers still check files rather than after.
"""

from __future__ import annotations

import hashlib
import re

from imagelint.core.frozen import set_field
from imagelint.core.model import Finding

# "line 12", ":12" or ":12:5", "column 5": what the message says of positions. Written so that
# every alternative starts with a character (re then skips the places no alternative can start
# at: four times faster than "\bline \d+|:\d+(?::\d+)?\b|\bcolumn \d+", which it equals, tests
# say; a fingerprint must not change between versions, baselines keep them).
_POSITIONS = re.compile(r":\d+(?::\d+)?\b|l(?<!\wl)ine \d+|c(?<!\wc)olumn \d+")


def fingerprint(finding: Finding) -> str:
    known = finding.fingerprint
    if known is None:
        known = _work_out(finding)
        # A memo of what the finding's fields determine, not a change of the finding.
        set_field(finding, "fingerprint", known)
    return known


def _work_out(finding: Finding) -> str:
    obj = finding.object
    parts = [
        finding.rule,
        finding.path,
        f"{obj.kind}/{obj.namespace or ''}/{obj.name or ''}" if obj else "",
        finding.field or "",
        finding.container or "",
        finding.image or "",
        _POSITIONS.sub("#", finding.message),
    ]
    if obj is None and finding.field is None:
        # A file-level finding (syntax, encoding) has nothing but its place to tell it apart.
        parts.append(str(finding.line))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]
