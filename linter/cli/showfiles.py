"""``imagelint check --show-files``: the files a run would read, and what walking the folders
left out and why (hidden, ``exclude``, git's ignore files), without checking anything.

Files found in a folder without a manifest suffix are not listed: they are never read.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from imagelint.reading.sources import SourceRef


class Skips:
    """The paths a walk left out, with why, in the order they were met (``sources.Skipped``)."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str]] = []

    def __call__(self, path: str, reason: str) -> None:
        self.entries.append((path, reason))


def show(refs: Sequence[SourceRef], context: Sequence[SourceRef], skips: Skips) -> None:
    """One line per file read (``path``, or ``path  (context)`` for one read only for facts),
    then one per path skipped (``path  (skipped: why)``), on standard output."""
    reported = {ref.display for ref in refs}
    for ref in refs:
        click.echo(ref.display)
    for ref in context:
        if ref.display not in reported:
            click.echo(f"{ref.display}  (context: read for Secrets and ServiceAccounts)")
    for path, reason in sorted(set(skips.entries)):
        click.echo(f"{path}  (skipped: {reason})")
