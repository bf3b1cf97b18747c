"""The user's own registry credentials, found where docker and podman look for them.

``--online`` tries these after a pod's own pull secrets. Sources, in order:

1. Docker's ``$DOCKER_CONFIG/config.json`` (default ``~/.docker/config.json``), read as the
   Docker CLI does (docker/cli ``configfile``): ``credHelpers[<host>]`` wins for its host, else
   ``credsStore``, and only with neither the ``auths`` entries. With a helper configured Docker
   asks the helper only, so the ``auths`` entries are not used for that host.
2. ``$REGISTRY_AUTH_FILE`` (the containers tools' ``--authfile``), read as podman does.
3. podman's ``${XDG_RUNTIME_DIR}/containers/auth.json`` (``/run/containers/<uid>/auth.json``
   without ``XDG_RUNTIME_DIR``), then ``${XDG_CONFIG_HOME:-~/.config}/containers/auth.json``.

Missing files are skipped silently; a file or helper that fails becomes a problem message that
names the file or helper and never shows what was read (no user name, password, token or JSON).
Each source gives at most one credential for an image, and a credential already given by an
earlier source is dropped.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from imagelint.core.credential import Credential
from imagelint.online.credhelpers import HelperResult, HelperRunner, run_credential_helper
from imagelint.pullsecrets.dockerconfig import decode_base64

HUB_SERVER = "https://index.docker.io/v1/"  # Docker Hub's key in config.json and helpers
_HUB_HOSTS = ("index.docker.io", "docker.io", "registry-1.docker.io")  # in preference order
TOKEN_USERNAME = "<token>"  # a helper's user name meaning "Secret is an identity token"
_NOT_FOUND = b"credentials not found"  # helpers' answer (on stdout) when they hold nothing


class UserCredential(NamedTuple):
    """A credential of the user's for a registry, and where it was found."""

    source: str  # for people, e.g. "~/.docker/config.json"; never any of the file's content
    credential: Credential  # its repr is redacted
    identity_token: bool = False  # the password is an identity (OAuth2 refresh) token


class _AuthFile(NamedTuple):
    """One configuration file as read: its parts that matter, type-checked."""

    name: str  # for messages and sources
    docker: bool  # read as the Docker CLI does (else as the containers tools do)
    auths: dict[str, Any]  # key -> entry, in file order
    helpers: dict[str, str]  # credHelpers
    store: str | None  # credsStore (Docker only)


class _Answer:
    """A helper's memoized answer; its lock makes concurrent askers wait for one run."""

    __slots__ = ("lock", "done", "value")

    def __init__(self, lock: threading.Lock) -> None:
        self.lock = lock
        self.done = False
        self.value: tuple[Credential, bool] | None = None


class UserCredentials:
    """The user's registry credentials. Nothing is read before the first ``lookup``; files are
    read once and helper answers kept per (helper, server URL). Safe to share between threads."""

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        *,
        home: str | None = None,
        helper_timeout: float = 10.0,
        run_helper: HelperRunner | None = None,
    ) -> None:
        self._environ: Mapping[str, str] = os.environ if environ is None else environ
        self._home = home
        self._timeout = helper_timeout
        if run_helper is None:
            # Helpers are found on this environment's PATH and run in it (an explicit environ
            # is the whole environment they get).
            search_path = self._environ.get("PATH", os.defpath)
            helper_env = None if environ is None else dict(environ)

            def default_runner(program: str, server_url: str, timeout: float) -> HelperResult:
                return run_credential_helper(
                    program, server_url, timeout, path=search_path, env=helper_env
                )

            run_helper = default_runner
        self._run_helper: HelperRunner = run_helper
        self._new_lock = threading.Lock
        self._lock = threading.RLock()  # guards files, answers and problems
        self._files: list[_AuthFile] | None = None
        self._answers: dict[tuple[str, str], _Answer] = {}
        self._problems: dict[str, None] = {}  # an ordered set

    def __repr__(self) -> str:
        return "UserCredentials()"

    @property
    def problems(self) -> list[str]:
        """What could not be read or asked, each once, naming the file or helper only."""
        with self._lock:
            return list(self._problems)

    def lookup(self, registry: str, repository: str) -> list[UserCredential]:
        """The user's credentials for ``registry`` (the image's domain, ``docker.io`` for Docker
        Hub) and ``repository`` (``library/nginx``), one per source at most, in source order,
        without repeats of the same user name and password."""
        found: list[UserCredential] = []
        seen: set[tuple[str, str]] = set()
        for auth_file in self._load():
            if auth_file.docker:
                result = self._docker(auth_file, registry)
            else:
                result = self._containers(auth_file, registry, repository)
            if result is None:
                continue
            source, credential, token = result
            key = (credential.username, credential.password)
            if key not in seen:
                seen.add(key)
                found.append(UserCredential(source, credential, token))
        return found

    # --- the two ways of reading a file ---------------------------------------------------

    def _docker(self, auth_file: _AuthFile, registry: str) -> _Found | None:
        """docker/cli: the credHelpers entry for the server, else credsStore, else the file."""
        hub = _is_hub(registry)
        server = HUB_SERVER if hub else registry
        helper_keys = (HUB_SERVER, "index.docker.io", "docker.io") if hub else (registry,)
        helper, how = _configured_helper(auth_file, helper_keys)
        if helper is None and auth_file.store:
            helper, how = auth_file.store, "credsStore"
        if helper:
            return self._from_helper(helper, how, auth_file.name, server)
        if hub:
            candidates = _keys_with_host(auth_file.auths, _HUB_HOSTS, _docker_hostname)
            keys = [HUB_SERVER, *candidates]
        else:
            keys = [registry, *_keys_with_host(auth_file.auths, (registry,), _docker_hostname)]
        return _first_usable(auth_file, keys)

    def _containers(self, auth_file: _AuthFile, registry: str, repository: str) -> _Found | None:
        """containers/image: the credHelpers entry for the host, else the most specific
        namespace key, else a key naming the same host in URL form."""
        hub = _is_hub(registry)
        host = "docker.io" if hub else registry
        helper_keys = ("docker.io", "index.docker.io", HUB_SERVER) if hub else (registry,)
        helper, how = _configured_helper(auth_file, helper_keys)
        if helper:
            return self._from_helper(helper, how, auth_file.name, host)
        keys = list(_namespaces(host, repository))
        hosts = _HUB_HOSTS if hub else (registry,)
        keys += _keys_with_host(auth_file.auths, hosts, _containers_hostname)
        return _first_usable(auth_file, keys)

    # --- files ----------------------------------------------------------------------------

    def _load(self) -> list[_AuthFile]:
        with self._lock:
            if self._files is None:
                self._files = self._read_all()
            return self._files

    def _read_all(self) -> list[_AuthFile]:
        files: list[_AuthFile] = []
        read: set[str] = set()
        for path, name, docker in self._locations():
            real = os.path.realpath(path)
            if real in read:
                continue
            read.add(real)
            auth_file = self._read(path, name, docker)
            if auth_file is not None:
                files.append(auth_file)
        return files

    def _locations(self) -> Iterator[tuple[str, str, bool]]:
        """(path, name for people, read as Docker does) of every file, in order."""
        environ = self._environ
        home = self._home or environ.get("HOME") or os.path.expanduser("~")
        docker_dir = environ.get("DOCKER_CONFIG")
        if docker_dir:
            path = os.path.join(docker_dir, "config.json")
            yield path, f"$DOCKER_CONFIG/config.json ({path})", True
        else:
            yield os.path.join(home, ".docker", "config.json"), "~/.docker/config.json", True
        auth_file = environ.get("REGISTRY_AUTH_FILE")
        if auth_file:
            yield auth_file, f"$REGISTRY_AUTH_FILE ({auth_file})", False
        for path in podman_auth_files(environ, home):
            yield path, f"podman auth.json ({path})", False

    def _read(self, path: str, name: str, docker: bool) -> _AuthFile | None:
        try:
            with open(path, "rb") as stream:
                raw = stream.read()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:
            self._problem(f"{name} cannot be read: {error.strerror or type(error).__name__}")
            return None
        if not raw.strip():
            return _AuthFile(name, docker, {}, {}, None)  # docker takes an empty file as empty
        try:
            document = json.loads(raw)
        except UnicodeDecodeError:
            self._problem(f"{name} is not UTF-8 text")
            return None
        except json.JSONDecodeError as error:
            self._problem(f"{name} is not valid JSON (line {error.lineno}, column {error.colno})")
            return None
        except ValueError:
            self._problem(f"{name} is not valid JSON")
            return None
        if not isinstance(document, dict):
            self._problem(f"{name} is not a JSON object")
            return None
        auths = document.get("auths")
        if auths is None:
            auths = {}
        elif not isinstance(auths, dict):
            self._problem(f"{name} has an 'auths' that is not an object")
            auths = {}
        helpers = document.get("credHelpers")
        if helpers is None:
            helpers = {}
        elif not isinstance(helpers, dict):
            self._problem(f"{name} has a 'credHelpers' that is not an object")
            helpers = {}
        else:
            helpers = {str(k): v for k, v in helpers.items() if isinstance(v, str)}
        store = document.get("credsStore") if docker else None
        if store is not None and not isinstance(store, str):
            self._problem(f"{name} has a 'credsStore' that is not a string")
            store = None
        return _AuthFile(name, docker, {str(k): v for k, v in auths.items()}, helpers, store)

    # --- helpers --------------------------------------------------------------------------

    def _from_helper(self, helper: str, how: str, file_name: str, server: str) -> _Found | None:
        program = f"docker-credential-{helper}"
        label = f"{program} ({how} in {file_name})"
        answer = self._ask(program, server, label)
        return None if answer is None else (label, answer[0], answer[1])

    def _ask(self, program: str, server: str, label: str) -> tuple[Credential, bool] | None:
        key = (program, server)
        with self._lock:
            answer = self._answers.get(key)
            if answer is None:
                answer = self._answers[key] = _Answer(self._new_lock())
        with answer.lock:
            if not answer.done:
                answer.value = self._run(program, server, label)
                answer.done = True
            return answer.value

    def _run(self, program: str, server: str, label: str) -> tuple[Credential, bool] | None:
        try:
            result = self._run_helper(program, server, self._timeout)
        except Exception:  # a runner's exception text might quote the helper's output
            self._problem(f"{label} could not be run")
            return None
        if result.outcome == "missing":
            self._problem(f"{label} is not installed ({program} is not on PATH)")
            return None
        if result.outcome == "timeout":
            self._problem(f"{label} did not answer within {self._timeout:g} seconds for {server}")
            return None
        if result.outcome != "exited":
            reason = f": {result.reason}" if result.reason else ""
            self._problem(f"{label} could not be run{reason}")
            return None
        if result.exit_status != 0:
            if _NOT_FOUND in result.stdout:
                return None
            self._problem(f"{label} failed for {server} (exit status {result.exit_status})")
            return None
        try:
            document = json.loads(result.stdout)
        except ValueError:  # also UnicodeDecodeError
            document = None
        if not isinstance(document, dict):
            self._problem(f"{label} answered for {server} with something other than JSON")
            return None
        username, secret = document.get("Username"), document.get("Secret")
        if not isinstance(secret, str) or not secret:
            return None
        if not isinstance(username, str):
            username = ""
        return Credential(username, secret), username == TOKEN_USERNAME

    def _problem(self, message: str) -> None:
        with self._lock:  # reentrant: files are read with it held
            self._problems[message] = None


_Found = tuple[str, Credential, bool]  # (source, credential, is an identity token)


def podman_auth_files(environ: Mapping[str, str], home: str) -> list[str]:
    """podman's own auth files, primary first (containers-auth.json(5))."""
    config_home = environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    runtime_dir = environ.get("XDG_RUNTIME_DIR")
    if sys.platform in ("darwin", "win32"):
        primary = os.path.join(home, ".config", "containers", "auth.json")
    elif runtime_dir:
        primary = os.path.join(runtime_dir, "containers", "auth.json")
    elif hasattr(os, "getuid"):
        primary = f"/run/containers/{os.getuid()}/auth.json"
    else:
        primary = os.path.join(home, ".config", "containers", "auth.json")
    secondary = os.path.join(config_home, "containers", "auth.json")
    return [primary] if secondary == primary else [primary, secondary]


def _is_hub(registry: str) -> bool:
    return registry.lower() in _HUB_HOSTS


def _configured_helper(auth_file: _AuthFile, keys: tuple[str, ...]) -> tuple[str | None, str]:
    """The credHelpers entry for the first of ``keys`` present ("" when present but empty,
    which makes Docker use the file)."""
    for key in keys:
        if key in auth_file.helpers:
            return auth_file.helpers[key], "credHelpers"
    return None, ""


def _docker_hostname(key: str) -> str:
    """docker/cli ``ConvertToHostname``: the host[:port] of a URL, else up to the first '/'."""
    if "://" in key:
        netloc = key.partition("://")[2].partition("/")[0].rpartition("@")[2]
        if netloc and not netloc.startswith(":"):
            return netloc.lower()
    return key.partition("/")[0].lower()


def _containers_hostname(key: str) -> str:
    """containers/image: a key with a scheme stands for its host; any other key as written
    (a namespace key covers its namespace only)."""
    for scheme in ("http://", "https://"):
        if key.startswith(scheme):
            return key[len(scheme) :].partition("/")[0].lower()
    return key.lower()


def _keys_with_host(
    auths: dict[str, Any], hosts: tuple[str, ...], hostname: Callable[[str], str]
) -> list[str]:
    """The keys whose host is one of ``hosts`` (in that preference order), in file order."""
    wanted = [host.lower() for host in hosts]
    return [key for host in wanted for key in auths if hostname(key) == host]


def _namespaces(host: str, repository: str) -> Iterator[str]:
    """``reg.io/a/b`` -> ``reg.io/a/b``, ``reg.io/a``, ``reg.io``."""
    name = f"{host}/{repository.strip('/')}" if repository.strip("/") else host
    while True:
        yield name
        if "/" not in name:
            return
        name = name.rpartition("/")[0]


def _first_usable(auth_file: _AuthFile, keys: list[str]) -> _Found | None:
    tried: set[str] = set()
    for key in keys:
        if key in tried or key not in auth_file.auths:
            continue
        tried.add(key)
        decoded = entry_credential(auth_file.auths[key])
        if decoded is not None:
            return auth_file.name, decoded[0], decoded[1]
    return None


def entry_credential(entry: object) -> tuple[Credential, bool] | None:
    """An ``auths`` entry's credential and whether it is an identity token, or None.

    ``auth`` (base64 of ``user:password``, padding optional) is read first, then ``username``
    and ``password``. An ``identitytoken`` wins over both, as docker and podman send it instead
    of the password (``docker login`` stores the user name beside it, with no password)."""
    if not isinstance(entry, dict):
        return None
    username: str | None = None
    password = ""
    auth = entry.get("auth")
    if isinstance(auth, str) and auth.strip():
        text = auth.strip()
        decoded = decode_base64(text + "=" * (-len(text) % 4))
        if decoded is not None:
            user, colon, secret = decoded.decode("utf-8", errors="replace").partition(":")
            if colon:
                username, password = user, secret.strip("\x00")
    if username is None:
        given_user, given_password = entry.get("username"), entry.get("password")
        if isinstance(given_user, str) and isinstance(given_password, str):
            username, password = given_user, given_password
        elif isinstance(given_user, str):
            username = given_user
    token = entry.get("identitytoken")
    if isinstance(token, str) and token:
        return Credential(username or TOKEN_USERNAME, token), True
    if username is not None and password:
        return Credential(username, password), False
    return None
