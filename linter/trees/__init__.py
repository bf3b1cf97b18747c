"""Trees: inputs whose objects are built from several files (kustomize builds, Helm chart
values), each value remembering the line that set it."""
