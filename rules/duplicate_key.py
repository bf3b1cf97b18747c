"""A key repeated in a mapping that imagelint reads.

## What it finds
A key that appears twice in the same mapping in the parts of an object that decide what is
pulled: the object itself, `metadata`, the path to the pod spec, the pod spec, containers and
image volumes. The finding points at the last occurrence, which is the one that counts.

## Why it breaks a pull
YAML forbids duplicate keys, but Kubernetes' decoder keeps the last value and the API server
accepts the object, so the image that is pulled may not be the one a reader sees first
(`image:` written twice, the second one stale). Strict clients (`kubectl --validate=strict`,
kustomize) reject the document instead.

## Example
```yaml
containers:
  - name: api
    image: registry.acme.io/api:2.4.1
    image: registry.acme.io/api:2.3.0   # this one is pulled
```

## Fix
Delete the occurrence you do not mean.
"""

NAME = "duplicate-key"
CODE = "IL005"
SEVERITY = "info"
SCOPE = "input"
SUMMARY = "A key is repeated; Kubernetes uses the last value."
