"""``--output-format full``: each finding as ``text`` writes it, then the line it is on with a
caret under its column, as ruff's full output shows code::

    fixtures/helm-rendered.yaml:25:44: IL106 image "registry.acme.io/shop/api:": ... [unrendered-template]
       |
    25 |         image: "registry.acme.io/shop/api:"
       |                                            ^
       |

The line is read again from the file (standard input from what the run read); a finding whose
file cannot be read again, or whose line is past its end, is shown without it. Only findings on
an image show their line: any other line may hold a credential (a Secret's data).
"""

from __future__ import annotations

from imagelint.core.model import Finding
from imagelint.reading import sources
from imagelint.reporting.formatters import text
from imagelint.running.results import Report

# A line longer than this is shown around its column, not whole (minified JSON, say).
_WIDE = 160


class _Lines:
    """The lines of the files findings are in, each file read once."""

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}

    def line(self, path: str, number: int) -> str | None:
        if path not in self._files:
            self._files[path] = _read(path)
        lines = self._files[path]
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]


def _read(path: str) -> list[str] | None:
    data = sources.STDIN_READ.get(path)
    if data is None:
        try:
            with open(path, "rb") as handle:
                data = handle.read(sources.MAX_FILE_BYTES + 1)
        except OSError:
            return None
    decoded = sources.decode(data)
    if not isinstance(decoded, str):
        return None
    return [line.rstrip("\r") for line in decoded.split("\n")]


def _snippet(source: str, number: int, column: int, color: bool) -> list[str]:
    start = 0
    if len(source) > _WIDE:  # a window around the column
        start = max(0, min(column - 1 - _WIDE // 2, len(source) - _WIDE))
        source = source[start : start + _WIDE]
    shown = source.replace("\t", "    ")
    before = source[: max(0, min(column - 1 - start, len(source)))]
    offset = len(before.replace("\t", "    "))
    width = len(str(number))
    gutter = " " * width + " |"
    caret = "^" if not color else "\x1b[1;31m^\x1b[0m"
    return [
        gutter,
        f"{number:>{width}} | {shown}".rstrip(),
        f"{gutter} {' ' * offset}{caret}",
        gutter,
    ]


def render(report: Report, color: bool = False, summary: bool = True) -> str:
    lines = _Lines()
    out: list[str] = []
    for finding in report.findings:
        out.append(text.line(finding, color))
        out.extend(_context(finding, lines, color))
        out.append("")
    if summary:
        out.append(text.summary(report))
    return "\n".join(out) + "\n" if out else ""


def _context(finding: Finding, lines: _Lines, color: bool) -> list[str]:
    # Only the line of an image is shown: a finding about a Secret, a pull secret name or a
    # broken file may sit on a line that holds a credential (a .dockerconfigjson value, an
    # auth in a YAML error), and credential text never reaches any output.
    if finding.image is None:
        return []
    source = lines.line(finding.path, finding.line)
    if source is None:
        return []
    return _snippet(source, finding.line, finding.column, color)
