from __future__ import annotations

from conftest import check_text


def pod(image_line: str, extra: str = "") -> str:
    """A Pod whose one container has ``image_line`` (e.g. 'image: nginx') at line 7."""
    return (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
        f"    - name: c\n      {image_line}\n{extra}"
    )


def findings(text: str, rule: str, **kwargs):
    return [f for f in check_text(text, **kwargs).findings if f.rule == rule]
