from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import PRIVATE_FOLDERS, UNSET, shared_dir

# Real registries and misbehaving servers for the online tests (tests/registry/).
pytest_plugins = ("tests.registry.fixtures",)


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_dir()
    if path is None:
        if os.environ.get("IMAGELINT_REQUIRE_SHARED"):
            pytest.fail("../shared is required (IMAGELINT_REQUIRE_SHARED is set) but missing")
        pytest.skip("../shared is not beside this checkout")
    return path


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Tests never touch the user's cache directory, nor read the user's registry logins."""
    base = tmp_path_factory.getbasetemp()
    for name, folder in PRIVATE_FOLDERS:
        monkeypatch.setenv(name, str(base / folder))
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
