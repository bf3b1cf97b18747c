from __future__ import annotations

from tests.helpers import check_text


def pod(image_line: str, extra: str = "") -> str:
    """A Pod whose one container has ``image_line`` (e.g. 'image: nginx') at line 8."""
    return (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
        f"    - name: c\n      {image_line}\n{extra}"
    )


def image_pod(image: str, helm_source: str | None = None) -> str:
    """A Pod with one container whose image is ``image`` (double-quoted) at line 8, column 15."""
    text = pod(f'image: "{image}"')
    return f"# Source: {helm_source}\n{text}" if helm_source else text


def findings(text: str, rule: str, **kwargs):
    return [f for f in check_text(text, **kwargs).findings if f.rule == rule]


def messages(image: str, rule: str) -> list[str]:
    return [f.message for f in findings(image_pod(image), rule)]


def rules_fired(image: str) -> list[str]:
    return sorted(f.rule for f in check_text(image_pod(image)).findings)


def tree_findings(root, files: dict[str, str], rule: str, *named: str):
    """Findings of ``rule`` from a run over a tree written under ``root`` (a pathlib.Path),
    with paths shown relative to it."""
    import os

    from imagelint.reading.sources import discover
    from imagelint.running.pipeline import run

    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    here = os.getcwd()
    os.chdir(root)
    try:
        paths = named or (".",)
        report = run(discover(paths), named=paths)
    finally:
        os.chdir(here)
    return [f for f in report.findings if f.rule == rule]
