"""Offline is the default: a check never opens a socket."""

from __future__ import annotations

import socket

from click.testing import CliRunner
from conftest import FIXTURES

from imagelint.cli import cli


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
