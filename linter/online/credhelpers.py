"""Running a credential helper (``docker-credential-<name> get``) as Docker does: no shell, the
server URL on stdin, a time limit; its output stays inside the result and is never shown."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Callable, Mapping
from typing import NamedTuple


class HelperResult(NamedTuple):
    """What running ``docker-credential-<name> get`` gave. The repr hides the output."""

    outcome: str  # "exited" (see exit_status), "missing" (not on PATH), "timeout", "error"
    exit_status: int = 0
    stdout: bytes = b""
    reason: str = ""  # for "error": why it could not be started (an OS error description)

    def __repr__(self) -> str:
        return f"HelperResult(outcome={self.outcome!r}, exit_status={self.exit_status})"


HelperRunner = Callable[[str, str, float], HelperResult]  # (program, server URL, timeout)


def run_credential_helper(
    program: str,
    server_url: str,
    timeout: float,
    *,
    path: str | None = None,
    env: Mapping[str, str] | None = None,
) -> HelperResult:
    """Run ``program get`` (found on ``path``, no shell) with the server URL on stdin.

    Its stdout is returned inside the result, never printed or logged; its stderr is discarded.
    On timeout the helper and whatever it started are killed."""
    executable = shutil.which(program, path=path)
    if executable is None:
        return HelperResult("missing")
    try:
        process = subprocess.Popen(
            [executable, "get"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env) if env is not None else None,
            start_new_session=os.name == "posix",  # its own process group, to kill it whole
        )
    except OSError as error:
        return HelperResult("error", reason=error.strerror or type(error).__name__)
    try:
        stdout, _stderr = process.communicate(server_url.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        return HelperResult("timeout")
    return HelperResult("exited", process.returncode, stdout)


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill a helper that did not answer, with any children (which may hold its pipes open)."""
    if hasattr(os, "killpg"):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        process.kill()
    except OSError:
        pass
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass
    process.wait()
