from __future__ import annotations

import os
from pathlib import Path

import pytest

from imagelint.core.model import Settings
from imagelint.running.engine import Engine, Report

# Real registries and misbehaving servers for the online tests (tests/registry/).
pytest_plugins = ("registry.fixtures",)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def bench_module(name: str):  # noqa: ANN201 - a module
    """A script of ``bench/`` loaded as a module (``bench`` is not a package), once."""
    import importlib.util
    import sys

    module_name = f"imagelint_bench_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


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
    """Tests never touch the user's cache directory, nor read the user's registry logins."""
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("IMAGELINT_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("DOCKER_CONFIG", str(base / "no-docker-config"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(base / "no-runtime-dir"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "no-config-home"))
    monkeypatch.delenv("REGISTRY_AUTH_FILE", raising=False)
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(proxy, raising=False)
