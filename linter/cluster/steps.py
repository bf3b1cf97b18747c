"""What fixes a failing pull: steps in words, each with the ``kubectl`` command that does it
where there is one. A command never holds a credential: user names and passwords are
placeholders (``<user>``, ``<password>``) for the user to fill in."""

from __future__ import annotations

import json
import re
from typing import Any

from imagelint.cluster import causes, pods
from imagelint.cluster.records import Explanation, Failing, Node, Step
from imagelint.images.reference import DEFAULT_DOMAIN, Reference, parse

# A corrected image that an image rule suggests ('did you mean "nginx:1.25"?').
_SUGGESTED = re.compile(r'did you mean "([^"]+)"\?')
_SECRET_NAMED = re.compile(r'pull secret "([^"]+)"')
_IMAGE_RULES = frozenset(
    {"image-typo", "missing-registry", "uppercase-repository", "trailing-dot", "invalid-reference"}
)
_SECRET_RULES = frozenset(
    {
        "pull-secret-not-found",
        "pull-secret-wrong-namespace",
        "pull-secret-wrong-type",
        "pull-secret-malformed",
        "pull-secret-registry-mismatch",
        "missing-pull-secret",
        "static-ecr-token",
        "registry-auth-failed",
    }
)
# The causes a change outside the pod fixes (the pod is retried as it is).
_RETRIED = frozenset(
    {
        causes.AUTH_FAILED,
        causes.REPOSITORY_OR_AUTH,
        causes.TAG_NOT_FOUND,
        causes.RATE_LIMITED,
        causes.DNS,
        causes.UNREACHABLE,
        causes.TLS,
        causes.DISK_FULL,
        causes.NEVER_PULL,
        causes.PLATFORM,
    }
)


def suggested_image(findings: tuple[Explanation, ...]) -> str | None:
    for finding in findings:
        if finding.rule in _IMAGE_RULES:
            match = _SUGGESTED.search(finding.message)
            if match:
                return match.group(1)
    return None


def next_steps(
    failing: Failing,
    cause: str,
    pod: dict[str, Any],
    findings: tuple[Explanation, ...],
    node: Node | None,
    now: str | None = None,
) -> tuple[Step, ...]:
    """The steps for one failing container; ``now``: what the registry says now (--online)."""
    ns, kind_name = failing.namespace, "/".join(pods.owner(pod))
    reference = parse(failing.image)
    host = reference.domain if isinstance(reference, Reference) else ""
    steps: list[Step] = []
    if now:
        steps.append(Step(now))
    corrected = suggested_image(findings)
    if corrected and corrected != failing.image:
        steps.append(_set_image(failing, kind_name, corrected, "Use the corrected image"))
    secrets_said = any(f.rule in _SECRET_RULES for f in findings)
    if cause == causes.AUTH_FAILED or (
        not corrected
        and (cause == causes.REPOSITORY_OR_AUTH or (secrets_said and cause == causes.UNKNOWN))
    ):
        steps.extend(_credentials(failing, pod, findings, host, cause))
    steps.extend(_for_cause(failing, cause, kind_name, host, node, bool(corrected)))
    if cause in _RETRIED and kind_name.split("/")[0] != "pod":
        steps.append(
            Step(
                "The kubelet retries by itself, backing off up to 5 minutes; to retry now, "
                "delete the pod (its controller makes a new one)",
                f"kubectl -n {ns} delete pod {failing.pod}",
            )
        )
    return tuple(dict.fromkeys(steps))


def _set_image(failing: Failing, kind_name: str, image: str, why: str) -> Step:
    if failing.list == "ephemeralContainers":
        return Step(
            f"{why}: an ephemeral container cannot be changed; start another one",
            f"kubectl -n {failing.namespace} debug {failing.pod} -it --image={image}",
        )
    return Step(
        why,
        f"kubectl -n {failing.namespace} set image {kind_name} {failing.container}={image}",
    )


def _credentials(
    failing: Failing,
    pod: dict[str, Any],
    findings: tuple[Explanation, ...],
    host: str,
    cause: str,
) -> list[Step]:
    spec = pods.mapping(pod.get("spec"))
    account = pods.text(spec.get("serviceAccountName")) or "default"
    own = [
        pods.text(pods.mapping(s).get("name")) for s in pods.sequence(spec.get("imagePullSecrets"))
    ]
    named = None
    for finding in findings:
        match = _SECRET_NAMED.search(finding.message)
        if finding.rule in _SECRET_RULES and match:
            named = match.group(1)
            break
    name = named or (own[0] if own else f"{(host or 'registry').split(':')[0]}-pull")
    server = "https://index.docker.io/v1/" if host in ("", DEFAULT_DOMAIN) else host
    if cause == causes.REPOSITORY_OR_AUTH:
        lead = "If the repository exists and is private, give the pod credentials for it: c"
    else:
        lead = "C"
    steps = [
        Step(
            f"{lead}reate (or re-create) the pull secret {name!r} in namespace "
            f"{failing.namespace!r} with a login that may pull from {server} (fill in the "
            "user and password yourself)",
            f"kubectl -n {failing.namespace} create secret docker-registry {name} "
            f"--docker-server={server} --docker-username=<user> --docker-password=<password>",
        )
    ]
    if name not in own:
        patch = json.dumps({"imagePullSecrets": [{"name": name}]}, separators=(",", ":"))
        steps.append(
            Step(
                f"Let the pods of service account {account!r} use it (pods made from now on)",
                f"kubectl -n {failing.namespace} patch serviceaccount {account} -p '{patch}'",
            )
        )
    return steps


def _for_cause(
    failing: Failing, cause: str, kind_name: str, host: str, node: Node | None, corrected: bool
) -> list[Step]:
    ns, image = failing.namespace, failing.image
    where = f"node {failing.node}" if failing.node else "the node"
    if cause == causes.TAG_NOT_FOUND and not corrected:
        why = f"Push {image} to the registry, or use a tag that exists in it"
        return [_set_image(failing, kind_name, "<image:existing-tag>", why)]
    if cause == causes.REPOSITORY_OR_AUTH and not corrected:
        return [Step(f"Check that the repository of {image} exists (the name, its namespace)")]
    if cause == causes.RATE_LIMITED:
        return [
            Step(
                f"Pull from {host or DEFAULT_DOMAIN} with a login (counted per account, not per "
                "node address), or through a mirror or a copy of the image in your own registry"
            )
        ]
    if cause == causes.DNS:
        return [
            Step(
                f"Check the host name {host!r} (a typo?), and that {where} resolves it; from a "
                "pod on that node",
                f"kubectl -n {ns} run dns-check --rm -it --restart=Never --image=busybox:1.36 "
                + (f"--overrides='{_on_node(failing.node)}' " if failing.node else "")
                + f"-- nslookup {host.split(':')[0] or DEFAULT_DOMAIN}",
            )
        ]
    if cause == causes.UNREACHABLE:
        return [
            Step(
                f"Check that {where} can reach {host or DEFAULT_DOMAIN} on port 443 (firewall, "
                "proxy settings of the runtime, the registry itself)"
            )
        ]
    if cause == causes.TLS:
        return [
            Step(
                f"Make the nodes trust {host}'s certificate: its CA in "
                f"/etc/containerd/certs.d/{host}/ca.crt (containerd) or "
                f"/etc/containers/certs.d/{host}/ca.crt (CRI-O), or serve a valid certificate"
            )
        ]
    if cause == causes.PLATFORM:
        wanted = node.platform if node is not None and node.platform else "the node's platform"
        arch = "<arch>"
        selector = json.dumps(
            {"spec": {"template": {"spec": {"nodeSelector": {"kubernetes.io/arch": arch}}}}},
            separators=(",", ":"),
        )
        return [
            Step(
                f"Publish {image} for {wanted} (a multi-platform image), or run the pod on "
                "nodes of an architecture the image offers"
            ),
            Step(
                "Keep the workload on such nodes (<arch>: one the image offers)",
                f"kubectl -n {ns} patch {kind_name} -p '{selector}'"
                if not kind_name.startswith("pod/")
                else None,
            ),
        ]
    if cause == causes.INVALID_REFERENCE and not corrected:
        return [_set_image(failing, kind_name, "<valid-image>", "Fix the image reference")]
    if cause == causes.NEVER_PULL:
        path = f"/spec/template/spec/{failing.list}/{failing.index}/imagePullPolicy"
        patch = json.dumps([{"op": "replace", "path": path, "value": "IfNotPresent"}])
        return [
            Step(f"Load {image} onto {where} beforehand, or let the kubelet pull it"),
            Step(
                "Let the kubelet pull it",
                f"kubectl -n {ns} patch {kind_name} --type=json -p '{patch}'"
                if not kind_name.startswith("pod/")
                else None,
            ),
        ]
    if cause == causes.DISK_FULL:
        return [
            Step(
                f"Free disk space on {where} (unused images: 'crictl rmi --prune' there), and "
                "check its DiskPressure condition",
                f"kubectl describe node {failing.node}" if failing.node else None,
            )
        ]
    if cause == causes.UNKNOWN:
        return [
            Step(
                "Read the message above and the pod's Events (the kubelet's Events expire, "
                "after an hour by default: a dump taken later may hold none)",
                f"kubectl -n {ns} describe pod {failing.pod}",
            )
        ]
    return []


def _on_node(node: str) -> str:
    return json.dumps({"spec": {"nodeName": node}}, separators=(",", ":"))
