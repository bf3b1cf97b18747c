"""The image is larger than `max-image-size`, compressed (online).

## What it finds
With `--online`, an image whose compressed size (its config and layers, for each platform the
pod runs on) is above the `max-image-size` option, 1 GiB unless configured. Sizes accept
`500MB`, `1GiB`, `750Mi` or a number of bytes.

## Why it breaks a pull
Large pulls are slow: every new node and every scale-up waits for them, and the runtime cancels
a pull that makes no progress for a while (containerd's `image_pull_progress_timeout`, 5 minutes
by default), which ends in `ErrImagePull` on slow or busy links. Registries' rate limits and
node disk pressure (`ImageGCFailed`, evictions) hit large images first.

## Example
```yaml
containers:
  - name: train
    image: registry.acme.io/ml/trainer:3.1   # 6.2 GiB: the CUDA toolkit and a dataset
```

## Fix
Slim the image (multi-stage builds, a smaller base, no build tools or data in it), load large
data at run time from a volume, or raise `max-image-size` for images that must be large.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.core.model import ImageRecord, Settings, Violation
from imagelint.online.answers import FOUND, answered, format_size, parse_size
from imagelint.running.runindex import RunIndex

NAME = "image-too-large"
CODE = "IL305"
SEVERITY = "warning"
SCOPE = "run"
SUMMARY = "The image's compressed size is above max-image-size (online)."
ONLINE = True  # reports on the registries' answers: skipped by an offline run


def check(run: RunIndex, settings: Settings) -> Iterator[tuple[ImageRecord, Violation]]:
    limit_text = settings.option("max-image-size")
    limit = parse_size(limit_text)
    for record, answer in answered(run):
        content = answer.content
        if answer.outcome != FOUND or content is None:
            continue
        over = [(platform, size) for platform, size in content.sizes if size > limit]
        if not over:
            continue
        platform, size = max(over, key=lambda item: item[1])
        yield (
            record,
            Violation(
                f"{answer.reference} is {format_size(size)} compressed ({platform}), above "
                f"max-image-size ({limit_text}); large pulls are slow and can run into the "
                "runtime's pull timeout"
            ),
        )
