"""An unrendered Helm (Go) template given as a manifest.

## What it finds
A file where `{{ ... }}` stands as YAML structure, outside any string or comment, as in a
chart's `templates/` directory. `{{` inside strings (alerting rules, Argo parameters) is data
and does not trigger it. The finding points at the first such `{{`.

## Why it breaks a pull
The file is not a manifest until Helm renders it: its image strings do not exist yet, so
nothing in it can be checked, and applying it as-is fails.

## Example
```yaml
spec:
  containers:
    - name: web
      image: {{ .Values.image.repository }}:{{ .Values.image.tag }}
```

## Fix
Check the rendered output instead: `helm template RELEASE CHART | imagelint check -`, and
exclude the chart's templates from direct checks (`--exclude 'templates'`).
"""

NAME = "helm-template-file"
CODE = "IL002"
SEVERITY = "error"
SCOPE = "input"
SUMMARY = "The file is an unrendered Helm template; check `helm template` output instead."
