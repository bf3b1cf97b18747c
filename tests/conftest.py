from __future__ import annotations

import os
from pathlib import Path

import pytest

from imagelint.engine import Engine, Report
from imagelint.model import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def shared_dir() -> Path | None:
    """The project's shared material (../shared beside the checkout), if present."""
    candidate = Path(os.environ.get("IMAGELINT_SHARED", ROOT.parent / "shared"))
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_dir()
    if path is None:
        if os.environ.get("IMAGELINT_REQUIRE_SHARED"):
            pytest.fail("../shared is required (IMAGELINT_REQUIRE_SHARED is set) but missing")
        pytest.skip("../shared is not beside this checkout")
    return path


def check_text(text: str, namespace: str = "default", display: str = "test.yaml") -> Report:
    return Engine(Settings(namespace=namespace)).check_text(display, text)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Tests never touch the user's cache directory."""
    monkeypatch.setenv("IMAGELINT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
