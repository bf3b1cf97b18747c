"""A Docker Hub image pulled without credentials (off by default).

## What it finds
An image from Docker Hub (written with or without `docker.io`) whose pod has no pull secret
with an entry that the kubelet matches to Docker Hub (`docker.io`, `index.docker.io`,
`https://index.docker.io/v1/`). Pods whose pull secrets cannot be read offline are left alone.
Enable it with `--select anonymous-docker-hub` (or `extend-select` in the configuration).

## Why it breaks a pull
Anonymous Docker Hub pulls are rate-limited per source IP address; behind a shared NAT or on a
busy cluster, nodes hit the limit and pulls fail with `toomanyrequests` until the window passes.

## Example
```yaml
containers:
  - name: cache
    image: redis:7.4.1   # no pull secret for Docker Hub
```

## Fix
Add a pull secret with Docker Hub credentials (an account with a higher limit), or pull through
a mirror or a registry of your own.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import ImageRecord, Settings, Violation
from imagelint.pullsecrets.matching import covering, is_docker_hub
from imagelint.pullsecrets.view import view
from imagelint.reporting.messages import shown
from imagelint.running.runindex import RunIndex

NAME = "anonymous-docker-hub"
CODE = "IL114"
SEVERITY = "info"
SCOPE = "run"
SUMMARY = "A Docker Hub image is pulled anonymously, which is rate-limited per IP."
DEFAULT_ENABLED = False


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[ImageRecord, Violation]]:
    secrets = view(run, settings)
    for record, ref, pod in run.pulls():
        assert record.image is not None  # pulls() yields parsed images only
        if not is_docker_hub(ref.name):
            continue
        resolution = secrets.resolve(pod)
        if resolution.refs and not resolution.known:
            continue
        if covering(tuple(entry for _, entry in resolution.entries), ref.name):
            continue
        yield (
            record,
            Violation(
                f"{shown(record.image)} is pulled from Docker Hub without credentials: anonymous "
                "pulls are rate-limited per IP address, so busy or NATed nodes fail with "
                "toomanyrequests"
            ),
        )
