"""A diagnosis for each container waiting on a pull: its error (:mod:`events`), the cause
(:mod:`causes`), what imagelint's rules and the registry say (:mod:`explain`) and the steps
that fix it (:mod:`steps`)."""

from __future__ import annotations

from typing import Any

from imagelint.cluster import causes, events, steps
from imagelint.cluster.dump import Dump
from imagelint.cluster.explain import Explained
from imagelint.cluster.records import Diagnosis, Failing

WAITING = "the waiting message"


def evidence(failing: Failing, dump: Dump) -> tuple[str, str]:
    """The runtime's error for this container and where it was read ('' when none was)."""
    error = events.underlying(failing.message) if failing.message else ""
    if error:
        return error, WAITING
    event = events.best(failing, dump.events.get((failing.namespace, failing.pod), []))
    if event is not None:
        when = event.time[:19].replace("T", " ") if event.time else "an unknown time"
        return events.underlying(event.message), f"the {event.reason} Event of {when} UTC"
    if failing.message:  # a bare back-off, and no Event to say more
        return failing.message, WAITING
    return "", ""


def diagnoses(dump: Dump, explained: Explained) -> list[Diagnosis]:
    found = []
    for pod, failing_containers in dump.failing:
        for failing in failing_containers:
            found.append(_diagnosis(failing, pod, dump, explained))
    found.sort(key=lambda d: (d.failing.namespace, d.failing.pod, d.failing.container))
    return found


def _diagnosis(
    failing: Failing, pod: dict[str, Any], dump: Dump, explained: Explained
) -> Diagnosis:
    error, source = evidence(failing, dump)
    cause, _ = causes.classify(error, failing.reason)
    if not error:
        error = (
            "no message: the pod's status says only "
            f"{failing.reason}, and the input holds no Event about this container"
        )
    node = dump.nodes.get(failing.node) if failing.node else None
    findings = explained.for_container(failing)
    now = registry_now(explained.answer(failing), cause)
    next_steps = steps.next_steps(failing, cause, pod, findings, node, now)
    return Diagnosis(failing, cause, error, source, node, findings, next_steps)


def registry_now(answer: Any, cause: str) -> str | None:
    """What the registry answered just now about the image, in a sentence (--online)."""
    if answer is None:
        return None
    from imagelint.online import answers as outcomes  # with --online only

    asked = outcomes.asked_with(answer)
    outcome = answer.outcome
    if outcome == outcomes.FOUND:
        if cause == causes.PLATFORM:
            offered = ", ".join(str(p) for p in answer.content.platforms) if answer.content else ""
            return f"The registry has the image ({asked})" + (
                f"; it offers {offered}" if offered else ""
            )
        if not answer.credential_from_pod:
            return (
                f"The registry has the image, but only for your own login ({asked}): the pod's "
                "own credentials still do not get it"
            )
        if cause == causes.TAG_NOT_FOUND:
            return f"The tag exists now ({asked}): the next retry will pull it"
        return f"The registry gives the image now ({asked}): the next retry will pull it"
    sentences = {
        outcomes.TAG_MISSING: "The registry still has no such tag",
        outcomes.REPOSITORY_MISSING: "The registry says the repository does not exist",
        outcomes.HUB_UNKNOWN: "Docker Hub still refuses: the repository is missing or private",
        outcomes.AUTH_REFUSED: "The registry still refuses the credentials",
        outcomes.AUTH_REQUIRED: "The registry still demands credentials",
        outcomes.DENIED: "The registry still denies the pull to these credentials",
        outcomes.RATE_LIMITED: "The registry still rate-limits (from here)",
        outcomes.UNREACHABLE: "imagelint could not reach the registry either (from here)",
    }
    said = sentences.get(outcome)
    if said is None:
        return None
    detail = f": {answer.detail}" if answer.detail else ""
    return f"{said} ({asked}){detail}"
