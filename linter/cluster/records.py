"""The records of a diagnosis: a container waiting on a pull, an Event about one, a Node's
platform, and what imagelint makes of it all."""

from __future__ import annotations

from imagelint.core.frozen import FrozenRecord, ValueRecord, set_field

# The waiting reasons of a pull the kubelet gives up on (pkg/kubelet/images/types.go), and
# CRI-O's signature check; any other reason is not about pulling.
PULL_REASONS = frozenset(
    {
        "ErrImagePull",
        "ImagePullBackOff",
        "InvalidImageName",
        "ErrImageNeverPull",
        "ImageInspectError",
        "RegistryUnavailable",
        "SignatureValidationFailed",
    }
)

# Where each list of containers is in a pod, as an Event's fieldPath names it.
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
STATUS_LISTS = {
    "initContainers": "initContainerStatuses",
    "containers": "containerStatuses",
    "ephemeralContainers": "ephemeralContainerStatuses",
}


class Failing(FrozenRecord):
    """A container of a pod, waiting on a pull that failed."""

    __slots__ = (
        "namespace",
        "pod",
        "uid",
        "created",
        "node",
        "list",
        "index",
        "container",
        "image",
        "reason",
        "message",
    )
    namespace: str
    pod: str
    uid: str
    created: str  # the pod's creationTimestamp, normalized (see events.moment)
    node: str  # spec.nodeName, "" when not scheduled
    list: str  # one of CONTAINER_LISTS
    index: int  # in that list
    container: str
    image: str
    reason: str  # the waiting reason, e.g. ImagePullBackOff
    message: str  # the waiting message ("" when there is none)

    def __init__(
        self,
        namespace: str,
        pod: str,
        uid: str,
        created: str,
        node: str,
        list: str,
        index: int,
        container: str,
        image: str,
        reason: str,
        message: str,
    ) -> None:
        set_field(self, "namespace", namespace)
        set_field(self, "pod", pod)
        set_field(self, "uid", uid)
        set_field(self, "created", created)
        set_field(self, "node", node)
        set_field(self, "list", list)
        set_field(self, "index", index)
        set_field(self, "container", container)
        set_field(self, "image", image)
        set_field(self, "reason", reason)
        set_field(self, "message", message)

    @property
    def field_path(self) -> str:
        """How the kubelet's Events name this container: spec.containers{app}."""
        return f"spec.{self.list}{{{self.container}}}"


class Event(ValueRecord):
    """A Warning Event that may hold the error of a pull."""

    __slots__ = ("uid", "field_path", "reason", "message", "time")
    uid: str
    field_path: str
    reason: str
    message: str
    time: str  # the last time it was seen, normalized (see events.moment)

    def __init__(self, uid: str, field_path: str, reason: str, message: str, time: str) -> None:
        set_field(self, "uid", uid)
        set_field(self, "field_path", field_path)
        set_field(self, "reason", reason)
        set_field(self, "message", message)
        set_field(self, "time", time)


class Node(ValueRecord):
    """A node's platform, as its status (nodeInfo) or its well-known labels say."""

    __slots__ = ("name", "os", "architecture", "variant")
    name: str
    os: str
    architecture: str
    variant: str

    def __init__(self, name: str, os: str, architecture: str, variant: str = "") -> None:
        set_field(self, "name", name)
        set_field(self, "os", os)
        set_field(self, "architecture", architecture)
        set_field(self, "variant", variant)

    @property
    def platform(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)


class Step(ValueRecord):
    """One thing to do, with the command that does it when there is one."""

    __slots__ = ("text", "command")
    text: str
    command: str | None

    def __init__(self, text: str, command: str | None = None) -> None:
        set_field(self, "text", text)
        set_field(self, "command", command)


class Explanation(ValueRecord):
    """A finding of imagelint's rules on the failing pod, as a diagnosis shows it."""

    __slots__ = ("rule", "code", "severity", "message")
    rule: str
    code: str
    severity: str
    message: str

    def __init__(self, rule: str, code: str, severity: str, message: str) -> None:
        set_field(self, "rule", rule)
        set_field(self, "code", code)
        set_field(self, "severity", severity)
        set_field(self, "message", message)


class Diagnosis(FrozenRecord):
    """Why one container's pull is failing, and what fixes it."""

    __slots__ = ("failing", "cause", "evidence", "source", "node", "findings", "next")
    failing: Failing
    cause: str
    evidence: str  # the runtime's message, as the cluster gave it
    source: str  # where it was read: "waiting message", "Event Failed at TIME", ...
    node: Node | None
    findings: tuple[Explanation, ...]
    next: tuple[Step, ...]

    def __init__(
        self,
        failing: Failing,
        cause: str,
        evidence: str,
        source: str,
        node: Node | None,
        findings: tuple[Explanation, ...],
        next: tuple[Step, ...],
    ) -> None:
        set_field(self, "failing", failing)
        set_field(self, "cause", cause)
        set_field(self, "evidence", evidence)
        set_field(self, "source", source)
        set_field(self, "node", node)
        set_field(self, "findings", findings)
        set_field(self, "next", next)
