"""A manifest file that could not be read.

## What it finds
A file that exists but cannot be read: no permission, removed while the run was under way, a
broken symbolic link, a directory where a file was expected. The other files are still checked.

## Why it breaks a pull
Whatever images the file names are unchecked; in CI a silent skip would let them through.

## Example
`chmod 000 deploy.yaml; imagelint check deploy.yaml`

## Fix
Give the linter read access, or exclude the file (`--exclude`).
"""

NAME = "unreadable-file"
CODE = "IL004"
SEVERITY = "error"
SCOPE = "input"
SUMMARY = "The file exists but could not be read."
