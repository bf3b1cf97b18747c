"""A suppression that names an unknown rule or suppresses nothing.

## What it finds
An inline suppression (`# imagelint: disable=...`, `# imagelint: disable-file=...`) or an
`imagelint.io/disable` annotation that names a rule imagelint does not know, or that hides no
finding where it stands (the line, the file, the object): the problem it silenced was fixed or
moved, or the rule name is misspelt and the suppression never worked.

## Why it breaks a pull
It does not; but a stale suppression silences the next real finding on that line, and a
misspelt one gives the confidence of a fix without one. Reporting them keeps suppressions from
rotting.

## Example
```yaml
image: nginx:1.27.2  # imagelint: disable=latest-tag   <- nothing to suppress any more
```

## Fix
Remove the suppression, or correct the rule name (`imagelint rules` lists them).
"""

NAME = "unused-suppression"
CODE = "IL402"
SEVERITY = "warning"
SCOPE = "input"
SUMMARY = "A suppression names an unknown rule or suppresses nothing."
