"""What the run-scope (cross-object) rules see: small records gathered from every file.

Records hold no YAML, so per-file work can happen anywhere (a worker process) and the records be
merged before the run rules look at all of them together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from imagelint.model import ImageRecord
from imagelint.reference import Reference, parse


@dataclass
class RunIndex:
    images: list[ImageRecord] = field(default_factory=list)

    def add_images(self, records: Iterable[ImageRecord]) -> None:
        self.images.extend(records)

    def references(self) -> Iterable[tuple[ImageRecord, Reference]]:
        """Image records with a valid reference, for rules that compare references."""
        for record in self.images:
            if record.image is None or record.resolved_at_runtime:
                continue
            ref = parse(record.image)
            if isinstance(ref, Reference) and ref.domain:
                yield record, ref
