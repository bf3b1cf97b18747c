"""`imagelint diagnose`: the runtimes' wordings sorted into causes, and the error found for each
container (waiting message, or the most recent matching Event)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from imagelint.cluster import causes, events
from imagelint.cluster.diagnose import evidence
from imagelint.cluster.dump import Dump
from imagelint.cluster.records import Event, Failing

DATA = Path(__file__).parent / "data" / "diagnose"
MESSAGES = YAML(typ="safe").load((DATA / "messages.yaml").read_text())
RUNTIMES = ("containerd-1.6", "containerd-1.7", "containerd-2.0", "cri-o", "dockershim", "kubelet")


@pytest.mark.parametrize(
    "entry", MESSAGES, ids=[f"{m['runtime']}:{m['cause']}:{i}" for i, m in enumerate(MESSAGES)]
)
def test_each_wording_gives_its_cause(entry):
    cause, _ = causes.classify(entry["message"], entry.get("reason", "ErrImagePull"))
    assert cause == entry["cause"]


def test_every_cause_has_a_message_of_every_runtime():
    seen = {
        (m["runtime"].replace("containerd-1.6", "containerd-1.7"), m["cause"]) for m in MESSAGES
    }
    for cause in causes.CAUSES:
        if cause == causes.NEVER_PULL:  # the kubelet's verdict: no runtime is asked
            assert ("kubelet", cause) in seen
            continue
        for runtime in ("containerd-1.7", "containerd-2.0", "cri-o", "dockershim"):
            if cause == causes.UNKNOWN and runtime in ("containerd-2.0", "dockershim"):
                continue
            assert (runtime, cause) in seen, (runtime, cause)
    assert {m["runtime"] for m in MESSAGES} >= set(RUNTIMES)


def test_every_cause_has_a_real_dockershim_message_with_the_grpc_wrapper():
    # Every dockershim message comes as the kubelet showed it: "rpc error: code = Unknown desc = "
    # ("code = 2" up to Kubernetes 1.7), or several joined in brackets when it tried more than
    # one credential. An invalid name is the exception: the kubelet refuses it before Docker.
    wrapped = re.compile(r"^\[?rpc error: code = (?:Unknown|2) desc = ")
    seen = {m["cause"] for m in MESSAGES if m["runtime"] == "dockershim"}
    assert seen >= set(causes.CAUSES) - {causes.NEVER_PULL}
    for m in MESSAGES:
        if m["runtime"] != "dockershim":
            continue
        if m["cause"] == causes.INVALID_REFERENCE:
            assert m["reason"] == "InvalidImageName"
            assert m["message"].startswith("Failed to apply default image tag")
        else:
            assert wrapped.match(m["message"]), m["message"]


# Docker Engine's wordings as its users pasted them, each with where (outside the kubelet, so
# without the gRPC wrapper; the patterns do not depend on it).
ENGINE = [
    # https://github.com/docker/hub-feedback/issues/1282: a time-out while fetching the token is
    # a network failure, not an authentication one
    (
        "Error response from daemon: Get https://registry-1.docker.io/v2/library/fedora/manifests/"
        "latest: Get https://auth.docker.io/token?scope=repository%3Alibrary%2Ffedora%3Apull&"
        "service=registry.docker.io: net/http: request canceled (Client.Timeout exceeded while "
        "awaiting headers)",
        causes.UNREACHABLE,
    ),
    # https://github.com/dSPACE-IAC/dSPACE-IAC-simulation-bridge/issues/1 (Amazon ECR, NAME_UNKNOWN)
    (
        "Error response from daemon: repository 722180079256.dkr.ecr.eu-central-1.amazonaws.com/"
        "dspace/iac_sut_te_bridge_dev not found: name unknown: The repository with name "
        "'dspace/iac_sut_te_bridge_dev' does not exist in the registry with id '722180079256'.",
        causes.REPOSITORY_OR_AUTH,
    ),
    # https://github.com/docker/for-win/issues/4584 (a Windows node names its OS version)
    (
        "no matching manifest for windows/amd64 10.0.16299 in the manifest list entries",
        causes.PLATFORM,
    ),
    # https://github.com/docker/for-win/issues/2135
    ('image operating system "linux" cannot be used on this platform', causes.PLATFORM),
    # https://github.com/docker/cli/issues/2141 (Docker Hub's outage)
    (
        "Error response from daemon: received unexpected HTTP status: 503 Service Unavailable",
        causes.UNREACHABLE,
    ),
    # https://github.com/conda-forge/status/issues/102: a 500 is the registry's fault, not a
    # registry out of reach, and none of the wordings says more
    (
        "Error response from daemon: received unexpected HTTP status: 500 Internal Server Error",
        causes.UNKNOWN,
    ),
    # https://github.com/zebrunner/mcloud-agent/issues/235 (Amazon ECR Public)
    ("Error response from daemon: toomanyrequests: Rate exceeded", causes.RATE_LIMITED),
    # Seqera Platform's troubleshooting page (CannotPullContainerError): Docker Hub's abuse limit,
    # a 429 whose body is not JSON
    (
        "Error response from daemon: error parsing HTTP 429 response body: invalid character 'T' "
        'looking for beginning of value: "Too Many Requests (HAP429)"',
        causes.RATE_LIMITED,
    ),
    # https://github.com/kubesphere/s2irun/issues/44 (a newer Engine: HEAD, the URL quoted)
    (
        'Error response from daemon: Head "https://xxx.dkr.ecr.us-east-1.amazonaws.com/v2/'
        'kubesphere/java-8-centos7/manifests/v3.2.0": no basic auth credentials',
        causes.AUTH_FAILED,
    ),
]


@pytest.mark.parametrize(("message", "cause"), ENGINE)
def test_docker_engine_wordings_seen_outside_the_kubelet(message, cause):
    assert causes.classify(message)[0] == cause


def test_the_kubelets_own_cancel_is_not_taken_for_dockershims():
    # The kubelet cancelling its own call is code Canceled, not dockershim's stalled pull.
    assert causes.classify("rpc error: code = Canceled desc = context canceled")[0] == (
        causes.UNKNOWN
    )


def test_the_reason_decides_for_the_kubelets_own_verdicts():
    assert causes.classify("", "InvalidImageName")[0] == causes.INVALID_REFERENCE
    assert causes.classify("", "ErrImageNeverPull")[0] == causes.NEVER_PULL
    assert causes.classify("", "RegistryUnavailable")[0] == causes.UNREACHABLE
    assert causes.classify("something new", "ErrImagePull")[0] == causes.UNKNOWN


def test_a_network_failure_while_fetching_a_token_is_a_network_failure():
    message = (
        'failed to pull and unpack image "docker.io/library/nginx:1.25": failed to resolve '
        'reference "docker.io/library/nginx:1.25": failed to authorize: failed to fetch '
        'anonymous token: Get "https://auth.docker.io/token": dial tcp 1.2.3.4:443: i/o timeout'
    )
    assert causes.classify(message)[0] == causes.UNREACHABLE


# -- the underlying error ------------------------------------------------------------------------


def failing(message: str = "", image: str = "nginx:1.25", list_: str = "containers") -> Failing:
    return Failing(
        "shop",
        "web",
        "uid-1",
        "2024-05-02T10:00:00.000000",
        "n1",
        list_,
        0,
        "app",
        image,
        "ImagePullBackOff",
        message,
    )


def event(message, time="2024-05-02T10:05:00.000000", uid="uid-1", path="spec.containers{app}"):
    return Event(uid, path, "Failed", message, time)


def test_the_back_off_message_of_kubernetes_1_30_carries_the_error():
    message = 'Back-off pulling image "nginx:1.25": ErrImagePull: x509: certificate has expired'
    assert events.underlying(message) == "x509: certificate has expired"
    assert events.underlying('Back-off pulling image "nginx:1.25"') == ""
    assert events.underlying('Failed to pull image "nginx:1.25": boom') == "boom"


def test_the_most_recent_event_of_this_pod_container_and_image_wins():
    chosen = events.best(
        failing(),
        [
            event('Failed to pull image "nginx:1.25": first', "2024-05-02T10:01:00.000000"),
            event('Failed to pull image "nginx:1.25": latest', "2024-05-02T10:09:00.000000"),
            event('Failed to pull image "nginx:1.25": other uid', "2024-05-02T10:10:00.0", "u2"),
            event('Failed to pull image "nginx:1.24": old image', "2024-05-02T10:11:00.000000"),
            event('Failed to pull image "nginx:1.25": before the pod', "2024-05-01T10:00:00.0"),
            event('Failed to pull image "nginx:1.25": other', path="spec.containers{side}"),
            event('Back-off pulling image "nginx:1.25"', "2024-05-02T10:20:00.000000"),
        ],
    )
    assert chosen is not None and events.underlying(chosen.message) == "latest"


def test_an_init_or_ephemeral_container_is_matched_by_its_own_field_path():
    init = failing(list_="initContainers")
    assert events.best(init, [event('Failed to pull image "nginx:1.25": x')]) is None
    found = events.best(
        init, [event('Failed to pull image "nginx:1.25": x', path="spec.initContainers{app}")]
    )
    assert found is not None


def test_the_waiting_message_comes_before_any_event():
    dump = Dump()
    dump.events[("shop", "web")] = [event('Failed to pull image "nginx:1.25": from the event')]
    assert evidence(failing("x509: now"), dump) == ("x509: now", "the waiting message")
    said, source = evidence(failing('Back-off pulling image "nginx:1.25"'), dump)
    assert said == "from the event" and source.startswith("the Failed Event of 2024-05-02 10:05")


def test_event_times_of_both_precisions_sort_together():
    assert events.moment("2024-05-02T10:00:00Z") < events.moment("2024-05-02T10:00:00.5Z")
    assert events.moment("2024-05-02T10:00:01Z") > events.moment("2024-05-02T10:00:00.999999Z")
