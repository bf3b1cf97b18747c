"""A small Docker-style token server (``GET /token?service=...&scope=...``) in a thread.

It signs ES256 JWTs that distribution 2.8.2 accepts: header ``kid`` = the libtrust key ID of
the signing key, claims ``iss``, ``aud`` (a string: a list is rejected by 2.8.2), ``exp``,
``nbf``, ``iat``, ``jti`` and ``access``. The registry trusts the self-signed signing
certificate written to ``cert_file`` (its ``auth.token.rootcertbundle``).

Grants are mappings ``{pattern: actions}``. A pattern is an fnmatch pattern over repository
names (``"*"``, ``"public/*"``, ``"test/app"``), or ``"registry:catalog"`` for the catalog.
Actions are ``"pull"``, ``"push"``, ``"delete"`` or ``"*"`` (everything asked for). A token
carries what was asked for AND granted (the union over all matching patterns); asking for
more is not an error, as with real token servers: the registry refuses the request later
with 401 ``error="insufficient_scope"``.
"""

from __future__ import annotations

import base64
import datetime as dt
import fnmatch
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

Grants = Mapping[str, Iterable[str]]


@dataclass
class TokenUser:
    name: str
    password: str
    grants: Grants


@dataclass(frozen=True)
class TokenRequest:
    """One request the token server answered (for assertions about token caching)."""

    user: str | None  # None: anonymous (or failed authentication, see status)
    service: str | None
    scopes: tuple[str, ...]
    granted: tuple[dict, ...]
    status: int
    query: dict = field(repr=False)


def parse_scope(scope: str) -> tuple[str, str, list[str]] | None:
    """``repository:host:5000/a/b:pull,push`` -> (type, name, actions); None if malformed."""
    type_, sep, rest = scope.partition(":")
    name, sep2, actions = rest.rpartition(":")
    if not sep or not sep2 or not type_ or not name:
        return None
    type_ = type_.split("(", 1)[0]  # "repository(plugin)" carries a resource class
    return type_, name, [a for a in actions.split(",") if a]


def granted_actions(grants: Grants, type_: str, name: str, wanted: Iterable[str]) -> list[str]:
    allowed: set[str] = set()
    for pattern, actions in grants.items():
        if pattern.startswith("registry:"):
            hit = type_ == "registry" and fnmatch.fnmatchcase(name, pattern[len("registry:") :])
        else:
            hit = type_ == "repository" and fnmatch.fnmatchcase(name, pattern)
        if hit:
            allowed.update(actions)
    return [a for a in wanted if a in allowed or "*" in allowed]


class SigningKey:
    """An EC P-256 key and a self-signed certificate for it (the registry's trust anchor)."""

    def __init__(self, common_name: str = "imagelint test token signer") -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
        from cryptography.x509.oid import NameOID

        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = dt.datetime.now(dt.timezone.utc)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        der = self.key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        b32 = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
        self.kid = ":".join(b32[i : i + 4] for i in range(0, 48, 4))

    def cert_pem(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import Encoding

        return self.cert.public_bytes(Encoding.PEM)

    def sign(self, claims: Mapping) -> str:
        import jwt

        return jwt.encode(dict(claims), self.key, algorithm="ES256", headers={"kid": self.kid})


class TokenServer:
    """``realm`` is ``http://127.0.0.1:PORT/token``. Users and grants may be changed live."""

    def __init__(
        self,
        directory: Path,
        *,
        service: str = "imagelint-test-registry",
        issuer: str = "imagelint-test-token-issuer",
        users: Iterable[TokenUser] = (),
        anonymous: Grants | None = None,
        expires_in: int | None = 300,
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.service = service
        self.issuer = issuer
        users = [TokenUser(u.name, u.password, dict(u.grants)) for u in users]  # private copies
        self.users: dict[str, TokenUser] = {u.name: u for u in users}
        #: Grants for requests without credentials; None refuses them with 401.
        self.anonymous: Grants | None = anonymous
        #: Token lifetime; None leaves expires_in out of the response (the JWT lives 60 s).
        self.expires_in = expires_in
        self.requests: list[TokenRequest] = []
        self._initial = (users, anonymous, expires_in)
        self.signer = SigningKey()
        self.cert_file = self.directory / "token-signer.pem"
        self.cert_file.write_bytes(self.signer.cert_pem())
        self.log_file = self.directory / "token-server.log"
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- configuration -------------------------------------------------------------------

    def set_user(self, name: str, password: str, grants: Grants) -> TokenUser:
        user = TokenUser(name, password, grants)
        self.users[name] = user
        return user

    def reset(self) -> None:
        """Back to the users, anonymous grants and lifetime given at creation; no requests."""
        users, self.anonymous, self.expires_in = self._initial
        self.users = {u.name: TokenUser(u.name, u.password, dict(u.grants)) for u in users}
        with self._lock:
            self.requests.clear()

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def count(self) -> int:
        return len(self.requests)

    # -- tokens --------------------------------------------------------------------------

    def mint(self, subject: str | None, access: Iterable[Mapping], lifetime: int = 300) -> str:
        """A signed token with exactly ``access`` (no HTTP, not recorded in ``requests``)."""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": subject or "",
            "aud": self.service,
            "exp": now + lifetime,
            "nbf": now - 1,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "access": [dict(a) for a in access],
        }
        return self.signer.sign(claims)

    def admin_token(self, repo: str) -> str:
        access = [{"type": "repository", "name": repo, "actions": ["pull", "push", "delete"]}]
        return self.mint("admin", access)

    def _answer(self, query: dict, authorization: str | None) -> tuple[int, dict, str | None, list]:
        """(status, JSON body, user name or None, granted access entries)."""
        user: TokenUser | None = None
        if authorization:
            scheme, _, value = authorization.partition(" ")
            try:
                name, _, password = base64.b64decode(value).decode().partition(":")
            except ValueError:
                name = password = None
            user = self.users.get(name) if scheme.lower() == "basic" else None
            if user is None or user.password != password:
                return 401, {"details": "incorrect username or password"}, None, []
            grants = user.grants
        elif self.anonymous is None:
            return 401, {"details": "authentication required"}, None, []
        else:
            grants = self.anonymous
        scopes = [s for value in query.get("scope", []) for s in value.split(" ") if s]
        access = []
        for scope in scopes:
            parsed = parse_scope(scope)
            if parsed is None:
                return 400, {"details": f"invalid scope {scope!r}"}, None, []
            type_, name, wanted = parsed
            actions = granted_actions(grants, type_, name, wanted)
            if actions:
                access.append({"type": type_, "name": name, "actions": actions})
        lifetime = self.expires_in if self.expires_in is not None else 60
        token = self.mint(user.name if user else None, access, lifetime)
        issued = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {"token": token, "access_token": token, "issued_at": issued}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return 200, body, user.name if user else None, access

    # -- server --------------------------------------------------------------------------

    def start(self) -> TokenServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                if url.path != "/token":
                    status, body, user, granted = 404, {"details": "not found"}, None, []
                else:
                    auth = self.headers.get("Authorization")
                    status, body, user, granted = server._answer(query, auth)
                record = TokenRequest(
                    user,
                    (query.get("service") or [None])[0],
                    tuple(s for v in query.get("scope", []) for s in v.split(" ") if s),
                    tuple(granted),
                    status,
                    query,
                )
                with server._lock:
                    server.requests.append(record)
                    with server.log_file.open("a") as log:
                        log.write(f"{self.command} {self.path} user={user} -> {status} {granted}\n")
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if status == 401:
                    self.send_header("WWW-Authenticate", 'Basic realm="imagelint-test-token"')
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                # No OAuth2 POST flow: clients are expected to fall back to GET on 404.
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"token-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> TokenServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
