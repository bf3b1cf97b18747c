"""The user's own registry credentials (docker config.json, credential helpers, podman auth.json).

Every test builds its own home, environment and helpers under tmp_path: the real user's files
and helpers are never read or run."""

from __future__ import annotations

import base64
import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from imagelint.core.credential import Credential
from imagelint.online.credentials import (
    UserCredential,
    UserCredentials,
    entry_credential,
    podman_auth_files,
)
from imagelint.online.credhelpers import HelperResult

MARKER = "s3cr3t-MARKER-7f1c"  # a password that must never show in problems or reprs


def b64(text: str, padded: bool = True) -> str:
    encoded = base64.b64encode(text.encode()).decode()
    return encoded if padded else encoded.rstrip("=")


class Env:
    """A fake user: a home, an environment and a bin directory for helpers."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.home.mkdir()
        self.bin = root / "bin"
        self.bin.mkdir()
        self.runtime = root / "run"
        self.runtime.mkdir()
        self.log = root / "helper-calls.log"
        self.environ: dict[str, str] = {
            "HOME": str(self.home),
            # the helpers' directory, then the system's (for sh's sleep and cat)
            "PATH": os.pathsep.join([str(self.bin), "/usr/bin", "/bin"]),
            "XDG_RUNTIME_DIR": str(self.runtime),
        }

    def write_json(self, path: Path, document: object) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document))
        return path

    def docker_config(self, document: object) -> Path:
        return self.write_json(self.home / ".docker" / "config.json", document)

    def podman_runtime(self, document: object) -> Path:
        return self.write_json(self.runtime / "containers" / "auth.json", document)

    def podman_config(self, document: object) -> Path:
        return self.write_json(self.home / ".config" / "containers" / "auth.json", document)

    def helper(self, name: str, answers: dict[str, tuple[str, str]]) -> Path:
        """docker-credential-<name>: JSON for the servers in ``answers``, "not found" (exit 1)
        for the others; each call is logged as "<name> <server>"."""
        script = self.bin / f"docker-credential-{name}"
        table = {server: {"Username": u, "Secret": s} for server, (u, s) in answers.items()}
        script.write_text(
            f"#!{sys.executable}\n"
            "import json, sys\n"
            f"ANSWERS = {table!r}\n"
            "assert sys.argv[1:] == ['get'], sys.argv\n"
            "server = sys.stdin.read().strip()\n"
            f"with open({str(self.log)!r}, 'a') as log:\n"
            f"    log.write({name!r} + ' ' + server + '\\n')\n"
            "if server in ANSWERS:\n"
            "    answer = dict(ANSWERS[server], ServerURL=server)\n"
            "    sys.stdout.write(json.dumps(answer))\n"
            "else:\n"
            "    sys.stdout.write('credentials not found in native keychain\\n')\n"
            "    sys.exit(1)\n"
        )
        script.chmod(0o755)
        return script

    def shell_helper(self, name: str, body: str) -> Path:
        script = self.bin / f"docker-credential-{name}"
        script.write_text("#!/bin/sh\n" + body + "\n")
        script.chmod(0o755)
        return script

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def credentials(self, **kwargs: object) -> UserCredentials:
        return UserCredentials(self.environ, home=str(self.home), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return Env(tmp_path)


def pairs(found: list[UserCredential]) -> list[tuple[str, str, bool]]:
    return [(f.credential.username, f.credential.password, f.identity_token) for f in found]


# --- entries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("padded", [True, False])
def test_auth_base64_padded_and_unpadded(env: Env, padded: bool) -> None:
    env.docker_config({"auths": {"reg.io": {"auth": b64("alice:pw1", padded)}}})
    found = env.credentials().lookup("reg.io", "acme/api")
    assert pairs(found) == [("alice", "pw1", False)]
    assert found[0].source == "~/.docker/config.json"


def test_auth_password_keeps_colons(env: Env) -> None:
    env.docker_config({"auths": {"reg.io": {"auth": b64("bob:a:b:c")}}})
    assert pairs(env.credentials().lookup("reg.io", "x")) == [("bob", "a:b:c", False)]


def test_username_and_password_fields(env: Env) -> None:
    env.docker_config({"auths": {"reg.io": {"username": "carol", "password": "pw2"}}})
    assert pairs(env.credentials().lookup("reg.io", "x")) == [("carol", "pw2", False)]


def test_identity_token(env: Env) -> None:
    env.docker_config(
        {
            "auths": {
                "a.io": {"identitytoken": "tok-a"},
                "b.io": {
                    "auth": b64("00000000-0000-0000-0000-000000000000:"),
                    "identitytoken": "t",
                },
            }
        }
    )
    credentials = env.credentials()
    assert pairs(credentials.lookup("a.io", "x")) == [("<token>", "tok-a", True)]
    assert pairs(credentials.lookup("b.io", "x")) == [
        ("00000000-0000-0000-0000-000000000000", "t", True)
    ]


@pytest.mark.parametrize(
    "entry",
    [{}, {"email": "a@b.c"}, {"auth": "!!!notbase64"}, {"auth": b64("nocolon")}, "text", None],
)
def test_unusable_entries_are_skipped_quietly(env: Env, entry: object) -> None:
    env.docker_config({"auths": {"reg.io": entry}})
    credentials = env.credentials()
    assert credentials.lookup("reg.io", "x") == []
    assert credentials.problems == []
    assert entry_credential(entry) is None


# --- docker key forms ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"],
)
@pytest.mark.parametrize("domain", ["docker.io", "index.docker.io", "registry-1.docker.io"])
def test_docker_hub_key_forms(env: Env, key: str, domain: str) -> None:
    env.docker_config({"auths": {key: {"auth": b64("hubuser:hubpw")}}})
    assert pairs(env.credentials().lookup(domain, "library/nginx")) == [("hubuser", "hubpw", False)]


def test_docker_hub_prefers_the_v1_key(env: Env) -> None:
    env.docker_config(
        {
            "auths": {
                "docker.io": {"auth": b64("second:pw")},
                "https://index.docker.io/v1/": {"auth": b64("first:pw")},
            }
        }
    )
    assert pairs(env.credentials().lookup("docker.io", "acme/api")) == [("first", "pw", False)]


def test_docker_hub_key_does_not_match_other_registries(env: Env) -> None:
    env.docker_config({"auths": {"https://index.docker.io/v1/": {"auth": b64("hub:pw")}}})
    assert env.credentials().lookup("ghcr.io", "acme/api") == []


@pytest.mark.parametrize(
    ("key", "registry"),
    [
        ("localhost:5000", "localhost:5000"),
        ("https://reg.io/", "reg.io"),
        ("https://reg.io", "reg.io"),
        ("http://reg.io:5000/v2/", "reg.io:5000"),
        ("https://user@reg.io:8443/v1/", "reg.io:8443"),
        ("reg.io/some/path", "reg.io"),
    ],
)
def test_docker_host_and_url_keys(env: Env, key: str, registry: str) -> None:
    env.docker_config({"auths": {key: {"auth": b64("u:p")}}})
    assert pairs(env.credentials().lookup(registry, "acme/api")) == [("u", "p", False)]


@pytest.mark.parametrize(
    ("key", "registry"),
    [("reg.io", "reg.io:5000"), ("reg.io:5000", "reg.io"), ("http://reg.io:5000/", "reg.io")],
)
def test_docker_ports_must_agree(env: Env, key: str, registry: str) -> None:
    env.docker_config({"auths": {key: {"auth": b64("u:p")}}})
    assert env.credentials().lookup(registry, "x") == []


def test_docker_exact_key_wins_over_url_form(env: Env) -> None:
    env.docker_config(
        {"auths": {"https://reg.io/": {"auth": b64("url:p1")}, "reg.io": {"auth": b64("host:p2")}}}
    )
    assert pairs(env.credentials().lookup("reg.io", "x")) == [("host", "p2", False)]


def test_docker_config_env_var(env: Env, tmp_path: Path) -> None:
    elsewhere = env.write_json(
        tmp_path / "dc" / "config.json", {"auths": {"reg.io": {"auth": b64("dc:pw")}}}
    )
    env.docker_config({"auths": {"reg.io": {"auth": b64("home:pw")}}})
    env.environ["DOCKER_CONFIG"] = str(elsewhere.parent)
    found = env.credentials().lookup("reg.io", "x")
    assert pairs(found) == [("dc", "pw", False)]
    assert found[0].source == f"$DOCKER_CONFIG/config.json ({elsewhere})"


# --- credential helpers ----------------------------------------------------------------------


def test_cred_helpers_win_for_their_host(env: Env) -> None:
    env.helper("fake", {"ghcr.io": ("helperuser", "helperpw")})
    env.docker_config(
        {
            "auths": {
                "ghcr.io": {"auth": b64("fileuser:filepw")},
                "quay.io": {"auth": b64("q:qpw")},
            },
            "credHelpers": {"ghcr.io": "fake"},
        }
    )
    credentials = env.credentials()
    found = credentials.lookup("ghcr.io", "acme/api")
    assert pairs(found) == [("helperuser", "helperpw", False)]
    assert found[0].source == "docker-credential-fake (credHelpers in ~/.docker/config.json)"
    assert pairs(credentials.lookup("quay.io", "acme/api")) == [("q", "qpw", False)]
    assert env.calls() == ["fake ghcr.io"]
    assert credentials.problems == []


def test_creds_store_is_asked_and_the_file_is_not_used(env: Env) -> None:
    env.helper("store", {"https://index.docker.io/v1/": ("hub", "hubpw")})
    env.docker_config(
        {
            "auths": {"https://index.docker.io/v1/": {}, "reg.io": {"auth": b64("file:pw")}},
            "credsStore": "store",
        }
    )
    credentials = env.credentials()
    found = credentials.lookup("docker.io", "library/nginx")
    assert pairs(found) == [("hub", "hubpw", False)]
    assert found[0].source == "docker-credential-store (credsStore in ~/.docker/config.json)"
    assert credentials.lookup("reg.io", "x") == []  # the store does not know it
    assert env.calls() == ["store https://index.docker.io/v1/", "store reg.io"]
    assert credentials.problems == []  # "not found" is no problem


def test_cred_helpers_win_over_creds_store(env: Env) -> None:
    env.helper("store", {"reg.io": ("fromstore", "p1")})
    env.helper("special", {"reg.io": ("fromhelper", "p2")})
    env.docker_config({"credsStore": "store", "credHelpers": {"reg.io": "special"}})
    assert pairs(env.credentials().lookup("reg.io", "x")) == [("fromhelper", "p2", False)]
    assert env.calls() == ["special reg.io"]


@pytest.mark.parametrize("key", ["docker.io", "index.docker.io", "https://index.docker.io/v1/"])
def test_cred_helpers_hub_keys(env: Env, key: str) -> None:
    env.helper("hub", {"https://index.docker.io/v1/": ("hub", "pw")})
    env.docker_config({"credHelpers": {key: "hub"}})
    assert pairs(env.credentials().lookup("docker.io", "library/nginx")) == [("hub", "pw", False)]


def test_helper_answers_are_memoized(env: Env) -> None:
    env.helper("fake", {"reg.io": ("u", "p")})
    env.docker_config({"credsStore": "fake"})
    credentials = env.credentials()
    for repository in ("a", "b", "c/d"):
        assert pairs(credentials.lookup("reg.io", repository)) == [("u", "p", False)]
    assert credentials.lookup("other.io", "a") == []
    assert credentials.lookup("other.io", "b") == []
    assert env.calls() == ["fake reg.io", "fake other.io"]


def test_token_username_means_identity_token(env: Env) -> None:
    env.helper("acr", {"acme.azurecr.io": ("<token>", "refresh-token")})
    env.docker_config({"credHelpers": {"acme.azurecr.io": "acr"}})
    found = env.credentials().lookup("acme.azurecr.io", "api")
    assert pairs(found) == [("<token>", "refresh-token", True)]


def test_missing_helper_is_a_problem(env: Env) -> None:
    env.docker_config({"auths": {"reg.io": {"auth": b64("u:p")}}, "credsStore": "nowhere"})
    credentials = env.credentials()
    assert credentials.lookup("reg.io", "x") == []
    assert credentials.lookup("other.io", "x") == []
    assert credentials.problems == [
        "docker-credential-nowhere (credsStore in ~/.docker/config.json) is not installed "
        "(docker-credential-nowhere is not on PATH)"
    ]


def test_hanging_helper_times_out(env: Env) -> None:
    env.shell_helper("slow", "sleep 30")  # sh waits for its child, which holds the pipes
    env.docker_config({"credsStore": "slow"})
    env.podman_config({"auths": {"reg.io": {"auth": b64("podman:pw")}}})
    credentials = env.credentials(helper_timeout=0.5)
    started = time.monotonic()
    assert pairs(credentials.lookup("reg.io", "x")) == [("podman", "pw", False)]
    assert time.monotonic() - started < 5
    assert credentials.problems == [
        "docker-credential-slow (credsStore in ~/.docker/config.json) did not answer within "
        "0.5 seconds for reg.io"
    ]


def test_failing_helper_is_a_problem_without_its_output(env: Env) -> None:
    env.shell_helper("broken", f"echo '{MARKER}'; echo '{MARKER}' >&2; exit 3")
    env.shell_helper("garbage", f"echo 'not json {MARKER}'")
    env.docker_config({"credHelpers": {"a.io": "broken", "b.io": "garbage"}})
    credentials = env.credentials()
    assert credentials.lookup("a.io", "x") == []
    assert credentials.lookup("b.io", "x") == []
    problems = credentials.problems
    assert problems == [
        "docker-credential-broken (credHelpers in ~/.docker/config.json) failed for a.io "
        "(exit status 3)",
        "docker-credential-garbage (credHelpers in ~/.docker/config.json) answered for b.io "
        "with something other than JSON",
    ]
    assert not any(MARKER in problem for problem in problems)


def test_helper_empty_answer_means_none(env: Env) -> None:
    env.helper("empty", {"reg.io": ("", "")})
    env.docker_config({"credsStore": "empty"})
    credentials = env.credentials()
    assert credentials.lookup("reg.io", "x") == []
    assert credentials.problems == []


def test_injected_runner(env: Env) -> None:
    seen: list[tuple[str, str, float]] = []

    def runner(program: str, server: str, timeout: float) -> HelperResult:
        seen.append((program, server, timeout))
        return HelperResult("exited", 0, json.dumps({"Username": "i", "Secret": MARKER}).encode())

    env.docker_config({"credsStore": "injected"})
    credentials = env.credentials(run_helper=runner, helper_timeout=3.0)
    assert pairs(credentials.lookup("docker.io", "library/nginx")) == [("i", MARKER, False)]
    assert seen == [("docker-credential-injected", "https://index.docker.io/v1/", 3.0)]
    assert MARKER not in repr(HelperResult("exited", 0, MARKER.encode()))


def test_runner_exception_is_a_problem_without_its_text(env: Env) -> None:
    def runner(program: str, server: str, timeout: float) -> HelperResult:
        raise RuntimeError(MARKER)

    env.docker_config({"credsStore": "boom"})
    credentials = env.credentials(run_helper=runner)
    assert credentials.lookup("reg.io", "x") == []
    assert credentials.problems == [
        "docker-credential-boom (credsStore in ~/.docker/config.json) could not be run"
    ]


# --- podman / containers auth files ----------------------------------------------------------


def test_registry_auth_file(env: Env, tmp_path: Path) -> None:
    path = env.write_json(tmp_path / "auth.json", {"auths": {"reg.io": {"auth": b64("raf:pw")}}})
    env.environ["REGISTRY_AUTH_FILE"] = str(path)
    found = env.credentials().lookup("reg.io", "x")
    assert pairs(found) == [("raf", "pw", False)]
    assert found[0].source == f"$REGISTRY_AUTH_FILE ({path})"


def test_podman_namespace_keys_most_specific_first(env: Env) -> None:
    env.podman_runtime(
        {
            "auths": {
                "reg.io": {"auth": b64("host:p0")},
                "reg.io/ns": {"auth": b64("ns:p1")},
                "reg.io/ns/sub": {"auth": b64("sub:p2")},
                "reg.io/ns/sub/image": {"auth": b64("image:p3")},
                "reg.io/other": {"auth": b64("other:p4")},
            }
        }
    )
    credentials = env.credentials()
    assert pairs(credentials.lookup("reg.io", "ns/sub/image")) == [("image", "p3", False)]
    assert pairs(credentials.lookup("reg.io", "ns/sub/image2")) == [("sub", "p2", False)]
    assert pairs(credentials.lookup("reg.io", "ns/x")) == [("ns", "p1", False)]
    assert pairs(credentials.lookup("reg.io", "nsx/y")) == [("host", "p0", False)]
    assert pairs(credentials.lookup("reg.io", "otherthing")) == [("host", "p0", False)]


def test_podman_namespace_key_covers_its_namespace_only(env: Env) -> None:
    env.podman_runtime({"auths": {"reg.io/team": {"auth": b64("team:pw")}}})
    credentials = env.credentials()
    assert credentials.lookup("reg.io", "elsewhere/app") == []
    assert pairs(credentials.lookup("reg.io", "team/app")) == [("team", "pw", False)]


@pytest.mark.parametrize(
    "key",
    [
        "docker.io",
        "docker.io/library",
        "index.docker.io",
        "registry-1.docker.io",
        "https://index.docker.io/v1/",
    ],
)
def test_podman_docker_hub_keys(env: Env, key: str) -> None:
    env.podman_config({"auths": {key: {"auth": b64("hub:pw")}}})
    found = env.credentials().lookup("docker.io", "library/nginx")
    assert pairs(found) == [("hub", "pw", False)]
    assert found[0].source == f"podman auth.json ({env.home}/.config/containers/auth.json)"


def test_podman_url_keys(env: Env) -> None:
    env.podman_runtime({"auths": {"http://reg.io:5000/v2/": {"auth": b64("u:p")}}})
    assert pairs(env.credentials().lookup("reg.io:5000", "a/b")) == [("u", "p", False)]


def test_podman_cred_helpers(env: Env) -> None:
    env.helper("pod", {"docker.io": ("hub", "pw"), "quay.io": ("q", "qpw")})
    env.podman_runtime(
        {
            "auths": {"quay.io": {"auth": b64("file:pw")}},
            "credHelpers": {"docker.io": "pod", "quay.io": "pod"},
            "credsStore": "ignored-by-podman",
        }
    )
    credentials = env.credentials()
    assert pairs(credentials.lookup("docker.io", "library/nginx")) == [("hub", "pw", False)]
    assert pairs(credentials.lookup("quay.io", "a/b")) == [("q", "qpw", False)]
    assert pairs(credentials.lookup("ghcr.io", "a/b")) == []
    assert credentials.problems == []


def test_podman_paths(tmp_path: Path) -> None:
    home = str(tmp_path)
    assert podman_auth_files({"XDG_RUNTIME_DIR": "/run/user/1000"}, home) == [
        "/run/user/1000/containers/auth.json",
        f"{home}/.config/containers/auth.json",
    ]
    assert podman_auth_files({"XDG_CONFIG_HOME": "/cfg"}, home) == [
        f"/run/containers/{os.getuid()}/auth.json",
        "/cfg/containers/auth.json",
    ]


# --- order, duplicates, problems -------------------------------------------------------------


def test_order_across_sources_and_duplicates(env: Env, tmp_path: Path) -> None:
    env.docker_config({"auths": {"reg.io": {"auth": b64("docker:pw")}}})
    raf = env.write_json(
        tmp_path / "raf.json", {"auths": {"reg.io": {"auth": b64("registry-auth-file:pw")}}}
    )
    env.environ["REGISTRY_AUTH_FILE"] = str(raf)
    env.podman_runtime({"auths": {"reg.io": {"auth": b64("docker:pw")}}})  # a duplicate
    env.podman_config({"auths": {"reg.io/acme": {"username": "config", "password": "pw"}}})
    found = env.credentials().lookup("reg.io", "acme/api")
    assert [(f.source, f.credential.username) for f in found] == [
        ("~/.docker/config.json", "docker"),
        (f"$REGISTRY_AUTH_FILE ({raf})", "registry-auth-file"),
        (f"podman auth.json ({env.home}/.config/containers/auth.json)", "config"),
    ]


def test_same_file_named_twice_is_read_once(env: Env) -> None:
    path = env.podman_runtime({"auths": {"reg.io": {"auth": b64("u:p")}}})
    env.environ["REGISTRY_AUTH_FILE"] = str(path)
    found = env.credentials().lookup("reg.io", "x")
    assert [f.source for f in found] == [f"$REGISTRY_AUTH_FILE ({path})"]


def test_invalid_json_is_a_problem_without_content(env: Env) -> None:
    path = env.home / ".docker" / "config.json"
    path.parent.mkdir()
    path.write_text('{"auths": {"reg.io": {"password": "' + MARKER + '",\n  }}')
    env.podman_config({"auths": {"reg.io": {"auth": b64("podman:pw")}}})
    credentials = env.credentials()
    assert pairs(credentials.lookup("reg.io", "x")) == [("podman", "pw", False)]
    assert pairs(credentials.lookup("reg.io", "y")) == [("podman", "pw", False)]
    assert credentials.problems == ["~/.docker/config.json is not valid JSON (line 2, column 3)"]
    assert not any(MARKER in problem for problem in credentials.problems)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"[1, 2]", "is not a JSON object"),
        (b'{"auths": "' + MARKER.encode() + b'"}', "has an 'auths' that is not an object"),
        (b'{"auths": {}, "credHelpers": ["x"]}', "has a 'credHelpers' that is not an object"),
        (b'{"a": "\xff' + MARKER.encode() + b'"}', "is not UTF-8 text"),
    ],
)
def test_malformed_files_are_problems(env: Env, content: bytes, problem: str) -> None:
    path = env.podman_runtime({})
    path.write_bytes(content)
    credentials = env.credentials()
    assert credentials.lookup("reg.io", "x") == []
    assert credentials.problems == [f"podman auth.json ({path}) {problem}"]
    assert not any(MARKER in text for text in credentials.problems)


def test_empty_file_is_no_problem(env: Env) -> None:
    (env.home / ".docker").mkdir()
    (env.home / ".docker" / "config.json").write_text("\n")
    credentials = env.credentials()
    assert credentials.lookup("reg.io", "x") == []
    assert credentials.problems == []


def test_unreadable_file_is_a_problem(env: Env) -> None:
    (env.runtime / "containers" / "auth.json").mkdir(parents=True)  # a directory: EISDIR
    env.docker_config({"auths": {"reg.io": {"auth": b64("docker:pw")}}})
    credentials = env.credentials()
    assert pairs(credentials.lookup("reg.io", "x")) == [("docker", "pw", False)]
    path = env.runtime / "containers" / "auth.json"
    assert credentials.problems == [f"podman auth.json ({path}) cannot be read: Is a directory"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_permission_denied_is_a_problem(env: Env) -> None:
    path = env.docker_config({"auths": {"reg.io": {"auth": b64("u:" + MARKER)}}})
    path.chmod(0)
    credentials = env.credentials()
    assert credentials.lookup("reg.io", "x") == []
    assert credentials.problems == ["~/.docker/config.json cannot be read: Permission denied"]


def test_missing_files_are_silent_and_nothing_is_read_before_lookup(env: Env) -> None:
    credentials = env.credentials()
    env.docker_config({"auths": {"reg.io": {"auth": b64("late:pw")}}})  # after __init__
    assert pairs(credentials.lookup("reg.io", "x")) == [("late", "pw", False)]
    assert credentials.lookup("nothing.io", "x") == []
    assert credentials.problems == []


def test_files_are_read_once(env: Env) -> None:
    path = env.docker_config({"auths": {"reg.io": {"auth": b64("first:pw")}}})
    credentials = env.credentials()
    assert pairs(credentials.lookup("reg.io", "x")) == [("first", "pw", False)]
    path.write_text(json.dumps({"auths": {"reg.io": {"auth": b64("second:pw")}}}))
    assert pairs(credentials.lookup("reg.io", "x")) == [("first", "pw", False)]


def test_concurrent_lookups_run_each_helper_once(env: Env) -> None:
    env.shell_helper(
        "slowish",
        f"echo \"slowish $(cat)\" >> '{env.log}'; sleep 0.3; "
        'echo \'{"Username": "u", "Secret": "p"}\'',
    )
    env.docker_config({"credsStore": "slowish"})
    credentials = env.credentials()
    results: list[list[tuple[str, str, bool]]] = []

    def worker() -> None:
        results.append(pairs(credentials.lookup("reg.io", "x")))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [[("u", "p", False)]] * 8
    assert env.calls() == ["slowish reg.io"]


# --- secrecy ---------------------------------------------------------------------------------


def test_reprs_hide_secrets(env: Env) -> None:
    env.docker_config({"auths": {"reg.io": {"auth": b64("user-MARKER:" + MARKER)}}})
    credentials = env.credentials()
    found = credentials.lookup("reg.io", "x")
    assert len(found) == 1
    for text in (repr(found), str(found), repr(found[0]), repr(credentials)):
        assert MARKER not in text
        assert "user-MARKER" not in text
    direct = UserCredential("s", Credential("someone", MARKER), True)
    assert MARKER not in repr(direct) and "someone" not in repr(direct)


def test_permission_denied_message(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same as above for root, who reads any file: the refusal is simulated."""
    import errno

    from imagelint.online import credentials as module

    path = env.docker_config({"auths": {"reg.io": {"auth": b64("u:" + MARKER)}}})
    real_open = open

    def refusing_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(file) == str(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(module, "open", refusing_open, raising=False)
    credentials = env.credentials()
    assert credentials.lookup("reg.io", "x") == []
    assert credentials.problems == ["~/.docker/config.json cannot be read: Permission denied"]
