"""What the run passes around: a file to check (:data:`Task`), what checking it gives
(:class:`FileResult`, sent back by worker processes with ``--jobs``), and the run's outcome for
the formatters (:class:`Report`).

Plain classes: the engine's containers are not model data, and dataclasses cost start-up.
"""

from __future__ import annotations

from imagelint.core.model import Finding, ImageRecord, SecretRecord, ServiceAccountRecord
from imagelint.reading.sources import SourceRef
from imagelint.reporting.suppressions import Suppression
from imagelint.trees.plan import TreeRef

# One file or tree to check: where, whether it holds partial objects (a patch), whether only its
# records are wanted (a context file).
Task = tuple[SourceRef | TreeRef, bool, bool]

# The internal error for a file whose worker process died (killed, out of memory) before its
# result came back.
WORKER_STOPPED = "{}: a worker process stopped before checking it"


class FileResult:
    """What checking one file gives: its own findings and the records for the run rules."""

    __slots__ = (
        "path",
        "findings",
        "images",
        "service_accounts",
        "secrets",
        "objects",
        "suppressions",
        "notes",
        "files",
        "report_only",
        "vias",
        "read",
    )

    def __init__(self, path: str, findings: list[Finding] | None = None) -> None:
        self.path = path
        self.findings: list[Finding] = findings or []
        self.images: list[ImageRecord] = []
        self.service_accounts: list[ServiceAccountRecord] = []
        self.secrets: list[SecretRecord] = []
        self.objects = 0
        self.suppressions: list[Suppression] = []
        self.notes: list[str] = []  # said once about the run (a chart's templates, say)
        self.files = 1  # files read (a tree reads several)
        # For trees checked for files named on the command line: the tree (a finding's via)
        # -> the only files whose findings are reported, run rules' findings included.
        self.report_only: dict[str, frozenset[str]] = {}
        self.vias: list[str] = []  # the trees checked (a tree's builds)
        # Real paths of the files a tree's builds read (a plain file reads only itself): what
        # a later check of the run must check it again for (running.reuse).
        self.read: frozenset[str] = frozenset()


class Report:
    """The outcome of a run, for the formatters."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.files = 0
        self.objects = 0
        self.images = 0
        self.internal_errors: list[str] = []
        self.notes: list[str] = []  # said once about the run, not findings
        self.suppressions: list[Suppression] = []  # applied by the filters, after the rules
        self.hidden_by_baseline = 0

    @property
    def files_with_findings(self) -> int:
        return len({finding.path for finding in self.findings})
