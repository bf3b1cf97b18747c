"""What Helm leaves in a file: the ``# Source:`` comments of rendered output, which name the
template each document came from, and the ``{{`` of a template nobody rendered."""

from __future__ import annotations

import re
from collections.abc import Callable

from ruamel.yaml.cyaml import CSafeLoader
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import ScalarEvent
from ruamel.yaml.nodes import Node

from imagelint.core.patterns import pattern
from imagelint.reading.composer import close, problem_position
from imagelint.reading.sources import Problem
from imagelint.reading.textlines import yaml_lines
from imagelint.rules import helm_template_file

_HELM_SOURCE = r"^# Source: (.+?)[ \t]*\r?$"
# A plain scalar cannot start with '{', so '{{' can be YAML structure only where a value starts:
# at a line start or after '-', ':', '[', '{' or ','. Elsewhere it is inside a string.
_TEMPLATE_CANDIDATE = r"(?:^|[-:\[{,])[ \t]*\{\{"


class SourceComments:
    """Helm's ``# Source: chart/templates/x.yaml`` comments, matched to the documents that
    follow them, in one pass as the documents come."""

    def __init__(self, text: str) -> None:
        self.comments: list[tuple[int, str]] = []
        if "# Source: " in text:
            line, position = 0, 0
            for match in pattern(_HELM_SOURCE, re.MULTILINE).finditer(text):
                line += text.count("\n", position, match.start())
                position = match.start()
                self.comments.append((line, match.group(1)))
        self.cursor = 0
        self.previous_end = -1

    def before(self, node: Node) -> str | None:
        """The comment between the previous document and this one, if any."""
        source = None
        start = node.start_mark.line
        while self.cursor < len(self.comments) and self.comments[self.cursor][0] <= start:
            if self.comments[self.cursor][0] >= self.previous_end:
                source = self.comments[self.cursor][1]
            self.cursor += 1
        self.previous_end = node.end_mark.line
        return source


def template_problem(text: str) -> Problem | None:
    """The finding for a text that is an unrendered template (Helm's or another Go
    template's) rather than a manifest, if it is one."""
    if "{{" not in text or not pattern(_TEMPLATE_CANDIDATE, re.MULTILINE).search(text):
        return None
    marker = find_template_marker(text)
    if marker is None:
        return None
    line, column = marker
    return Problem(
        helm_template_file.NAME,
        line + 1,
        column + 1,
        "'{{' outside a string: this file is an unrendered template (Helm or "
        "another Go template), not a manifest; check the rendered output instead, "
        "e.g. helm template RELEASE CHART | imagelint check -",
    )


def find_template_marker(text: str) -> tuple[int, int] | None:
    """Where a Go-template ``{{`` stands outside any string or comment, if it does.

    ``{{ x }}`` written as YAML structure is what an unrendered Helm template looks like; the
    same characters inside a quoted, plain or block scalar are data (alerting templates, Argo
    parameters). Scalar spans come from the parser's events, up to the first syntax error
    (after which events are unavailable, so a '{{' past it cannot be judged).
    """
    starts: list[tuple[int, int]] = []
    ends: list[tuple[int, int]] = []
    limit: tuple[int, int] | None = None
    loader = CSafeLoader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, ScalarEvent):
                starts.append((event.start_mark.line, event.start_mark.column))
                ends.append((event.end_mark.line, event.end_mark.column))
    except YAMLError as error:
        limit = problem_position(error, text)
    finally:
        close(loader)

    import bisect  # here, not at the top: keeps bisect off the one-file start-up path

    def in_scalar(position: tuple[int, int]) -> bool:
        index = bisect.bisect_right(starts, position) - 1
        return index >= 0 and position < ends[index]

    for line_number, line in enumerate(yaml_lines(text)):
        column = line.find("{{")
        while column != -1:
            position = (line_number, column)
            if limit is not None and position > limit:
                return None
            if not in_scalar(position) and not _in_comment(line, line_number, column, in_scalar):
                return position
            column = line.find("{{", column + 2)
    return None


def _in_comment(
    line: str, line_number: int, column: int, in_scalar: Callable[[tuple[int, int]], bool]
) -> bool:
    """Whether a '#' that starts a YAML comment precedes ``column`` on its line."""
    hash_at = line.find("#")
    while -1 < hash_at < column:
        if (hash_at == 0 or line[hash_at - 1] in " \t") and not in_scalar((line_number, hash_at)):
            return True
        hash_at = line.find("#", hash_at + 1)
    return False
