"""`imagelint diagnose`: the runtimes' wordings sorted into causes, and the error found for each
container (waiting message, or the most recent matching Event)."""

from __future__ import annotations

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
