"""A document that holds Kubernetes objects in a shape kubectl cannot apply.

## What it finds
A YAML document whose top level is a list of objects (each with `apiVersion` and `kind`).
Documents that are not Kubernetes objects at all (Helm values, CI files, scalars, empty
documents) are ignored, not reported.

## Why it breaks a pull
`kubectl apply` expects each document to be one object; a bare list is refused and none of its
workloads (or their images) reach the cluster. imagelint still checks the listed objects.

## Example
```yaml
- apiVersion: v1
  kind: Pod
  metadata: {name: a}
  spec: {containers: [{name: a, image: nginx:1.25}]}
```

## Fix
Separate the objects with `---`, or wrap them: `apiVersion: v1`, `kind: List`, `items: [...]`.
"""

NAME = "invalid-document"
CODE = "IL006"
SEVERITY = "warning"
SCOPE = "input"
SUMMARY = "A document is a bare list of objects, which kubectl cannot apply."
