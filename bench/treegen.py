"""The kustomize tree ``python -m bench.trees`` measures: 20 bases (a Deployment with 1-3
containers, a Service, a ServiceAccount with ``imagePullSecrets``), 200 overlays (``namespace``,
``namePrefix``, an ``images:`` entry with new name, tag and/or digest, a strategic-merge patch, a
dockerconfigjson ``secretGenerator``, some with two bases) and two shared Components, written
deterministically for a seed (:func:`generate_tree`).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

# A dummy login ("user:pass" in base64) for the pull secrets: no real credential.
DOCKERCONFIGJSON = '{"auths":{"registry.acme.io":{"auth":"dXNlcjpwYXNz"}}}\n'
PULL_SECRET = "regcred"

_NAMES = [
    "billing", "catalog", "checkout", "gateway", "inventory", "ledger", "mailer", "orders",
    "payments", "search", "shipping", "users", "auth", "reports", "media", "notify",
    "pricing", "tracking", "warehouse", "frontend",
]  # fmt: skip
_TEAMS = ["shop", "platform", "payments", "data", "web"]
_ENVS = ["dev", "qa", "staging", "prod"]
# Sidecars a base may add to its main container (name, image).
_SIDECARS = [
    ("proxy", "envoyproxy/envoy:v1.31.3"),
    ("log-shipper", "registry.acme.io/platform/log-shipper:2.3.1"),
    ("cache", "redis:7.4.1-alpine"),
    ("auth-proxy", "quay.io/oauth2-proxy/oauth2-proxy:v7.7.1"),
]
# The shared components an overlay may use: a metrics sidecar patched into every Deployment,
# and a mirror of the proxy image.
_COMPONENTS = ["monitoring", "mirror"]


@dataclass(frozen=True)
class TreeStats:
    bases: int
    overlays: int
    components: int
    files: int


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def base_name(index: int) -> str:
    """The app of base ``index``: its Deployment, Service and ServiceAccount name."""
    word = _NAMES[index % len(_NAMES)]
    return word if index < len(_NAMES) else f"{word}-{index // len(_NAMES) + 1}"


def base_image(index: int) -> str:
    """The main container's image in the base, without tag: half the bases use a bare
    placeholder name that every overlay's ``images:`` entry replaces, as kustomize users do."""
    name = base_name(index)
    return name if index % 2 else f"registry.acme.io/shop/{name}"


_MAIN = """
  ports: [{{name: http, containerPort: {port}}}]
  env:
    - {{name: LOG_LEVEL, value: info}}
    - name: POD_NAMESPACE
      valueFrom:
        fieldRef: {{fieldPath: metadata.namespace}}
  readinessProbe:
    httpGet: {{path: /ready, port: http}}
    periodSeconds: 10"""


def _container(name: str, image: str, port: int | None) -> str:
    text = f"- name: {name}\n  image: {image}" + (_MAIN.format(port=port) if port else "")
    text += "\n  resources:\n    requests: {cpu: 100m, memory: 128Mi}\n"
    text += "    limits: {cpu: 500m, memory: 256Mi}"
    return "\n".join("        " + line for line in text.splitlines())


def write_base(folder: Path, index: int, rng: random.Random) -> list[str]:
    """Write base ``index``; the names of its sidecars."""
    name = base_name(index)
    port = rng.choice([8080, 8000, 3000, 9090])
    tag = f"1.{rng.randint(0, 9)}.{rng.randint(0, 20)}"
    sidecars = rng.sample(_SIDECARS, rng.randint(0, 2))
    containers = [_container("app", f"{base_image(index)}:{tag}", port)]
    containers += [_container(sidecar, image, None) for sidecar, image in sidecars]
    labels = f"app.kubernetes.io/name: {name}"
    _write(
        folder / "kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
        "  - deployment.yaml\n  - service.yaml\n  - serviceaccount.yaml\n",
    )
    _write(
        folder / "deployment.yaml",
        f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    {labels}
spec:
  replicas: {rng.randint(1, 3)}
  selector:
    matchLabels:
      {labels}
  template:
    metadata:
      labels:
        {labels}
    spec:
      serviceAccountName: {name}
      imagePullSecrets:
        - name: {PULL_SECRET}
      securityContext: {{runAsNonRoot: true, runAsUser: 10001}}
      containers:
{chr(10).join(containers)}
""",
    )
    _write(
        folder / "service.yaml",
        f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector:\n"
        f"    {labels}\n  ports:\n    - {{name: http, port: 80, targetPort: {port}}}\n",
    )
    _write(
        folder / "serviceaccount.yaml",
        f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n"
        f"imagePullSecrets:\n  - name: {PULL_SECRET}\n",
    )
    return [sidecar for sidecar, _ in sidecars]


def write_components(folder: Path) -> None:
    _write(
        folder / "monitoring" / "kustomization.yaml",
        """apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - path: metrics-sidecar.yaml
    target:
      kind: Deployment
""",
    )
    _write(
        folder / "monitoring" / "metrics-sidecar.yaml",
        """apiVersion: apps/v1
kind: Deployment
metadata:
  name: any
spec:
  template:
    spec:
      containers:
        - name: metrics
          image: quay.io/prometheus/statsd-exporter:v0.27.2
          ports:
            - {name: metrics, containerPort: 9102}
""",
    )
    _write(
        folder / "mirror" / "kustomization.yaml",
        """apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
images:
  - name: envoyproxy/envoy
    newName: registry.acme.io/mirror/envoy
""",
    )


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _image_entry(rng: random.Random, index: int, team: str) -> str:
    """One ``images:`` entry for base ``index``'s main image: a new name (always for a bare
    placeholder), and a new tag (7 in 10), a digest (2 in 10) or both (1 in 10)."""
    lines = [f"  - name: {base_image(index)}"]
    if index % 2 or rng.random() < 0.5:
        lines.append(f"    newName: registry.acme.io/{team}/{base_name(index)}")
    roll = rng.random()
    if roll < 0.8:
        lines.append(f"    newTag: {rng.randint(1, 3)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}")
    if roll >= 0.7:
        lines.append(f"    digest: sha256:{_hex(rng, 64)}")
    return "\n".join(lines)


def _patch(rng: random.Random, index: int) -> str:
    """A strategic-merge patch of base ``index``'s Deployment: a new image for a sidecar of
    the base's (the main image is the ``images:`` entry's), or new resources and replicas."""
    head = f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {base_name(index)}\nspec:\n"
    sidecars = [name for name, _ in _SIDECARS]
    if rng.random() < 0.5:
        sidecar = rng.choice(sidecars)
        image, tag = dict(_SIDECARS)[sidecar].rsplit(":", 1)
        # Another version in the tag's own convention (a "v" prefix, a "-alpine" suffix).
        ver = f"{rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}"
        tag = re.sub(r"\d+\.\d+\.\d+", ver, tag, count=1)
        # Adds the sidecar where the base has none: a strategic merge appends by name.
        return (
            head + "  template:\n    spec:\n      containers:\n"
            f"        - name: {sidecar}\n          image: {image}:{tag}\n"
        )
    cpu, memory = rng.choice([250, 500, 1000]), rng.choice([256, 512, 1024])
    return (
        head + f"  replicas: {rng.randint(2, 6)}\n  template:\n    spec:\n      containers:\n"
        "        - name: app\n          resources:\n"
        f"            requests: {{cpu: {cpu}m, memory: {memory}Mi}}\n"
        f"            limits: {{cpu: {cpu * 2}m, memory: {memory * 2}Mi}}\n"
    )


def write_overlay(folder: Path, index: int, sidecars: list[list[str]], rng: random.Random) -> None:
    """Write overlay ``index`` of the bases whose sidecars are ``sidecars``."""
    env, team, bases = _ENVS[index % len(_ENVS)], rng.choice(_TEAMS), len(sidecars)
    used = [index % bases]
    if bases > 1 and rng.random() < 0.2:
        used.append((used[0] + rng.randint(1, bases - 1)) % bases)
    components = [name for name in _COMPONENTS if rng.random() < 0.2]
    if not any("proxy" in sidecars[base] for base in used):  # the mirror would match nothing
        components = [name for name in components if name != "mirror"]
    text = [
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        f"namespace: {team}-{env}-{index:03d}",
        f"namePrefix: {env}-",
        "resources:",
        *(f"  - ../../bases/b{base:02d}" for base in used),
    ]
    if components:
        text += ["components:", *(f"  - ../../components/{name}" for name in components)]
    text += ["images:", *(_image_entry(rng, base, team) for base in used)]
    text += ["patches:", "  - path: patch.yaml", "secretGenerator:"]
    text += [
        f"  - name: {PULL_SECRET}",
        "    type: kubernetes.io/dockerconfigjson",
        "    files:",
        "      - .dockerconfigjson",
    ]
    if rng.random() < 0.1:
        text += ["generatorOptions:", "  disableNameSuffixHash: true"]
    _write(folder / "kustomization.yaml", "\n".join(text) + "\n")
    _write(folder / "patch.yaml", _patch(rng, used[0]))
    _write(folder / ".dockerconfigjson", DOCKERCONFIGJSON)


def generate_tree(root: Path, bases: int, overlays: int, seed: int) -> TreeStats:
    """Write the tree under ``root`` (``bases/bNN``, ``overlays/oNNN``, ``components/NAME``),
    deterministically for a seed."""
    rng = random.Random(seed)
    sidecars = [write_base(root / "bases" / f"b{index:02d}", index, rng) for index in range(bases)]
    write_components(root / "components")
    for index in range(overlays):
        write_overlay(root / "overlays" / f"o{index:03d}", index, sidecars, rng)
    files = sum(1 for path in root.rglob("*") if path.is_file())
    return TreeStats(bases, overlays, len(_COMPONENTS), files)
