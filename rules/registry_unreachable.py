"""The registry could not be asked (online).

## What it finds
With `--online`, an image imagelint could not check because its registry did not answer
usefully: the host name does not resolve, the connection is refused or times out, TLS fails
(an untrusted or wrong-host certificate), the registry keeps answering 5xx or garbage, or the
run's time limit (`--timeout`) ran out. The message names the cause. It is a warning, and never
reported as a missing tag: imagelint does not know whether the image exists.

Two answers a hostile or broken registry gives are reported here too: a manifest or image
config larger than 4 MiB once decompressed (registries refuse such manifests on push, so no
runtime pulls one), and a redirect to another host that then asks for credentials (the pull
secret was matched to the registry, not to that host, so imagelint sends it nothing).

Connections to link-local and cloud metadata addresses (169.254.0.0/16, fe80::/10,
fd00:ec2::254) are refused unless `allow-link-local: true`, so that a manifest in a pull request
cannot make CI probe them; such images are reported here.

## Why it breaks a pull
If the nodes cannot reach the registry either (a typo in the host, a registry behind a VPN, a
private CA the nodes do not trust), every pull fails with `ErrImagePull`. If only the machine
running imagelint cannot, the finding says the check did not happen.

## Example
```yaml
containers:
  - name: api
    image: registry.acme.internal:5000/shop/api:2.4.1   # DNS lookup fails
```

## Fix
Correct the host, or give imagelint what the nodes have: `--ca-file` (config `ca-files`) for a
private CA, `insecure-registries` for a plain-HTTP registry, a longer `--timeout`.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import ImageRecord, Settings, Violation
from imagelint.online.answers import UNREACHABLE, answered
from imagelint.running.runindex import RunIndex

NAME = "registry-unreachable"
CODE = "IL306"
SEVERITY = "warning"
SCOPE = "run"
SUMMARY = "The registry could not be asked: DNS, connection, TLS, time-out (online)."
ONLINE = True  # reports on the registries' answers: skipped by an offline run


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[ImageRecord, Violation]]:
    for record, answer in answered(run):
        if answer.outcome == UNREACHABLE:
            yield record, Violation(f"could not check {answer.reference}: {answer.detail}")
