"""Inline and annotation suppressions, and the findings about stale ones."""

from __future__ import annotations

import pytest

from imagelint.reading.sources import SourceRef
from imagelint.reporting.suppressions import from_comments
from imagelint.running.pipeline import run


def check(tmp_path, text: str) -> list[tuple[int, str]]:
    path = tmp_path / "x.yaml"
    path.write_text(text)
    report = run([SourceRef("x.yaml", str(path))])
    return [(f.line, f.rule) for f in report.findings]


POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n{annotations}spec:\n  containers:\n{containers}"


def pod(*images: str, annotations: str = "") -> str:
    containers = "".join(
        f"    - name: c{i}\n      image: {image}\n" for i, image in enumerate(images)
    )
    return POD.format(annotations=annotations, containers=containers)


def test_end_of_line_covers_that_line(tmp_path):
    assert check(tmp_path, pod("nginx:latest  # imagelint: disable=latest-tag")) == []
    assert check(tmp_path, pod("nginx:latest  # imagelint: disable=IL104")) == []
    assert check(tmp_path, pod("nginx:latest  # imagelint: disable=IL1")) == []
    assert check(tmp_path, pod("nginx:latest  # imagelint: disable")) == []


def test_own_line_covers_the_next_content_line(tmp_path):
    text = pod("nginx:latest").replace(
        "    - name: c0", "    # imagelint: disable=latest-tag\n    #\n    - name: c0"
    )
    # The next content line is "- name: c0", not the image: the finding stays, the suppression
    # hides nothing and says so.
    assert check(tmp_path, text) == [(7, "unused-suppression"), (10, "latest-tag")]
    text = pod("nginx:latest").replace(
        "      image:", "      # imagelint: disable=latest-tag\n\n      image:"
    )
    assert check(tmp_path, text) == []


def test_file_and_annotation(tmp_path):
    assert check(tmp_path, "# imagelint: disable-file\n" + pod("nginx:latest", "Nginx")) == []
    assert check(
        tmp_path, "# imagelint: disable-file=latest-tag\n" + pod("nginx:latest", "redis")
    ) == [(11, "missing-tag")]
    annotated = pod(
        "nginx:latest",
        "redis",
        annotations="  annotations:\n    imagelint.io/disable: 'latest-tag, IL105'\n",
    )
    assert check(tmp_path, annotated) == []


def test_stale_and_unknown_suppressions_are_findings(tmp_path):
    text = pod(
        "nginx:1.27.2  # imagelint: disable=latest-tag",
        "nginx:latest  # imagelint: disable=latest-tg",
    )
    assert check(tmp_path, text) == [
        (8, "unused-suppression"),
        (10, "latest-tag"),
        (10, "unused-suppression"),
    ]
    annotated = pod(
        "nginx:1.27.2", annotations="  annotations:\n    imagelint.io/disable: missing-tag\n"
    )
    assert check(tmp_path, annotated) == [(6, "unused-suppression")]
    assert check(tmp_path, "# imagelint: disable-file=missing-tag\n" + pod("nginx:1.27.2")) == [
        (1, "unused-suppression")
    ]


def test_messages(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(
        pod(
            "nginx:1.27.2  # imagelint: disable=latest-tag",
            "nginx:1  # imagelint: disable=latestag",
        )
    )
    findings = run([SourceRef("x.yaml", str(path))]).findings
    assert [f.message for f in findings] == [
        "this suppression of latest-tag suppresses nothing on line 8; remove it",
        "this suppression names an unknown rule 'latestag'; did you mean 'latest-tag'?",
    ]
    assert [(f.column, f.severity.label) for f in findings] == [(28, "warning"), (23, "warning")]


@pytest.mark.parametrize(
    "line, scope, tokens",
    [
        ("image: x  # imagelint: disable=a,b", "line", ("a", "b")),
        ("image: x  #imagelint:disable = a , b  # other", "line", ("a", "b")),
        ("# imagelint: disable-file", "file", ()),
        ("url: http://x#imagelint: disable=a", None, None),  # not a comment
    ],
)
def test_directive_syntax(line, scope, tokens):
    found = from_comments("x", line + "\n")
    if scope is None:
        assert found == []
    else:
        [suppression] = found
        assert (suppression.scope, suppression.tokens) == (scope, tokens)
