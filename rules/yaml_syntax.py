"""A YAML syntax error in a manifest file.

## What it finds
A document that is not valid YAML: bad indentation, an unclosed bracket or quote, a tab where
indentation is expected, a character YAML forbids (control characters), an alias to an anchor
that does not exist. The finding points at the line and column where the parser stopped.

## Why it breaks a pull
`kubectl apply` refuses the document, so the workload never reaches the cluster; in CD systems
the whole sync fails and the previous (perhaps broken) image stays in place. Other documents in
the same file are still checked.

## Example
```yaml
spec:
  containers:
    - name: web
      image: nginx:1.25
     ports: []          # one space short: the mapping ends here
```

## Fix
Correct the YAML at the position given. If the file is a Helm template, render it first (see
`helm-template-file`).
"""

NAME = "yaml-syntax"
CODE = "IL001"
SEVERITY = "error"
SCOPE = "input"
SUMMARY = "The file is not valid YAML at this position."
