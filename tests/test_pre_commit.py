"""The pre-commit hook, for real: pre-commit (from PyPI) runs this checkout's hook with
``try-repo`` in a fresh git repository. Slow (pre-commit builds the hook's environment once)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is needed")

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: shop}}
spec:
  template:
    spec:
      imagePullSecrets: [{{name: regcred}}]
      containers:
        - name: app
          image: {image}
"""
SECRET = """apiVersion: v1
kind: Secret
metadata: {name: regcred, namespace: shop}
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths": {"cr.acme.example": {"auth": "dTpw"}}}'
"""


def git(*args: str, cwd) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    if not (ROOT / ".git").exists():
        pytest.skip("try-repo needs this checkout to be a git repository")
    root = tmp_path_factory.mktemp("repo")
    git("init", "-q", cwd=root)
    git("config", "user.email", "ci@example.com", cwd=root)
    git("config", "user.name", "ci", cwd=root)
    (root / "apps").mkdir()
    (root / "secrets").mkdir()
    (root / "secrets" / "regcred.yaml").write_text(SECRET)
    (root / "apps" / "good.yaml").write_text(
        DEPLOYMENT.format(name="good", image="cr.acme.example/shop/api:2.4.1")
    )
    (root / "apps" / "bad.yaml").write_text(
        DEPLOYMENT.format(name="bad", image="cr.acme.example/Shop/api:2.4.1")
    )
    git("add", ".", cwd=root)
    return root


def try_repo(repo, *files: str, home, hook: str = "imagelint") -> subprocess.CompletedProcess:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--files", *files],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


def test_a_bad_manifest_fails_and_a_good_one_passes(repo, home):
    bad = try_repo(repo, "apps/bad.yaml", home=home)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "apps/bad.yaml:10:34: IL102" in bad.stdout and "uppercase-repository" in bad.stdout
    good = try_repo(repo, "apps/good.yaml", home=home)
    # The Secret is in a file that is not passed: the hook reads the repository for context,
    # so the changed Deployment alone is judged right.
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    """This checkout's working tree as a repository of its own, committed: try-repo builds the
    hook from a repository's files, and a checkout's new files are not committed yet."""
    copy = tmp_path_factory.mktemp("imagelint-snapshot") / "imagelint"
    ignored = shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__")
    shutil.copytree(ROOT, copy, ignore=ignored)
    git("init", "-q", cwd=copy)
    git("add", ".", cwd=copy)
    git("-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", "s", cwd=copy)
    return copy


def test_the_fix_hook_fixes_and_fails_when_it_changed_a_file(repo, home, snapshot):
    (repo / "apps" / "fixable.yaml").write_text(
        DEPLOYMENT.format(name="fixable", image="cr.acme.example/Shop/api:2.4.1")
    )
    git("add", "apps/fixable.yaml", cwd=repo)
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(snapshot), "imagelint-fix"]
    command += ["--files", "apps/fixable.yaml"]

    def hook() -> subprocess.CompletedProcess:
        return subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env)

    first = hook()
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    assert "image: cr.acme.example/shop/api:2.4.1" in (repo / "apps" / "fixable.yaml").read_text()
    git("add", "apps/fixable.yaml", cwd=repo)
    second = hook()
    assert second.returncode == 0, second.stdout + second.stderr
