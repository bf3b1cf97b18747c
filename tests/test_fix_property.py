"""A property of fixing (hypothesis): after ``check --fix``, ``check`` finds nothing that a safe
fix would change, and the objects are those of before except the fixed values (images and pull
policies)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from imagelint.reading.sources import discover
from imagelint.running.pipeline import run
from tests.fixing import invoke

IMAGES = [
    "registry.acme.io/shop/web:2.4",
    "registry.acme.io/shop/web:2.4.",
    "registry.acme.io./shop/web:2.4",
    "registry.acme.io/Shop/Web:2.4",
    "https://registry.acme.io/shop/web:2.4",
    " registry.acme.io/shop/web:2.4 ",
    "k8s.gcr.io/pause:3.9",
    "https://k8s.gcr.io/Pause:3.9.",
    "gcr.oi/acme/app:1",
    "nginx:1.27",
]
POLICIES = [None, "Always", "always", "IFNOTPRESENT", "Never", "never"]
QUOTES = ["", "'", '"']


@st.composite
def manifests(draw: st.DrawFn) -> str:
    containers = []
    for index in range(draw(st.integers(1, 4))):
        image = draw(st.sampled_from(IMAGES))
        quote = draw(st.sampled_from(QUOTES if image.strip() == image else QUOTES[1:]))
        comment = draw(st.sampled_from(["", "  # note"]))
        lines = [f"    - name: c{index}", f"      image: {quote}{image}{quote}{comment}"]
        policy = draw(st.sampled_from(POLICIES))
        if policy is not None:
            mark = draw(st.sampled_from(QUOTES))
            lines.append(f"      imagePullPolicy: {mark}{policy}{mark}")
        containers.extend(lines)
    head = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
    text = head + "\n".join(containers) + "\n"
    return text.replace("\n", "\r\n") if draw(st.booleans()) else text


def _objects(text: str) -> list[object]:
    return list(YAML(typ="safe", pure=True).load_all(text))


def _without_fixed_values(objects: list[object]) -> list[object]:
    for obj in objects:
        assert isinstance(obj, dict)
        for container in obj["spec"]["containers"]:
            container["image"] = "<image>"
            container.pop("imagePullPolicy", None)
    return objects


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests(), st.booleans())
def test_fix_then_check_leaves_nothing_fixable(text, unsafe):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pod.yaml"
        path.write_bytes(text.encode())
        invoke("--fix", *(["--unsafe-fixes"] if unsafe else []), str(path))
        fixed = path.read_bytes().decode()
        report = run(discover([str(path)]))
    left = [f for f in report.findings if f.edit is not None and (unsafe or f.edit.safe)]
    assert left == [], fixed
    assert _without_fixed_values(_objects(fixed)) == _without_fixed_values(_objects(text))
    before, after = _objects(text)[0], _objects(fixed)[0]
    for old, new in zip(before["spec"]["containers"], after["spec"]["containers"], strict=True):
        if "imagePullPolicy" in old:
            assert new["imagePullPolicy"].lower() == old["imagePullPolicy"].lower()
        assert text.count("\r\n") == 0 or fixed.count("\r\n") == text.count("\r\n")
