"""A Helm chart whose values imagelint cannot read.

## What it finds
A chart folder whose `Chart.yaml` or values file is not valid YAML or not a mapping, so its
values (and the images they set) cannot be read. YAML syntax errors themselves are reported
under `yaml-syntax` at their position; this rule says what it means for the chart.

## Why it breaks a pull
`helm install` and `helm template` refuse such a chart: nothing of it is deployed, and the
images its values set are never pulled.

## Example
```yaml
# values.yaml
- image: nginx   # values must be a mapping
```

## Fix
Make `Chart.yaml` and every values file a YAML mapping; `helm lint CHART` checks the rest.
"""

NAME = "broken-chart"
CODE = "IL010"
SEVERITY = "error"
SCOPE = "input"
SUMMARY = "A chart's Chart.yaml or values file cannot be read as a mapping."
