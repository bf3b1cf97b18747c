"""When the ``--context`` files are worth reading: the checked files ask a question that only
other files can answer."""

from __future__ import annotations

from imagelint.images import catalog
from imagelint.images.reference import Reference, parse
from imagelint.running.runindex import RunIndex


def needs_context(run: RunIndex) -> bool:
    """Whether the checked files raise a question only other files can answer, so that a
    partial view (a pre-commit run on changed files) would give false findings: a pull secret
    named (where is it? is it of the right type?), a pull secret defined (who uses it?), or a pod
    without pull secrets pulling from a registry that is not well-known public (is there a
    ServiceAccount, do other workloads use credentials there?)."""
    if run.secrets or any(account.pull_secrets for account in run.service_accounts):
        return True
    for record in run.images:
        pod = record.pod
        if pod is None or record.image is None:
            continue
        if pod.pull_secrets:
            return True
        ref = parse(record.image)
        if isinstance(ref, Reference) and ref.domain and not catalog.is_known_host(ref.domain):
            return True
    return False
