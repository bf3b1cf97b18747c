"""An `imagePullPolicy` that Kubernetes does not accept.

## What it finds
A container whose `imagePullPolicy` is not exactly one of `Always`, `IfNotPresent` or `Never`:
a wrong case (`always`, `ifnotpresent`), a typo (`IfNotPresnt`), or a value of the wrong type.
The allowed values come from the container-fields JSON Schema shipped with imagelint.

## Why it breaks a pull
The API server rejects the object (`Unsupported value: "always"`), so the workload and its
images never reach the cluster.

## Example
```yaml
containers:
  - name: web
    image: nginx:1.27
    imagePullPolicy: always
```

## Fix
Use one of the three values, capitalised as shown, or leave the field out for the default
(`Always` for `:latest` or untagged images, `IfNotPresent` otherwise). `imagelint check --fix`
corrects a value that differs from one of them only in case (a safe fix); a typo is left to you.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagelint.configuration import schemas
from imagelint.core.fixes import SAFE, Fix
from imagelint.core.model import Settings, Violation
from imagelint.kube.workloads import ImageUse
from imagelint.reading.yamlnodes import is_null, scalar_type, string_value
from imagelint.reporting.messages import shown

NAME = "invalid-pull-policy"
CODE = "IL109"
SEVERITY = "error"
SCOPE = "image"
SUMMARY = "imagePullPolicy is not Always, IfNotPresent or Never."
FIX = SAFE

SCHEMA = "container-fields.schema.json"


def allowed() -> list[str]:
    return [str(value) for value in schemas.load(SCHEMA)["properties"]["imagePullPolicy"]["enum"]]


def check(use: ImageUse, settings: Settings) -> Iterator[Violation]:
    node = use.container_mapping.get("imagePullPolicy")
    if node is None or is_null(node) or use.field.endswith(".reference"):
        return
    value = string_value(node)  # None for anything Kubernetes would not decode as a string
    if value in allowed():
        return  # the common case, without loading jsonschema
    failed = {error.validator for error in schemas.errors(SCHEMA, {"imagePullPolicy": value})}
    if "type" in failed:
        yield Violation(f"imagePullPolicy must be a string, not {scalar_type(node)}", node=node)
    elif "enum" in failed:
        assert value is not None
        import difflib

        cased = {v.lower(): v for v in allowed()}.get(value.lower())
        close = cased or next(
            iter(difflib.get_close_matches(value, allowed(), n=1, cutoff=0.6)), None
        )
        hint = f"; did you mean {shown(close)}?" if close else ""
        yield Violation(
            f"imagePullPolicy {shown(value)} is not one of {', '.join(allowed())} (the API "
            f"server refuses it; values are case-sensitive){hint}",
            node=node,
            fix=Fix(cased, SAFE, "write the policy's case") if cased else None,
        )
