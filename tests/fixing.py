"""Helpers of the tests/test_fix_*.py files: a manifest written, ``imagelint check`` run on it
with fixing flags, the file's bytes read back."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from imagelint.cli.commands import cli

POD = (
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata: {name: p, namespace: shop}\n"
    "spec:\n"
    "  containers:\n"
    "    - name: c\n"
    "      image: IMAGE\n"
)


def pod(image: str, extra: str = "") -> str:
    """A Pod whose one container has ``image`` written as given (quotes included)."""
    return POD.replace("IMAGE", image) + extra


def invoke(*args: str, input: bytes | str | None = None) -> Result:
    return CliRunner().invoke(cli, ["check", "--isolated", *args], input=input)


def fix(path: Path, content: bytes | str, *flags: str) -> tuple[bytes, Result]:
    """Write ``content`` at ``path``, run ``check --fix`` (and ``flags``) on it, give the bytes
    it holds afterwards and the run's result."""
    data = content.encode() if isinstance(content, str) else content
    path.write_bytes(data)
    result = invoke("--fix", *flags, str(path))
    return path.read_bytes(), result
