"""The registry limited the rate of requests (online).

## What it finds
With `--online`, an image imagelint could not check because its registry answered
`429 Too Many Requests` (`TOOMANYREQUESTS`), still after waiting as long as `Retry-After` asked
(within the run's time limit). The message carries the registry's limit headers when it sends
them (Docker Hub: `ratelimit-limit`, `ratelimit-remaining`, with their window).

imagelint asks with `HEAD`, which Docker Hub does not count as a pull, reads manifests only for
the platform and size checks, once per digest, and keeps answers in its cache.

## Why it breaks a pull
Nodes share the same limits: Docker Hub counts anonymous pulls per source IP, so a cluster
behind one NAT address that pulls many images at once (a scale-up, a new node pool) gets
`429` and `ErrImagePull` the same way.

## Example
```yaml
containers:
  - name: api
    image: nginx:1.27   # anonymous Docker Hub pulls from a shared CI address
```

## Fix
Authenticate pulls (a Docker Hub account lifts the anonymous limit: add a pull secret), use a
pull-through cache or mirror, or copy the image to your own registry. For imagelint itself,
`docker login` gives it the higher limit.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import ImageRecord, Settings, Violation
from imagelint.online.answers import RATE_LIMITED, answered
from imagelint.running.runindex import RunIndex

NAME = "registry-rate-limited"
CODE = "IL307"
SEVERITY = "warning"
SCOPE = "run"
SUMMARY = "The registry answered 429 Too Many Requests (online)."
ONLINE = True  # reports on the registries' answers: skipped by an offline run


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[ImageRecord, Violation]]:
    for record, answer in answered(run):
        if answer.outcome == RATE_LIMITED:
            yield record, Violation(f"could not check {answer.reference}: {answer.detail}")
