"""A real ``docker-registry`` (distribution 2.8.2, Debian package) run as a child process.

Each instance gets its own directory (config, storage, log, TLS files), listens on
127.0.0.1 with port 0 (the chosen port is read from the ``listening on`` log line) and is
killed by ``stop()``/``close()``. Images are pushed over HTTP with the registry API, no
docker needed; the authenticated flavours push with admin credentials.
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import re
import secrets
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from .images import (
    ACCEPT_ALL,
    DEFAULT_PLATFORMS,
    KINDS,
    ImageManifest,
    Platform,
    PushResult,
    build_image,
    build_index,
    platform_image,
    sha256_digest,
)
from .tokens import Grants, TokenServer, TokenUser

DEFAULT_BINARY = "/usr/bin/docker-registry"
BINARY_ENV = "IMAGELINT_REGISTRY_BIN"

FLAVOURS = {  # flavour -> (auth, tls)
    "plain": ("none", False),
    "basic": ("basic", False),
    "token": ("token", False),
    "tls": ("none", True),
}

#: htpasswd users of the "basic" flavour (name -> password). All of them may push and pull:
#: htpasswd has authentication only, no per-user authorization.
BASIC_USERS = {"alice": "wonderland-42", "admin": "admin-pass-42"}

#: Token users of the "token" flavour.
TOKEN_USERS = (
    TokenUser("admin", "admin-pass-42", {"*": ["*"], "registry:catalog": ["*"]}),
    TokenUser("reader", "reader-pass-42", {"*": ["pull"]}),
    # Authenticates fine but gets no pull on anything outside public/* (insufficient_scope).
    TokenUser("nopull", "nopull-pass-42", {"public/*": ["pull"]}),
)
#: What the token server grants without credentials.
TOKEN_ANONYMOUS: Grants = {"public/*": ["pull"]}

_LISTENING = re.compile(r'msg="listening on (\S+?)(, tls)?"')
_LIVE: set[subprocess.Popen] = set()


@atexit.register
def _kill_leftovers() -> None:  # a safety net: fixtures stop their registries themselves
    for process in list(_LIVE):
        if process.poll() is None:
            process.kill()


class RegistryError(RuntimeError):
    pass


def registry_binary() -> str:
    return os.environ.get(BINARY_ENV) or DEFAULT_BINARY


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class Registry:
    """One registry process. Create with :func:`start_registry` (or construct, then start())."""

    def __init__(
        self,
        directory: Path,
        *,
        flavour: str = "plain",
        auth: str | None = None,
        tls: bool | None = None,
        binary: str | None = None,
        basic_users: Mapping[str, str] | None = None,
        token_users: Iterable[TokenUser] | None = None,
        anonymous: Grants | None = TOKEN_ANONYMOUS,
        ca=None,
        cert_hosts: Sequence[str] = ("127.0.0.1", "localhost"),
        delete_enabled: bool = True,
    ) -> None:
        if flavour not in FLAVOURS:
            raise ValueError(f"flavour is one of {sorted(FLAVOURS)}, not {flavour!r}")
        default_auth, default_tls = FLAVOURS[flavour]
        self.flavour = flavour
        self.auth = auth or default_auth
        self.tls = default_tls if tls is None else tls
        if self.auth not in ("none", "basic", "token"):
            raise ValueError(f"auth is none, basic or token, not {self.auth!r}")
        self.binary = binary or registry_binary()
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.storage = self.directory / "data"
        self.config_file = self.directory / "config.json"
        self.log_file = self.directory / "registry.log"
        self.delete_enabled = delete_enabled
        self.secret = secrets.token_hex(16)
        self.port = 0
        self.process: subprocess.Popen | None = None
        self._client = None

        self.username: str | None = None
        self.password: str | None = None
        self.admin_username: str | None = None
        self.admin_password: str | None = None
        self.users: dict[str, str] = {}
        self.htpasswd_file: Path | None = None
        self.token_server: TokenServer | None = None
        if self.auth == "basic":
            self.users = dict(BASIC_USERS if basic_users is None else basic_users)
            self._write_htpasswd()
        elif self.auth == "token":
            users = list(TOKEN_USERS if token_users is None else token_users)
            self.token_server = TokenServer(
                self.directory / "token", users=users, anonymous=anonymous
            )
            self.users = {u.name: u.password for u in users}
        if self.users:
            names = list(self.users)
            self.admin_username = "admin" if "admin" in self.users else names[0]
            self.admin_password = self.users[self.admin_username]
            preferred = "alice" if self.auth == "basic" else "reader"
            others = [n for n in names if n != self.admin_username] or names
            self.username = preferred if preferred in self.users else others[0]
            self.password = self.users[self.username]

        self.ca = None
        self.ca_file: str | None = None
        self.cert_hosts = tuple(cert_hosts)
        if self.tls:
            self._write_tls_files(ca)

    # -- set-up files ----------------------------------------------------------------------

    def _write_htpasswd(self) -> None:
        import bcrypt  # rounds=4: the registry pays the bcrypt cost on every request

        self.htpasswd_file = self.directory / "htpasswd"
        lines = [
            f"{name}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()}\n"
            for name, password in self.users.items()
        ]
        self.htpasswd_file.write_text("".join(lines))

    def _write_tls_files(self, ca) -> None:
        import trustme

        self.ca = ca or trustme.CA(organization_name="imagelint test CA")
        tls_dir = self.directory / "tls"
        tls_dir.mkdir(exist_ok=True)
        leaf = self.ca.issue_cert(*self.cert_hosts)
        self.ca.cert_pem.write_to_path(str(tls_dir / "ca.pem"))
        leaf.private_key_pem.write_to_path(str(tls_dir / "server.key"))
        (tls_dir / "server.pem").write_bytes(b"".join(b.bytes() for b in leaf.cert_chain_pems))
        self.ca_file = str(tls_dir / "ca.pem")

    def _config(self) -> dict:
        storage: dict = {
            "filesystem": {"rootdirectory": str(self.storage)},
            "cache": {"blobdescriptor": "inmemory"},
            "maintenance": {"uploadpurging": {"enabled": False}},
        }
        if self.delete_enabled:
            storage["delete"] = {"enabled": True}
        http: dict = {"addr": f"127.0.0.1:{self.port}", "secret": self.secret}
        if self.tls:
            tls_dir = self.directory / "tls"
            http["tls"] = {
                "certificate": str(tls_dir / "server.pem"),
                "key": str(tls_dir / "server.key"),
            }
        config: dict = {
            "version": "0.1",
            "log": {"level": "info", "accesslog": {"disabled": True}},
            "storage": storage,
            "http": http,
        }
        if self.auth == "basic":
            config["auth"] = {
                "htpasswd": {"realm": "imagelint-test", "path": str(self.htpasswd_file)}
            }
        elif self.auth == "token":
            ts = self.token_server
            config["auth"] = {
                "token": {
                    "realm": ts.realm,
                    "service": ts.service,
                    "issuer": ts.issuer,
                    "rootcertbundle": str(ts.cert_file),
                }
            }
        return config

    # -- addresses ---------------------------------------------------------------------------

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def realm(self) -> str | None:
        return self.token_server.realm if self.token_server else None

    @property
    def service(self) -> str | None:
        return self.token_server.service if self.token_server else None

    def image(self, repo: str, tag: str = "latest") -> str:
        return f"{self.host}/{repo}:{tag}"

    def ssl_context(self) -> ssl.SSLContext | None:
        """A fresh context that trusts only the test CA (None for plain HTTP)."""
        return ssl.create_default_context(cafile=self.ca_file) if self.ca_file else None

    def client(self, **kwargs):
        """An ``httpx.Client`` for this registry: base_url, CA, no proxies from the env, no auth."""
        import httpx

        kwargs.setdefault("verify", self.ssl_context() or True)
        kwargs.setdefault("timeout", 10.0)
        kwargs.setdefault("trust_env", False)
        return httpx.Client(base_url=self.url, **kwargs)

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Registry {self.flavour} {self.url} {state} log={self.log_file}>"

    # -- process -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_text(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    def start(self, timeout: float = 15.0) -> Registry:
        """Start (or restart after stop(), on the same port and storage)."""
        if self.running:
            return self
        if self.token_server is not None and not self.token_server.running:
            self.token_server.start()
        self.config_file.write_text(json.dumps(self._config(), indent=2))
        offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "serve", str(self.config_file)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        _LIVE.add(self.process)
        deadline = time.monotonic() + timeout
        while True:
            with self.log_file.open("rb") as log:
                log.seek(offset)
                found = _LISTENING.search(log.read().decode(errors="replace"))
            if found:
                self.port = int(found.group(1).rsplit(":", 1)[1])
                break
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = self.log_text()[-3000:]
                raise RegistryError(f"docker-registry did not start; {self.log_file}:\n{tail}")
            time.sleep(0.005)
        self._wait_ready(deadline)
        return self

    def _wait_ready(self, deadline: float) -> None:
        while True:
            try:
                status = self._http().get(f"{self.url}/v2/").status_code
                if status in (200, 401):
                    return
                problem = f"GET /v2/ answered {status}"
            except Exception as exc:  # noqa: BLE001 - reported below if it persists
                problem = repr(exc)
            if time.monotonic() > deadline:
                self.stop()
                raise RegistryError(f"registry at {self.url} not ready: {problem}")
            time.sleep(0.01)

    def stop(self) -> None:
        """Kill the registry (SIGTERM, then SIGKILL): from now on connections are refused.

        Storage, port and token server stay, so start() brings the same registry back.
        """
        if self._client is not None:
            self._client.close()
            self._client = None
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        _LIVE.discard(process)

    def close(self) -> None:
        """stop() and stop the token server too. Files stay for debugging."""
        try:
            self.stop()
        finally:
            if self.token_server is not None:
                self.token_server.stop()

    def __enter__(self) -> Registry:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- pushing -------------------------------------------------------------------------------

    def _http(self):
        if self._client is None:
            import httpx

            verify: ssl.SSLContext | bool = True
            if self.ca_file:
                verify = ssl.create_default_context(cafile=self.ca_file)
                if "127.0.0.1" not in self.cert_hosts:  # a wrong-host registry: still push
                    verify.check_hostname = False
            self._client = httpx.Client(verify=verify, trust_env=False, timeout=30.0)
        return self._client

    def admin_headers(self, repo: str) -> dict[str, str]:
        """Authorization for pull, push and delete on ``repo`` (empty without auth)."""
        if self.auth == "basic":
            return {"Authorization": _basic(self.admin_username, self.admin_password)}
        if self.auth == "token":
            return {"Authorization": "Bearer " + self.token_server.admin_token(repo)}
        return {}

    def _check(self, response, expected: int, what: str):
        if response.status_code != expected:
            raise RegistryError(
                f"{what}: {response.request.method} {response.request.url} -> "
                f"{response.status_code} {response.text[:500]}"
            )
        return response

    def _upload_blob(self, repo: str, data: bytes, headers: dict) -> str:
        http, digest = self._http(), sha256_digest(data)
        if http.head(f"{self.url}/v2/{repo}/blobs/{digest}", headers=headers).status_code == 200:
            return digest
        started = http.post(f"{self.url}/v2/{repo}/blobs/uploads/", headers=headers)
        self._check(started, 202, "start blob upload")
        location = str(started.url.join(started.headers["Location"]))
        sep = "&" if "?" in location else "?"
        done = http.put(
            f"{location}{sep}digest={digest}",
            content=data,
            headers={**headers, "Content-Type": "application/octet-stream"},
        )
        self._check(done, 201, "finish blob upload")
        return digest

    def _put_manifest(self, repo: str, ref: str, media_type: str, body: bytes, headers) -> str:
        response = self._http().put(
            f"{self.url}/v2/{repo}/manifests/{ref}",
            content=body,
            headers={**headers, "Content-Type": media_type},
        )
        self._check(response, 201, f"push manifest {repo}:{ref}")
        digest = sha256_digest(body)
        if response.headers.get("Docker-Content-Digest", digest) != digest:
            raise RegistryError(f"registry stored {repo}:{ref} under another digest")
        return digest

    def _push_image(self, repo: str, ref: str, image: ImageManifest, headers) -> str:
        for blob in (image.config, *image.layers):
            self._upload_blob(repo, blob.data, headers)
        return self._put_manifest(repo, ref, image.media_type, image.body, headers)

    def push(
        self,
        repo: str,
        tag: str,
        kind: str = "oci",
        platforms: str | Sequence[str] | None = None,
        layer_size: int | Sequence[int] = 1024,
        *,
        seed: str | None = None,
        config: Mapping | None = None,
    ) -> PushResult:
        """Store an image under ``repo:tag``; no docker involved.

        kind: ``"docker"`` (schema 2), ``"oci"`` (image manifest), ``"index"`` (OCI index) or
        ``"docker-list"`` (manifest list). platforms: one ``os/arch[/variant]`` for single
        images (default linux/amd64), several for indexes (default linux/amd64, linux/arm64).
        layer_size: the exact compressed size of the one layer, or a list of sizes (one layer
        each, every size >= 32). Content is derived from ``seed`` (default ``"repo:tag"``):
        the same call always gives the same digests. ``config`` updates the image config JSON
        (e.g. ``{"config": {"User": "1000"}}``).
        """
        if kind not in KINDS:
            raise ValueError(f"kind is one of {sorted(KINDS)}, not {kind!r}")
        sizes = [layer_size] if isinstance(layer_size, int) else list(layer_size)
        if isinstance(platforms, str):
            platforms = [platforms]
        multi = kind in ("index", "docker-list")
        if platforms is None:
            platforms = list(DEFAULT_PLATFORMS) if multi else ["linux/amd64"]
        if not platforms or (not multi and len(platforms) != 1):
            raise ValueError(f"kind {kind!r} takes {'one or more' if multi else 'one'} platform")
        family = "oci" if kind in ("oci", "index") else "docker"
        seed = f"{repo}:{tag}" if seed is None else seed
        images = [build_image(family, Platform.parse(p), sizes, seed, config) for p in platforms]
        headers = self.admin_headers(repo)
        if multi:
            for image in images:
                self._push_image(repo, image.digest, image, headers)
            body = build_index(KINDS[kind], images)
            digest = self._put_manifest(repo, tag, KINDS[kind], body, headers)
            size = len(body)
        else:
            digest = self._push_image(repo, tag, images[0], headers)
            size = images[0].size
        return PushResult(
            registry=self.host,
            repo=repo,
            tag=tag,
            kind=kind,
            digest=digest,
            media_type=KINDS[kind],
            size=size,
            layers_size=sum(image.layers_size for image in images),
            platforms={str(image.platform): platform_image(image) for image in images},
        )

    # -- removing ------------------------------------------------------------------------------

    def delete(self, repo: str, reference: str) -> str:
        """DELETE the manifest (by digest; a tag is resolved first). Every tag on it goes.

        Returns the deleted digest. Needs delete enabled (the default here).
        """
        headers = self.admin_headers(repo)
        digest = reference
        if not reference.startswith("sha256:"):
            head = self._http().head(
                f"{self.url}/v2/{repo}/manifests/{reference}",
                headers={**headers, "Accept": ACCEPT_ALL},
            )
            digest = self._check(head, 200, "resolve tag").headers["Docker-Content-Digest"]
        response = self._http().delete(f"{self.url}/v2/{repo}/manifests/{digest}", headers=headers)
        self._check(response, 202, f"delete {repo}@{digest}")
        return digest

    def remove_tag(self, repo: str, tag: str) -> None:
        """Make one tag vanish (other tags on the same manifest stay): removes it from storage."""
        path = self.storage / "docker/registry/v2/repositories" / repo / "_manifests/tags" / tag
        if not path.is_dir():
            raise RegistryError(f"no tag {repo}:{tag} in {self.storage}")
        shutil.rmtree(path)


def start_registry(directory: Path, flavour: str = "plain", **options) -> Registry:
    """Create and start a registry; on failure nothing is left running."""
    registry = Registry(directory, flavour=flavour, **options)
    try:
        return registry.start()
    except BaseException:
        registry.close()
        raise
