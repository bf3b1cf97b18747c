"""Compressed registry answers stay within the answer limits, counted once decoded.

A registry that sends ``Content-Encoding: gzip`` used to get past the 4 MiB manifest limit:
httpx inflated each read whole (tens of MB) before the size was checked, so ~2 MB on the wire
became 2 GB in memory. The client now inflates the raw bytes itself, within the limit
(imagelint.online.decoding). These tests check the decoder, each answer the client reads
(manifest, image config, tag list, token) against loopback servers, and the peak memory of a
real ``imagelint`` process facing 16 such registries.
"""

from __future__ import annotations

import gzip
import json
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from imagelint.online.decoding import BadEncoding, BoundedDecoder, TooLarge, UnknownEncoding
from tests.registry.scripted import Answer, Received, ScriptedServer

DIGEST = "sha256:" + "b" * 64
CONFIG_DIGEST = "sha256:" + "c" * 64
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
PEAK_RSS_LIMIT = 300 << 20  # the bound for 16 hostile registries


@cache
def gzip_bomb(mib: int) -> bytes:
    """A valid gzip member that inflates to ``mib`` MiB of zeros, about 1 KiB per MiB.

    Flushed after each MiB, the deflate stream of zeros repeats itself byte for byte, so the
    middle is one block repeated; the trailer carries the true CRC and length."""
    block = bytes(1 << 20)
    deflater = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = deflater.compress(block) + deflater.flush(zlib.Z_FULL_FLUSH)
    middle = deflater.compress(block) + deflater.flush(zlib.Z_FULL_FLUSH)
    assert middle == deflater.compress(block) + deflater.flush(zlib.Z_FULL_FLUSH)
    end = deflater.flush()[:-8]
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    return first + middle * (mib - 1) + end + struct.pack("<II", crc, (mib << 20) & 0xFFFFFFFF)


# -- the decoder ---------------------------------------------------------------------------------


def decode(encoding: str | None, data: bytes, limit: int, chunk: int = 4096) -> bytes:
    decoder = BoundedDecoder(encoding, limit)
    parts = [decoder.feed(data[i : i + chunk]) for i in range(0, len(data), chunk)]
    return b"".join(parts) + decoder.finish()


def test_the_bomb_is_what_it_claims():
    assert zlib.decompress(gzip_bomb(8), 16 + zlib.MAX_WBITS) == bytes(8 << 20)
    assert len(gzip_bomb(2048)) < 2_200_000  # 2 GiB from about 2 MB, as in the issue


def test_gzip_deflate_and_identity_are_decoded():
    text = json.dumps({"tags": [f"v{n}" for n in range(1000)]}).encode()
    assert decode("gzip", gzip.compress(text), 1 << 20) == text
    assert decode("x-gzip", gzip.compress(text), 1 << 20) == text
    assert decode("deflate", zlib.compress(text), 1 << 20) == text
    assert decode("identity", text, 1 << 20) == text
    assert decode(None, text, 1 << 20) == text
    assert decode("gzip, gzip", gzip.compress(gzip.compress(text)), 1 << 20) == text
    assert decode("GZip", gzip.compress(text), len(text)) == text  # exactly the limit is fine


@pytest.mark.parametrize("encoding", ["gzip", "gzip, gzip", "deflate"])
def test_inflating_stops_one_byte_past_the_limit(encoding):
    data = bytes(1 << 20)
    for name in reversed([n.strip() for n in encoding.split(",")]):
        data = gzip.compress(data) if name == "gzip" else zlib.compress(data)
    with pytest.raises(TooLarge):
        decode(encoding, data, (1 << 20) - 1)


def test_a_bomb_never_makes_more_than_the_limit_at_once():
    """Fed whole, a 2 GiB bomb is refused having allocated little more than the limit."""
    import tracemalloc

    bomb = gzip_bomb(2048)
    decoder = BoundedDecoder("gzip", 4 << 20)
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge):
            decoder.feed(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # zlib's output buffer and the unread input: a few times the limit, whatever the bomb.
    assert peak < 3 * (4 << 20)


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "gzip, br"])
def test_encodings_not_asked_for_are_refused(encoding):
    with pytest.raises(UnknownEncoding):
        BoundedDecoder(encoding, 1 << 20)


def test_data_that_is_not_of_its_encoding():
    with pytest.raises(BadEncoding):
        decode("gzip", b"this is not gzip at all", 1 << 20)


# -- the client, against loopback servers ---------------------------------------------------------


@pytest.fixture
def servers() -> Iterator[list[ScriptedServer]]:
    started: list[ScriptedServer] = []
    yield started
    for server in started:
        server.stop()


def registry_script(encoded: dict[str, tuple[str, bytes]]):  # noqa: ANN201
    """A registry with team/app:1.0 (an image manifest and config); ``encoded`` maps
    "manifest", "config", "tags" or "token" to a (Content-Encoding, body) to send instead."""

    def script(request: Received) -> Answer:
        path = request.path
        if path.startswith("/token"):
            if "token" in encoded:
                encoding, body = encoded["token"]
                return 200, {"Content-Encoding": encoding}, body
            return 200, {}, b'{"token": "t"}'
        if "token" in encoded and request.headers.get("authorization") != "Bearer t":
            realm = f"http://{request.headers['host']}/token"
            return 401, {"WWW-Authenticate": f'Bearer realm="{realm}"'}, b""
        if "/manifests/1.0" in path or f"/manifests/{DIGEST}" in path:
            headers = {"Content-Type": OCI_MANIFEST, "Docker-Content-Digest": DIGEST}
            if request.method == "GET" and "manifest" in encoded:
                encoding, body = encoded["manifest"]
                return 200, {**headers, "Content-Encoding": encoding}, body
            manifest = {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": {"mediaType": "x", "digest": CONFIG_DIGEST, "size": 10},
                "layers": [{"mediaType": "y", "digest": DIGEST, "size": 100}],
            }
            return 200, headers, json.dumps(manifest).encode()
        if f"/blobs/{CONFIG_DIGEST}" in path:
            if "config" in encoded:
                encoding, body = encoded["config"]
                return 200, {"Content-Encoding": encoding}, body
            return 200, {}, b'{"os": "linux", "architecture": "amd64"}'
        if "/tags/list" in path:
            if "tags" in encoded:
                encoding, body = encoded["tags"]
                return 200, {"Content-Encoding": encoding}, body
            return 200, {}, b'{"tags": ["1.0"]}'
        return 404, {}, b'{"errors": [{"code": "MANIFEST_UNKNOWN"}]}'

    return script


def check(tmp_path: Path, images: list[str]) -> list[tuple[str, str, str]]:
    from click.testing import CliRunner

    from imagelint.cli import cli

    containers = "".join(f"  - name: c{n}\n    image: {image}\n" for n, image in enumerate(images))
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n" + containers
    )
    args = ["check", "--online", "--no-cache", "--isolated", "--format", "json", "--timeout", "10"]
    result = CliRunner().invoke(cli, [*args, str(tmp_path / "pod.yaml")])
    assert result.exit_code in (0, 1), result.output
    online = {"registry-unreachable", "tag-not-found", "platform-missing", "image-too-large"}
    return sorted(
        (f["image"], f["rule"], f["message"])
        for f in json.loads(result.stdout)["findings"]
        if f["rule"] in online
    )


BOMB = ("gzip", gzip_bomb(64))


@pytest.mark.parametrize(
    ("answer", "what", "limit"),
    [("manifest", "a manifest", "4 MiB"), ("config", "an image config", "4 MiB"),
     ("token", "a token answer", "1 MiB")],
)  # fmt: skip
def test_a_gzip_bomb_is_reported_naming_the_answer(tmp_path, servers, answer, what, limit):
    server = ScriptedServer(registry_script({answer: BOMB}))
    servers.append(server)
    image = f"{server.host}/team/app:1.0"
    cause = f"127.0.0.1 sent {what} larger than {limit} once decompressed (Content-Encoding: gzip)"
    assert check(tmp_path, [image]) == [
        (image, "registry-unreachable", f"could not check {image}: {cause}")
    ]


def test_a_gzip_bomb_of_a_tag_list_loses_only_the_suggestions(tmp_path, servers):
    """The tag is missing (the manifest request said so): that stays the finding."""
    server = ScriptedServer(registry_script({"tags": BOMB}))
    servers.append(server)
    image = f"{server.host}/team/app:9.9"
    assert check(tmp_path, [image]) == [
        (image, "tag-not-found",
         f'the tag "9.9" does not exist in {server.host}/team/app (asked anonymously)'),
    ]  # fmt: skip


def test_gzip_answers_within_the_limit_are_read(tmp_path, servers):
    """A registry that compresses honest answers (gzip asked for, and given) is checked as
    usual: the config's platform is read (arm64 here, so the amd64 node cannot run it)."""
    config = gzip.compress(b'{"os": "linux", "architecture": "arm64"}')
    tags = gzip.compress(b'{"tags": ["1.0", "1.1"]}')
    server = ScriptedServer(registry_script({"config": ("gzip", config), "tags": ("gzip", tags)}))
    servers.append(server)
    found, missing = f"{server.host}/team/app:1.0", f"{server.host}/team/app:1.2"
    findings = check(tmp_path, [found, missing])
    assert [(image, rule) for image, rule, _ in findings] == [
        (found, "platform-missing"),
        (missing, "tag-not-found"),
    ]
    assert 'nearest existing tags: "1.0", "1.1"' in findings[1][2]
    asked = {r.headers.get("accept-encoding") for r in server.received}
    assert asked == {"gzip"}


def test_an_encoding_not_asked_for_is_named(tmp_path, servers):
    server = ScriptedServer(registry_script({"token": ("br", b"\x8b\x02\x80")}))
    servers.append(server)
    image = f"{server.host}/team/app:1.0"
    cause = (
        "127.0.0.1 sent an answer in an encoding imagelint did not ask for (Content-Encoding: br)"
    )
    assert check(tmp_path, [image]) == [
        (image, "registry-unreachable", f"could not check {image}: {cause}")
    ]


# -- peak memory of a real imagelint process ------------------------------------------------------

REGISTRIES = 16
IMAGES_PER_REGISTRY = 8


# Linux keeps a process's peak RSS across exec, and a child started from this (large) test
# process begins with the parent's: the child is started from a small launcher instead, which
# reports its own child's peak from wait4.
LAUNCHER = (
    "import os, subprocess, sys\n"
    "child = subprocess.Popen(sys.argv[1:])\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "sys.stderr.write(f'peak-rss-kib {usage.ru_maxrss}\\n')\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def peak_rss_of(command: list[str], cwd: Path) -> tuple[int, str]:
    """Run ``command``; its peak resident set size in bytes, and its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command], cwd=cwd, capture_output=True, text=True
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    kib = int(done.stderr.rsplit("peak-rss-kib ", 1)[1].split()[0])
    return kib * 1024, done.stdout


def test_peak_rss_with_16_registries_sending_2_gib_bombs(tmp_path, servers):
    """16 registries, 8 images each; every manifest GET is 2 MB of gzip that inflates to 2 GiB.
    Before the fix the process peaked at about 1.1 GB; now each answer stops past 4 MiB."""
    bomb = ("gzip", gzip_bomb(2048))
    for _ in range(REGISTRIES):
        servers.append(ScriptedServer(registry_script({"manifest": bomb})))
    images = [f"{s.host}/team/app{n}:1.0" for s in servers for n in range(IMAGES_PER_REGISTRY)]
    containers = "".join(f"  - name: c{n}\n    image: {image}\n" for n, image in enumerate(images))
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n" + containers
    )
    command = [sys.executable, "-m", "imagelint", "check", "--online", "--no-cache",
               "--isolated", "--format", "json", "--timeout", "60", "pod.yaml"]  # fmt: skip
    peak, output = peak_rss_of(command, tmp_path)
    print(f"peak RSS with {REGISTRIES} bomb registries: {peak / 2**20:.0f} MiB")
    findings = json.loads(output)["findings"]
    unreachable = [f for f in findings if f["rule"] == "registry-unreachable"]
    assert len(unreachable) == len(images)
    assert all("larger than 4 MiB once decompressed" in f["message"] for f in unreachable)
    assert peak < PEAK_RSS_LIMIT
