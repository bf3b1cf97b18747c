"""Run mypy (strict, as [tool.mypy] in pyproject.toml says) on linter/ and rules/.

They install as ``imagelint`` and ``imagelint.rules`` (setuptools' package-dir), a mapping
mypy cannot be told. So the two folders are laid out under a temporary ``imagelint/`` of
symlinks, mypy checks that, and each path in its report is mapped back to the file in the
checkout. Arguments narrow the report to paths that start with them (``linter/online``).
Exit status: mypy's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lay_out(tree: Path) -> None:
    package = tree / "imagelint"
    for source, target in ((ROOT / "linter", package), (ROOT / "rules", package / "rules")):
        for path in source.rglob("*.py"):
            link = target / path.relative_to(source)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path)


def main(prefixes: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="imagelint-types-") as temporary:
        tree = Path(temporary)
        lay_out(tree)
        done = subprocess.run(
            [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
             "--cache-dir", str(ROOT / ".mypy_cache"), "-p", "imagelint"],
            cwd=tree, capture_output=True, text=True,
        )  # fmt: skip
    status = done.returncode
    shown = 0
    for line in done.stdout.splitlines():
        path, colon, rest = line.partition(":")
        if colon and path.startswith("imagelint/"):
            inner = path[len("imagelint/") :]
            path = inner if inner.startswith("rules/") else "linter/" + inner
            line = f"{path}:{rest}"
            if prefixes and not any(path.startswith(p) for p in prefixes):
                continue
            shown += 1
        elif prefixes and line.startswith(("Found ", "Success")):
            continue
        print(line)
    if prefixes:
        print(f"{shown} errors under {', '.join(prefixes)}")
    sys.stderr.write(done.stderr)
    return status


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main(sys.argv[1:]))
