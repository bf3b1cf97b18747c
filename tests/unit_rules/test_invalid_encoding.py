from __future__ import annotations

import codecs

from imagelint.reading.sources import decode

MANIFEST = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: café\n"


def test_latin1_full_message_and_position():
    problem = decode(MANIFEST.encode("latin-1"))
    assert problem.rule == "invalid-encoding"
    assert problem.message == (
        "file is not valid UTF-8 text: byte 0xE9 at line 4, column 12; Kubernetes manifests "
        "must be UTF-8 (re-save the file as UTF-8)"
    )
    assert (problem.line, problem.column) == (4, 12)


def test_binary_message():
    problem = decode(b"PK\x03\x04\x00\x00")
    assert (
        problem.message == "binary file (NUL byte at line 1, column 5), not a YAML or JSON manifest"
    )


def test_unicode_with_byte_order_marks_is_read():
    for bom, encoding in [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
    ]:
        assert decode(bom + MANIFEST.encode(encoding)) == MANIFEST


def test_git_crypt_files_are_skipped():
    assert decode(b"\x00GITCRYPT\x00\x12\x34") is None
