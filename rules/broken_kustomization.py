"""A kustomization that kustomize cannot build.

## What it finds
In a kustomize tree: a `resources`, `bases`, `components` or patch entry that names a file or
folder that does not exist; a folder resource without a kustomization; a chain of
kustomizations that comes back to itself; a kustomization or resource that is not valid YAML
or not a mapping; a path that leaves the kustomization's folder where kustomize's default load
restrictions refuse it; a symlink out of the tree; a generator input too large to read. The
finding points at the entry that asks for it; the rest of the tree, and of the run, is still
checked.

## Why it breaks a pull
`kustomize build` (and `kubectl apply -k`, Argo CD, Flux) stops at the first such error: none
of the root's workloads reach the cluster, and the images the tree meant to deploy are never
pulled; the old ones keep running, or nothing does.

## Example
```yaml
# overlays/prod/kustomization.yaml
resources:
  - ../../bse   # the folder is ../../base
```

## Fix
Correct the path, add the missing kustomization, or break the cycle; run `kubectl kustomize
overlays/prod` to see the build.
"""

NAME = "broken-kustomization"
CODE = "IL007"
SEVERITY = "error"
SCOPE = "input"
SUMMARY = "A kustomize tree cannot be built: a missing file, a cycle, a path kustomize refuses."
