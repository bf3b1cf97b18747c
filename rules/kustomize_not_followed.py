"""A part of a kustomization that imagelint does not build.

## What it finds
A kustomization entry whose result imagelint cannot know offline or does not build: a remote
resource (a git or https URL, never fetched), `helmCharts` and the Helm chart inflation
generator, generator, transformer and validator plugins. One finding, at the entry, says it was
not followed; the rest of the tree is built and checked without it.

## Why it breaks a pull
It does not by itself: it says where imagelint's view of the build is incomplete. An image or
pull secret that such an entry adds or changes is not checked, and a name it would have
defined may be reported as missing.

## Example
```yaml
resources:
  - https://github.com/acme/platform//base?ref=v1.4.0
```

## Fix
Nothing, if the remote part is trusted; vendor it into the repository to have it checked, or
check the rendered output: `kubectl kustomize DIR | imagelint check --stdin-filename DIR/kustomization.yaml -`.
"""

NAME = "kustomize-not-followed"
CODE = "IL008"
SEVERITY = "info"
SCOPE = "input"
SUMMARY = "A kustomization entry imagelint does not build (remote resource, Helm chart, plugin)."
