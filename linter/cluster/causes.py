"""What a failed pull's message means: the runtimes' own wordings, sorted into causes.

The kubelet passes on the container runtime's error as it is (``Failed to pull image "IMAGE":
ERROR`` in the Event, ERROR alone in the waiting message; pkg/kubelet/images/image_manager.go),
so the wording depends on the runtime: containerd 1.6 and 1.7 (pkg/cri/server/image_pull.go),
containerd 2.x (internal/cri/server/images/image_pull.go, with the transfer service), CRI-O
(server/image_pull.go over containers/image) and Docker Engine through dockershim (the kubelet's
pkg/kubelet/dockershim, removed in Kubernetes 1.24). Each :class:`Wording` names the source that
writes it; tests/data/diagnose holds a real message of each runtime for every cause.

Through dockershim the message is ``rpc error: code = Unknown desc = `` (``code = 2`` up to
Kubernetes 1.7) and then Docker Engine's own words, passed on as they are (dockershim
docker_image.go PullImage, libdocker/kube_docker_client.go). What the daemon met before it wrote
any progress comes back as an HTTP error (moby api/server/router/image/image_routes.go, while
nothing is flushed), which the Docker client prefixes ``Error response from daemon: `` (moby
client/request.go; a client of API 1.23 or older keeps the JSON body, ``{"message":"..."}``).
What it met later, choosing the platform or extracting a layer, arrives in the progress stream and
is passed on bare. The Engine's wordings were read at moby/moby's release tags v1.12 to v20.10
(the last dockershim was validated with); each says the versions that write it where they differ.

The table is read in order and the first match wins: a network failure met while fetching a
token ("failed to fetch anonymous token: ... lookup auth.docker.io: i/o timeout") is a network
failure, not an authentication one, so the transport causes come before the registry's answers.
"""

from __future__ import annotations

import re

from imagelint.core.frozen import ValueRecord, set_field

TAG_NOT_FOUND = "tag-not-found"
REPOSITORY_OR_AUTH = "repository-not-found-or-unauthorized"
AUTH_FAILED = "auth-failed"
RATE_LIMITED = "rate-limited"
DNS = "dns"
UNREACHABLE = "unreachable"
TLS = "tls"
PLATFORM = "platform-mismatch"
INVALID_REFERENCE = "invalid-reference"
NEVER_PULL = "never-pull-missing"
DISK_FULL = "disk-full"
UNKNOWN = "unknown"

# The vocabulary, with what each cause means (README "Diagnosing a cluster").
CAUSES: dict[str, str] = {
    TAG_NOT_FOUND: "the registry has no such tag or digest (containerd also says so of a "
    "repository that does not exist)",
    REPOSITORY_OR_AUTH: "the repository does not exist, or is private and the pull was not "
    "allowed: the registry will not say which",
    AUTH_FAILED: "the registry refused the credentials, or demanded some (401, 403, a token "
    "request refused)",
    RATE_LIMITED: "the registry's pull rate limit was reached (429)",
    DNS: "the node could not resolve the registry's host name",
    UNREACHABLE: "the node could not reach the registry (time-out, refused, reset, no route)",
    TLS: "the registry's certificate was not trusted, or it does not speak TLS",
    PLATFORM: "the image offers no variant for the node's OS and architecture",
    INVALID_REFERENCE: "the image is not a valid reference",
    NEVER_PULL: "imagePullPolicy is Never and the image is not on the node",
    DISK_FULL: "the node ran out of disk space while pulling",
    UNKNOWN: "the message matched none of the known wordings (quoted as it is)",
}


class Wording(ValueRecord):
    """One way a runtime says it: a regular expression (case-insensitive) and who writes it."""

    __slots__ = ("cause", "pattern", "source")
    cause: str
    pattern: re.Pattern[str]
    source: str

    def __init__(self, cause: str, pattern: str, source: str) -> None:
        set_field(self, "cause", cause)
        set_field(self, "pattern", re.compile(pattern, re.IGNORECASE))
        set_field(self, "source", source)


_C = "containerd"
_CRIO = "CRI-O (containers/image)"
_DOCKER = "Docker Engine (dockershim)"
_GO = "Go net/http, crypto/tls (every runtime)"
# Where Docker Engine's own wordings are written (moby/moby; distribution/ is
# daemon/internal/distribution/ since 2025) and the registry client it uses.
_MOBY = f"{_DOCKER} moby/moby distribution"
_REGCLIENT = f"{_DOCKER} distribution/distribution registry/client"
_SHIM = "kubernetes pkg/kubelet/dockershim"

WORDINGS: tuple[Wording, ...] = (
    # -- the node ---------------------------------------------------------------------------
    Wording(DISK_FULL, r"no space left on device", "ENOSPC, every runtime"),
    Wording(DISK_FULL, r"disk quota exceeded", "EDQUOT, every runtime"),
    # -- rate limits (before auth: Docker Hub's 429 comes with a toomanyrequests code) ----------
    Wording(RATE_LIMITED, r"toomanyrequests", "distribution errcode TOOMANYREQUESTS, all"),
    Wording(RATE_LIMITED, r"429 Too Many Requests", f"{_C} remotes/docker: unexpected status"),
    Wording(RATE_LIMITED, r"pull rate limit", "Docker Hub's message, all runtimes"),
    Wording(
        RATE_LIMITED,
        r"error parsing HTTP 429 response body",
        f"{_REGCLIENT}/errors.go UnexpectedHTTPResponseError: a 429 whose body is not JSON "
        "(Docker Hub's 'Too Many Requests (HAP429)')",
    ),
    # -- name resolution ------------------------------------------------------------------------
    Wording(DNS, r"no such host", f"{_GO}: 'dial tcp: lookup HOST on DNS:53: no such host'"),
    Wording(DNS, r"server misbehaving", f"{_GO}: 'lookup HOST on DNS:53: server misbehaving'"),
    Wording(DNS, r"temporary failure in name resolution", "glibc resolver (cgo), dockerd"),
    Wording(DNS, r"\blookup [^\s:]+(?: on [^\s]+)?: ", f"{_GO}: any failed lookup"),
    # -- the connection -------------------------------------------------------------------------
    Wording(UNREACHABLE, r"i/o timeout", f"{_GO}: 'dial tcp IP:443: i/o timeout'"),
    Wording(UNREACHABLE, r"connection refused", f"{_GO}: 'connect: connection refused'"),
    Wording(UNREACHABLE, r"connection reset by peer", f"{_GO}: 'read: connection reset by peer'"),
    Wording(UNREACHABLE, r"no route to host", f"{_GO}: 'connect: no route to host'"),
    Wording(UNREACHABLE, r"network is unreachable", f"{_GO}: 'connect: network is unreachable'"),
    Wording(UNREACHABLE, r"TLS handshake timeout", f"{_GO}: 'net/http: TLS handshake timeout'"),
    Wording(UNREACHABLE, r"Client\.Timeout exceeded", f"{_GO}: awaiting headers, {_DOCKER}"),
    Wording(UNREACHABLE, r"context deadline exceeded", f"{_GO}: a request's deadline"),
    Wording(UNREACHABLE, r"because of no progress", f"{_C} pullProgressReporter (1.7+)"),
    Wording(
        UNREACHABLE,
        r"because the registry is unavailable",
        "kubelet image_manager.go: ErrRegistryUnavailable",
    ),
    Wording(
        UNREACHABLE,
        r"\bRegistryUnavailable: ",
        f"{_SHIM}/docker_image.go filterHTTPError: a 502, 503 or 504 in the pull stream",
    ),
    Wording(
        UNREACHABLE,
        r"received unexpected HTTP status: 50[234]\b",
        f"{_REGCLIENT}/errors.go UnexpectedHTTPStatusError (the kubelet too takes 502-504 for "
        "a registry that is unavailable)",
    ),
    Wording(
        UNREACHABLE,
        r"\b(?:Unknown|2) desc = (?:context canceled|net/http: request canceled)\s*$",
        f"{_SHIM}/libdocker/kube_docker_client.go: a pull with no progress for "
        "--image-pull-progress-deadline (1m) is cancelled (older builds say 'net/http: request "
        "canceled')",
    ),
    Wording(UNREACHABLE, r"\bdial tcp\b", f"{_GO}: any other failed dial"),
    # -- TLS ------------------------------------------------------------------------------------
    Wording(TLS, r"\bx509: ", f"{_GO} crypto/x509: unknown authority, expired, wrong name"),
    Wording(TLS, r"server gave HTTP response to HTTPS client", f"{_GO} net/http"),
    Wording(TLS, r"first record does not look like a TLS handshake", f"{_GO} crypto/tls"),
    Wording(TLS, r"\btls: ", f"{_GO} crypto/tls: 'tls: failed to verify certificate'"),
    Wording(TLS, r"certificate (?:has expired|is not valid|signed by unknown)", "every runtime"),
    # -- the platform ---------------------------------------------------------------------------
    Wording(PLATFORM, r"no match for platform in manifest", f"{_C} images.Manifest (1.6-2.x)"),
    Wording(
        PLATFORM,
        r"no image found in (?:manifest list|image index) for architecture",
        f"{_CRIO} internal/manifest: docker_list / oci_index ChooseInstance",
    ),
    Wording(PLATFORM, r"choosing image instance", f"{_CRIO} copy: 'choosing image instance'"),
    Wording(
        PLATFORM,
        r"no matching manifest for [^\n]+? in the manifest list entries",
        f"{_MOBY}/pull_v2.go (17.06+; 'unknown' in 18.06 to 18.09.3, where none was asked for "
        "as under dockershim; Windows adds its version, 'windows/amd64 10.0.17763'; in the "
        "stream, so without 'Error response from daemon')",
    ),
    Wording(
        PLATFORM,
        r"no supported platform found in manifest list",
        f"{_MOBY}/pull_v2.go (1.12 to 17.03)",
    ),
    Wording(
        PLATFORM,
        r"image operating system \S+ cannot be used on this platform",
        f"{_MOBY}/config.go (1.13+): a Windows image on a Linux node, or the reverse",
    ),
    Wording(
        PLATFORM,
        r"does not match the specified platform",
        "Docker Engine daemon/images/image.go, only when a platform is asked for (dockershim "
        "asks for none)",
    ),
    # -- the kubelet's own verdicts -------------------------------------------------------------
    Wording(
        NEVER_PULL,
        r"is not present with pull policy of Never",
        "kubelet image_manager.go: ErrImageNeverPull",
    ),
    Wording(INVALID_REFERENCE, r"Failed to apply default image tag", "kubelet image_manager.go"),
    Wording(INVALID_REFERENCE, r"couldn't parse image reference", "kubelet image_manager.go"),
    Wording(
        INVALID_REFERENCE,
        r"invalid reference format",
        "distribution/reference, all (under dockershim the kubelet's own parse, with the same "
        "package, refuses the name first: InvalidImageName)",
    ),
    Wording(INVALID_REFERENCE, r"failed to parse image reference", f"{_C} PullImage"),
    Wording(
        INVALID_REFERENCE,
        r"short-name \S+ did not resolve to an alias",
        f"{_CRIO} pkg/shortnames: an unqualified name and no search registries",
    ),
    Wording(INVALID_REFERENCE, r"repository name must be (?:lowercase|canonical)", "reference"),
    # -- the registry's answers -----------------------------------------------------------------
    Wording(
        REPOSITORY_OR_AUTH,
        r"pull access denied",
        f"{_C} remotes/docker ('pull access denied, repository does not exist or may require "
        f"authorization'); {_MOBY}/errors.go notFoundError for errcode DENIED ('pull access "
        "denied for NAME, repository does not exist or may require 'docker login'', 17.07+; "
        "': denied: MESSAGE' added in 19.03)",
    ),
    Wording(
        REPOSITORY_OR_AUTH,
        r"\brepository \S+ not found\b",
        f"{_MOBY}/errors.go: 'repository NAME not found: does not exist or no pull access' "
        "(DENIED, 1.13 to 17.06); 'repository NAME not found' (NAME_UNKNOWN, ': name unknown: "
        "MESSAGE' added in 19.03)",
    ),
    Wording(
        REPOSITORY_OR_AUTH,
        r"\bError: image \S+ not found\b",
        f"{_MOBY}/pull_v1.go (up to 1.13): the v2 answer (unknown tag or repository, or "
        "refused) was lost in the fall-back to v1 (moby/moby#21598)",
    ),
    Wording(REPOSITORY_OR_AUTH, r"requested access to the resource is denied", f"{_CRIO}, Hub"),
    Wording(REPOSITORY_OR_AUTH, r"repository name not known to registry", "errcode NAME_UNKNOWN"),
    Wording(REPOSITORY_OR_AUTH, r"\bNAME_UNKNOWN\b", "distribution errcode NAME_UNKNOWN"),
    Wording(
        REPOSITORY_OR_AUTH,
        r"\bname unknown: ",
        "distribution registry/api/errcode/errors.go: NAME_UNKNOWN as printed (Amazon ECR's "
        "'The repository with name ... does not exist')",
    ),
    Wording(REPOSITORY_OR_AUTH, r"insufficient_scope", "token scope refused (Docker Hub)"),
    Wording(
        TAG_NOT_FOUND,
        r"failed to resolve (?:reference \"[^\"]*\"|image): \S+: not found",
        f"{_C}: 1.6/1.7 client.Pull ('failed to resolve reference'), 2.x transfer service "
        "('failed to resolve image')",
    ),
    Wording(TAG_NOT_FOUND, r"reading manifest \S+ in \S+: manifest unknown", f"{_CRIO}"),
    Wording(
        TAG_NOT_FOUND,
        r"manifest for \S+ not found",
        f"{_MOBY}/errors.go notFoundError for MANIFEST_UNKNOWN (1.13+; ': manifest unknown: "
        "MESSAGE' added in 19.03)",
    ),
    Wording(
        TAG_NOT_FOUND,
        r"\bTag \S+ not found in repository\b",
        f"{_MOBY}/pull_v1.go (up to 1.13)",
    ),
    Wording(TAG_NOT_FOUND, r"manifest unknown", "distribution errcode MANIFEST_UNKNOWN, all"),
    Wording(TAG_NOT_FOUND, r"\bnot found: not found\b", f"{_C} errdefs.ErrNotFound"),
    Wording(
        AUTH_FAILED,
        r"failed to fetch (?:anonymous|oauth) token",
        f"{_C} remotes/docker/auth: 'failed to authorize: failed to fetch anonymous token: "
        "unexpected status ...: 401 Unauthorized'",
    ),
    Wording(AUTH_FAILED, r"failed to authorize", f"{_C} remotes/docker authorizer"),
    Wording(AUTH_FAILED, r"unable to retrieve auth token", f"{_CRIO} docker_client.go"),
    Wording(AUTH_FAILED, r"incorrect username or password", "Docker Hub's 401 message, all"),
    Wording(AUTH_FAILED, r"invalid username/password", f"{_CRIO} ErrUnauthorizedForCredentials"),
    Wording(
        AUTH_FAILED,
        r"no basic auth credentials",
        f"{_REGCLIENT}/auth/session.go ErrNoBasicAuthCredentials: the registry asked for Basic "
        "auth (Amazon ECR does) and the Engine had no credentials for it",
    ),
    Wording(AUTH_FAILED, r"authorization token has expired", "Amazon ECR's 403 message, all"),
    Wording(AUTH_FAILED, r"\b40[13] (?:Unauthorized|Forbidden)\b", f"{_C}: unexpected status"),
    Wording(
        AUTH_FAILED,
        r"authentication required",
        f"errcode UNAUTHORIZED's message (distribution registry/api/errcode/register.go): {_CRIO}; "
        f"{_REGCLIENT}/errors.go also for a 401 whose body is not JSON",
    ),
    Wording(AUTH_FAILED, r"\bunauthorized\b", "distribution errcode UNAUTHORIZED, all"),
    Wording(AUTH_FAILED, r"\bdenied: ", "distribution errcode DENIED (GHCR, Artifact Registry)"),
)

# The waiting reasons whose cause is the reason itself, whatever the message says.
BY_REASON = {"InvalidImageName": INVALID_REFERENCE, "ErrImageNeverPull": NEVER_PULL}


def classify(message: str, reason: str = "") -> tuple[str, Wording | None]:
    """The cause of a pull error, and the wording that said so (None: by the reason alone,
    or unknown)."""
    for wording in WORDINGS:
        if wording.pattern.search(message):
            if reason in BY_REASON and wording.cause != BY_REASON[reason]:
                break
            return wording.cause, wording
    if reason in BY_REASON:
        return BY_REASON[reason], None
    if reason == "RegistryUnavailable":
        return UNREACHABLE, None
    return UNKNOWN, None
