"""Image coverage: the share of the image fields of Kubernetes objects that imagelint reads.

For every YAML document (``*.yaml``, ``*.yml``, ``*.json``; hidden entries skipped) that is a
Kubernetes object, every image field's value is replaced, in a scratch copy of the folders, by
one that must be reported, written in place so every line keeps its number; then
``imagelint check`` runs on the copy and a field counts as read when a finding names its value.

The image fields (which keys, and which objects and subtrees are left out) are defined in
``bench/imagefields.py``: the string values of ``image`` and ``imageName`` keys, image volumes'
``image.reference``, OpenShift ``DockerImage`` references and Crossplane packages; nothing in
CustomResourceDefinitions, ConfigMaps, Secrets, ``status``, ``metadata``, RBD volumes, Argo
``withItems``, Kyverno policies or Cluster API machines. Files under a Helm chart's
``templates/`` are skipped (not objects until rendered).

Prints, per project (each first-level folder of a DIR; files directly in a DIR form one project),
per DIR and overall: fields, fields read, share; then the unread fields grouped by (API group, kind,
field path with list indices as ``[]``), most frequent first, with an example each. A finding
that names a value but points at another file or line is counted as read and also shown as
"misplaced". Exit 0 unless something fails (imagelint's exit, a replacement that does not read
back). Standard library and ruamel.yaml (imagelint's own dependency) only. Run from the
repository root:

python -m bench.coverage [DIR ...] [--imagelint CMD] [--value invalid|latest] [--top N]
[--json FILE]

(default DIR: ``../shared/corpus/real`` and ``bench/corpus-extra``)
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.imagefields import Field, Finder, documents, in_chart_templates, walk_files

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIRS = (ROOT.parent / "shared" / "corpus" / "real", ROOT / "bench" / "corpus-extra")
# What a replaced value becomes (NNNNNN: the field's number, so a finding names one field), and
# the rule that must report it. "invalid": not a reference at all; "latest": a well-formed
# reference on the moving tag, for a reader that only looks at reference-shaped strings.
VALUES = {
    "invalid": ("INVALID::IMAGE-{:06d}", "invalid-reference"),
    "latest": ("coverage.invalid/imagelint/f{:06d}:latest", "latest-tag"),
}


def _project(top: Path, path: Path) -> str:
    rel = path.relative_to(top).parts
    return rel[0] if len(rel) > 1 else top.name


def _replacement(text: str, token: str) -> str:
    """``token`` quoted, and the original's line breaks after it: every line keeps its number."""
    return f'"{token}"' + "\n" * text.count("\n")


def _value_start(text: str, start: int, end: int) -> int:
    """Skip an anchor (``&name``) or tag (``!tag``) before the value: aliases keep working."""
    while start < end and text[start] in "&!":
        while start < end and not text[start].isspace():
            start += 1
        while start < end and text[start].isspace():
            start += 1
    return start


def prepare(
    dirs: list[Path], scratch: Path, template: str
) -> tuple[dict[str, Field], list[str], int]:
    """Copy ``dirs`` into ``scratch`` (as d0, d1...), replace every image field there; return
    the fields by token, the problems, and the number of files read."""
    fields: dict[str, Field] = {}
    problems: list[str] = []
    files = 0
    for n, top in enumerate(dirs):
        copy = scratch / f"d{n}"
        if top.is_dir():
            # Links become copies: a file written below never reaches the original.
            shutil.copytree(top, copy, ignore_dangling_symlinks=True)
        else:
            copy.mkdir()
            shutil.copy2(top, copy / top.name)
        for path in walk_files(top):
            if in_chart_templates(path, top):
                continue
            files += 1
            try:
                text = path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            finder = Finder(str(top), _project(top, path), path)
            composed = 0
            for document in documents(text):
                if document is not None:
                    composed += 1
                    finder.document(document)
            if not finder.fields:
                continue
            tokens: dict[str, Field] = {}
            out, pos = [], 0
            for start in sorted(finder.fields):
                field = finder.fields[start]
                begin = _value_start(text, field.start, field.end)
                token = template.format(len(fields) + len(tokens) + 1)
                tokens[token] = field
                out += [text[pos:begin], _replacement(text[begin : field.end], token)]
                pos = field.end
            out.append(text[pos:])
            modified = "".join(out)
            target = copy / path.relative_to(top) if top.is_dir() else copy / top.name
            if not target.resolve().is_relative_to(scratch.resolve()):
                raise RuntimeError(f"{target} leads out of the scratch folder")
            target.write_text(modified, encoding="utf-8")
            problems += _verify(path, composed, modified, tokens)
            fields.update(tokens)
    return fields, problems, files


def _verify(path: Path, before: int, after: str, tokens: dict[str, Field]) -> list[str]:
    """The modified text composes as far as the original did, with each token on its line."""
    found: dict[str, int] = {}

    def collect(node: Any) -> None:
        if node.id == "scalar":
            if node.value in tokens:
                found[node.value] = node.start_mark.line + 1
        else:
            for item in node.value:
                for part in item if isinstance(item, tuple) else (item,):
                    collect(part)

    docs = [d for d in documents(after) if d is not None]
    for document in docs:
        collect(document)
    problems = [
        f"{path}:{field.line}: replaced value reads back as {found.get(token)}"
        for token, field in tokens.items()
        if found.get(token) != field.line
    ]
    if len(docs) != before:
        problems.append(f"{path}: the modified file composes into a different number of documents")
    return problems


def run_imagelint(command: list[str], scratch: Path, count: int, rule: str) -> list[dict[str, Any]]:
    args = ["check", "--isolated", "--format", "json", "--exit-zero", "--select", rule]
    result = subprocess.run(
        [*command, *args, *(f"d{n}" for n in range(count))],
        cwd=scratch,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"imagelint exited {result.returncode}: {result.stderr[-2000:]}")
    findings: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return findings


def default_imagelint() -> list[str]:
    for candidate in (
        ROOT / ".venv" / "bin" / "imagelint",
        Path(sys.executable).with_name("imagelint"),
    ):
        if candidate.is_file():
            return [str(candidate)]
    return [sys.executable, "-m", "imagelint"]


@dataclass
class Tally:
    fields: int = 0
    read: int = 0

    @property
    def share(self) -> float:
        return self.read / self.fields if self.fields else 1.0


def measure(
    dirs: list[Path], command: list[str], value: str
) -> tuple[dict[str, Field], set[str], list[tuple[str, str]], list[str], int]:
    """Fields by token, the tokens read, misplaced findings (token, where), problems, files."""
    template, rule = VALUES[value]
    with tempfile.TemporaryDirectory(prefix="imagelint-coverage-") as tmp:
        scratch = Path(tmp)
        fields, problems, files = prepare(dirs, scratch, template)
        findings = run_imagelint(command, scratch, len(dirs), rule)
        read: set[str] = set()
        misplaced: list[tuple[str, str]] = []
        copies = {f"d{n}": top for n, top in enumerate(dirs)}
        for finding in findings:
            token = _token_of(finding, fields)
            if token is None:
                continue
            read.add(token)
            field = fields[token]
            head, _, rest = str(finding.get("path", "")).partition("/")
            top = copies.get(head)
            where = (top / rest) if top is not None and top.is_dir() else top
            if where != field.path or finding.get("line") != field.line:
                misplaced.append((token, f"{where}:{finding.get('line')}"))
    return fields, read, misplaced, problems, files


def _token_of(finding: dict[str, Any], fields: dict[str, Field]) -> str | None:
    image = finding.get("image")
    if isinstance(image, str) and image in fields:
        return image
    message = str(finding.get("message", ""))
    start = message.find('"')
    if start >= 0:
        candidate = message[start + 1 : message.find('"', start + 1)]
        if candidate in fields:
            return candidate
    return None


def report(
    fields: dict[str, Field],
    read: set[str],
    misplaced: list[tuple[str, str]],
    top: int,
) -> dict[str, Any]:
    projects: dict[str, Tally] = defaultdict(Tally)
    corpora: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    groups: Counter[tuple[str, str, str]] = Counter()
    examples: dict[tuple[str, str, str], Field] = {}
    versions: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for token, field in fields.items():
        tallies = (projects[field.project], corpora[field.corpus], total)
        for tally in tallies:
            tally.fields += 1
            tally.read += token in read
        if token in read:
            continue
        key = (field.group or "core", field.kind, field.pattern)
        groups[key] += 1
        examples.setdefault(key, field)
        versions[key].add(field.version)
    width = max([len(p) for p in projects] + [7])
    print(f"{'project':<{width}}  {'fields':>6}  {'read':>6}  {'share':>7}")
    for name in sorted(projects):
        t = projects[name]
        print(f"{name:<{width}}  {t.fields:>6}  {t.read:>6}  {t.share:>7.1%}")
    if len(corpora) > 1:
        for name, t in corpora.items():
            print(
                f"{'all of ' + Path(name).name:<{width}}  {t.fields:>6}  {t.read:>6}  {t.share:>7.1%}"
            )
    print(f"{'overall':<{width}}  {total.fields:>6}  {total.read:>6}  {total.share:>7.1%}")
    print(f"\nunread fields by (API group, kind, field path): {len(groups)} groups")
    for (group, kind, pattern), count in groups.most_common(top):
        ex = examples[(group, kind, pattern)]
        vs = ",".join(sorted(versions[(group, kind, pattern)]))
        print(f"{count:>5}  {group}/{vs} {kind}  {pattern}  (e.g. {ex.path}:{ex.line})")
    if len(groups) > top:
        rest = sum(c for _, c in groups.most_common()[top:])
        print(f"  ... {len(groups) - top} more groups, {rest} fields")
    if misplaced:
        print(f"\n{len(misplaced)} findings name a value but point elsewhere, e.g.:")
        for token, where in misplaced[:10]:
            field = fields[token]
            print(f"  {field.path}:{field.line} reported at {where}")
    return {
        "overall": {"fields": total.fields, "read": total.read, "share": total.share},
        "corpora": {
            name: {"fields": t.fields, "read": t.read, "share": t.share}
            for name, t in corpora.items()
        },
        "projects": {
            name: {"fields": t.fields, "read": t.read, "share": t.share}
            for name, t in sorted(projects.items())
        },
        "unread": [
            {"group": g, "kind": k, "pattern": p, "count": c}
            for (g, k, p), c in groups.most_common()
        ],
        "misplaced": len(misplaced),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.coverage", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "dirs", nargs="*", type=Path, help="folders of manifests (default: the two corpora)"
    )
    parser.add_argument("--imagelint", help="command to run (default: .venv/bin/imagelint)")
    parser.add_argument(
        "--value",
        choices=sorted(VALUES),
        default="invalid",
        help="what each image becomes (default: an invalid reference)",
    )
    parser.add_argument("--top", type=int, default=30, help="unread groups to list (default 30)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    dirs = [d.resolve() for d in (args.dirs or DEFAULT_DIRS)]
    missing = [str(d) for d in dirs if not d.exists()]
    if missing:
        print(f"no such path: {', '.join(missing)}", file=sys.stderr)
        return 2
    command = shlex.split(args.imagelint) if args.imagelint else default_imagelint()
    began = time.monotonic()
    try:
        fields, read, misplaced, problems, files = measure(dirs, command, args.value)
    except (OSError, RuntimeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(
        f"{files} files in {', '.join(map(str, dirs))}; {len(fields)} image fields "
        f"({time.monotonic() - began:.1f} s)\n"
    )
    figures = report(fields, read, misplaced, args.top)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    for problem in problems[:20]:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
