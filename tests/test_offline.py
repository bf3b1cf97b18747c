"""Offline is the default: a check never opens a socket."""

from __future__ import annotations

import socket

from click.testing import CliRunner

from imagelint.cli import cli
from tests.helpers import FIXTURES


def test_check_opens_no_socket(monkeypatch):
    opened = []

    class NoSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            opened.append(args)
            raise OSError("imagelint tried to open a socket")

    monkeypatch.setattr(socket, "socket", NoSocket)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: opened.append(a))
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: opened.append(a))
    result = CliRunner().invoke(cli, ["check", str(FIXTURES)])
    assert result.exit_code == 1
    assert opened == []


def test_an_offline_run_does_not_even_import_the_http_client():
    """Start-up: httpx and the online modules load only with --online."""
    import subprocess
    import sys

    code = (
        "import sys; from imagelint.cli import main; main(['check', sys.argv[1]]); "
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'httpcore') "
        "or m.startswith('imagelint.online.') and m != 'imagelint.online.answers'); "
        "print(loaded)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(FIXTURES / "clean")], capture_output=True, text=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr


def test_progress_bar_only_past_a_handful(capsys):
    from imagelint.cli.output import ProgressBar as _ProgressBar

    bar = _ProgressBar()
    for done in range(4):
        bar(done, 3)
    assert capsys.readouterr().err == ""
    bar(0, 20)
    bar(20, 20)
    err = capsys.readouterr().err
    assert err.endswith("\rimagelint: asking registries [" + "#" * 30 + "] 20/20\n")
