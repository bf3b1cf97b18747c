"""The error behind a failing pull: the container's waiting message, or else the most recent
Warning Event the kubelet wrote about that container.

The kubelet words them in pkg/kubelet/images/image_manager.go: the Warning ``Failed`` Event
``Failed to pull image "IMAGE": ERROR`` (then ``Error: ErrImagePull``, which says nothing more),
``InspectFailed`` for ``Failed to apply default image tag "IMAGE": ...``, ``ErrImageNeverPull``
for ``Container image "IMAGE" is not present with pull policy of Never``, and the Normal
``BackOff`` Event ``Back-off pulling image "IMAGE"``, which is no cause. Since Kubernetes 1.30
the back-off message carries the error that started it (``Back-off pulling image "IMAGE":
ErrImagePull: ERROR``).
"""

from __future__ import annotations

import re
from typing import Any

from imagelint.cluster.pods import mapping, moment, text
from imagelint.cluster.records import Event, Failing

# The kubelet's Warning Event reasons about a pull (pkg/kubelet/events/event.go).
PULL_EVENT_REASONS = frozenset({"Failed", "InspectFailed", "ErrImageNeverPull"})
_QUOTED = r'"((?:[^"\\]|\\.)*)"'
_NAMED = re.compile(
    r"^(?:Failed to pull image|Back-off pulling image|Container image|"
    r"Failed to apply default image tag|Failed to inspect image) " + _QUOTED
)
_BACK_OFF = re.compile(r"^Back-off pulling image " + _QUOTED + r"(?:: (\w+): )?")
_FAILED_TO_PULL = re.compile(r"^Failed to pull image " + _QUOTED + ": ")


def event_of(obj: dict[str, Any]) -> tuple[str, str, Event] | None:
    """An Event object (core/v1, or events.k8s.io/v1) as the namespace and name of the Pod it
    is about and an :class:`Event`, when it may hold a pull's error; else None."""
    if obj.get("type") != "Warning" or text(obj.get("reason")) not in PULL_EVENT_REASONS:
        return None
    about = mapping(obj.get("involvedObject") or obj.get("regarding"))
    if about.get("kind") != "Pod":
        return None
    message = text(obj.get("message") or obj.get("note"))
    if not message or message.startswith("Error: "):  # "Error: ErrImagePull": no cause
        return None
    series = mapping(obj.get("series"))
    when = (
        series.get("lastObservedTime")
        or obj.get("lastTimestamp")
        or obj.get("deprecatedLastTimestamp")
        or obj.get("eventTime")
        or obj.get("firstTimestamp")
        or mapping(obj.get("metadata")).get("creationTimestamp")
    )
    namespace = text(about.get("namespace")) or text(mapping(obj.get("metadata")).get("namespace"))
    event = Event(
        text(about.get("uid")),
        text(about.get("fieldPath")),
        text(obj.get("reason")),
        message,
        moment(when),
    )
    return namespace or "default", text(about.get("name")), event


def image_named(message: str) -> str | None:
    """The image a kubelet message names, or None."""
    match = _NAMED.match(message)
    return _unquote(match.group(1)) if match else None


def underlying(message: str) -> str:
    """The runtime's error in a kubelet message ('' when it holds none, as a bare back-off)."""
    back_off = _BACK_OFF.match(message)
    if back_off:
        return message[back_off.end() :] if back_off.group(2) else ""
    failed = _FAILED_TO_PULL.match(message)
    if failed:
        return message[failed.end() :]
    return message


def best(failing: Failing, events: list[Event]) -> Event | None:
    """The most recent Event about this container of this pod that holds an error. Events of
    an earlier pod of the same name (another uid, or older than this pod) and Events about
    another image (the pod's image was changed since) are left out: they are not the failure
    of now."""
    chosen: Event | None = None
    for event in events:
        if event.uid and failing.uid and event.uid != failing.uid:
            continue
        if failing.created and event.time and event.time < failing.created:
            continue
        named = image_named(event.message)
        if event.field_path:
            if event.field_path != failing.field_path:
                continue
        elif named is None:  # no container named, no image named: cannot say whose it is
            continue
        if named is not None and named != failing.image:
            continue
        if not underlying(event.message):
            continue
        if chosen is None or event.time > chosen.time:
            chosen = event
    return chosen


def _unquote(quoted: str) -> str:
    return re.sub(r"\\(.)", r"\1", quoted)
