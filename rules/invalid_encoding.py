"""A manifest file that is not UTF-8 text.

## What it finds
Files that are binary (they contain NUL bytes) or whose bytes are not valid UTF-8, for example a
file saved as Latin-1 or Windows-1252. UTF-16 and UTF-32 files with a byte-order mark are read.
git-crypt-locked files are skipped, not reported.

## Why it breaks a pull
Kubernetes reads manifests as UTF-8; `kubectl apply` stops at the first invalid byte, so the
workload and its image never reach the cluster.

## Example
A `deployment.yaml` whose comment contains `café` saved in Latin-1: byte 0xE9 is not UTF-8.

## Fix
Re-save the file as UTF-8 (`iconv -f latin1 -t utf-8`), or remove binary files from the
manifest directories (or `--exclude` them).
"""

NAME = "invalid-encoding"
CODE = "IL003"
SEVERITY = "error"
SCOPE = "input"
SUMMARY = "The file is binary or not valid UTF-8 text."
