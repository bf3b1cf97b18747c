"""Core speed benchmark of imagelint: the figures of the speed issue, in one run.

On generated corpora of 1,000 and 10,000 files (about 9 documents each), on a findings-heavy
generated corpus (most images carry a mistake imagelint reports) and on the shared corpus of
real manifests (``../shared/corpus/real``, or ``--corpus PATH``):

1. floor ratio: ``imagelint check DIR --format json`` with ``--jobs 1`` and ``--jobs 2``,
   divided by the time ruamel.yaml's C composer alone needs to read and compose the same
   files (the floor);
2. one-file ratio: imagelint on one small Deployment + Service file, divided by yamllint;
3. linearity: imagelint's time on 10,000 files divided by its time on 1,000;
4. peak RSS of each command, of 100,000 documents over files (the large corpus and more
   generated files), and of one file of 100,000 documents.

Every measurement is a whole command in a subprocess (start-up included), repeated with the
sides interleaved; the minimum time of each is kept, and the largest peak RSS. The commands run
with a regular install of this checkout, built in a scratch virtual environment (``--editable``:
with the running interpreter's imagelint instead). Standard library only. Run from the
repository root:

python -m bench.core [--files N] [--large-files N] [--repeat R] [--big-documents N]
[--one-file-repeat R] [--seed N] [--keep] [--editable] [--corpus PATH] [--only PART ...]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

FLOOR_TARGET = 1.3  # --jobs 1
PARALLEL_TARGET = 0.75  # --jobs 2
FINDINGS_PARALLEL_TARGET = 0.8  # --jobs 2 on the findings-heavy corpus (issue 14)
ONE_FILE_TARGET = 0.8
LINEARITY_TARGET = 10.5  # 10x the files
RSS_TARGET_MB = 200
BIG_FILE_DOCUMENTS = 100_000
ONE_FILE_REPEAT = 15
DEFAULT_SEED = 20241121
DEFECTIVE_SHARE = 0.9  # of the images of the findings-heavy corpus
# What --only can choose: the generated corpora (with linearity and the memory of documents over
# files), the findings-heavy corpus, the real manifests, one big file, one small file.
PARTS = ("generated", "findings-heavy", "real", "big-file", "one-file")
ROOT = Path(__file__).resolve().parent.parent
# The interpreter every measured command runs with: a regular install of this checkout, made
# by installed_python() (or, with --editable, the running one).
PYTHON = [sys.executable]

# The floor: walk like imagelint does (recursive, hidden entries skipped, *.yaml/*.yml/*.json,
# symlinks followed once), read bytes, decode UTF-8, compose every document with the C composer.
# Prints "files documents bytes failed" so the report can describe the corpus.
FLOOR_CODE = r"""
import os, sys
from ruamel.yaml.cyaml import CSafeLoader
SUFFIXES = (".yaml", ".yml", ".json")
files = docs = size = failed = 0
visited = set()
def walk(root):
    if os.path.isfile(root):  # a file named on the command line
        yield os.path.dirname(root) or ".", [], [os.path.basename(root)]
        return
    yield from os.walk(root, followlinks=True)
for root in sys.argv[1:]:
    for directory, dirnames, filenames in walk(root):
        st = os.stat(directory)
        if (st.st_dev, st.st_ino) in visited:
            dirnames[:] = []
            continue
        visited.add((st.st_dev, st.st_ino))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(SUFFIXES):
                continue
            with open(os.path.join(directory, name), "rb") as f:
                data = f.read()
            files += 1
            size += len(data)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                failed += 1
                continue
            loader = CSafeLoader(text)
            try:
                while loader.check_node():
                    loader.get_node()
                    docs += 1
            except Exception:
                failed += 1
            finally:
                loader.dispose()
print(files, docs, size, failed)
"""


# --------------------------------------------------------------------------------------------
# Corpus generation
# --------------------------------------------------------------------------------------------

_HUB_SHORT = [
    "nginx:1.27.2",
    "redis:7.4.1-alpine",
    "postgres:16.4",
    "busybox:1.36.1",
    "alpine:3.20",
    "python:3.12-slim",
    "node:20.18.0-bookworm",
    "memcached:1.6.31",
    "rabbitmq:3.13-management",
    "bitnami/kubectl:1.31.2",
    "grafana/grafana:11.3.0",
    "envoyproxy/envoy:v1.31.3",
]
_QUAY_GHCR = [
    "quay.io/prometheus/node-exporter:v1.8.2",
    "quay.io/jetstack/cert-manager-controller:v1.16.1",
    "ghcr.io/fluxcd/source-controller:v1.4.1",
    "ghcr.io/{org}/{app}:v{ver}",
    "quay.io/{org}/{app}:{ver}",
    "registry.k8s.io/ingress-nginx/controller:v1.11.3",
    "gcr.io/distroless/static-debian12:nonroot",
    "public.ecr.aws/docker/library/haproxy:3.0",
]
_PORTED = [
    "registry.acme.io:5000/{team}/{app}:{ver}",
    "localhost:5000/{app}:dev-{ver}",
    "harbor.internal.example:8443/{team}/{app}:{ver}",
    "10.0.12.7:5000/{app}:{ver}",
]
_DIGEST_NAMES = ["alpine", "nginx", "ghcr.io/{org}/{app}", "registry.acme.io:5000/{team}/{app}"]
_BROKEN = [
    "ghcr.io/{Org}/{App}:{ver}",  # uppercase path
    '"nginx:1.27.2 "',  # trailing space in a quoted string
    '"registry.acme.io/{team}/{app}:{ver} "',
    "alpine@sha256:{short}",  # digest too short
    "postgres@sha256:{short}",
]
# Mistakes that give warnings or errors (missing tag or registry, latest, typos, retired
# registries, bad pull policies show elsewhere): the findings-heavy corpus is mostly these.
_DEFECTS = [
    "nginx",
    "redis:latest",
    "{org}/{app}",
    "ghcr.io/{org}/{app}:latest",
    "gcr.oi/{org}/{app}:{ver}",
    "quay.io/{org}/{app}",
    "k8s.gcr.io/{app}:{ver}",
    "registry.acme.io:5000/{team}/{app}",
    "docker.io/{org}/{app}:latest",
    "ghcr.io/{Org}/{App}:{ver}",
]
_WORDS = [
    "billing",
    "catalog",
    "checkout",
    "gateway",
    "inventory",
    "ledger",
    "mailer",
    "orders",
    "payments",
    "search",
    "shipping",
    "users",
    "auth",
    "reports",
    "media",
    "notify",
]
_TEAMS = ["platform", "payments", "data", "web", "infra", "ml"]
_ORGS = ["acme", "example-corp", "initech", "globex"]


@dataclass
class CorpusStats:
    files: int = 0
    documents: int = 0
    size: int = 0
    images: int = 0
    broken: int = 0
    lines: list[int] = field(default_factory=list)


class ImagePicker:
    """A deterministic mix of image references: about 2% of them broken, and with
    ``defective`` > 0 that share of the others made into mistakes imagelint reports."""

    def __init__(self, rng: random.Random, stats: CorpusStats, defective: float = 0.0) -> None:
        self.rng = rng
        self.stats = stats
        self.defective = defective

    def _hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def _fill(self, template: str, app: str) -> str:
        r = self.rng
        org, team = r.choice(_ORGS), r.choice(_TEAMS)
        ver = f"{r.randint(0, 4)}.{r.randint(0, 30)}.{r.randint(0, 12)}"
        return template.format(
            org=org,
            team=team,
            app=app,
            ver=ver,
            Org=org.capitalize(),
            App=app.capitalize(),
            short=self._hex(r.randint(6, 20)),
        )

    def __call__(self, app: str) -> str:
        r = self.rng
        self.stats.images += 1
        if r.random() < 0.02:
            self.stats.broken += 1
            return self._fill(r.choice(_BROKEN), app)
        if self.defective and r.random() < self.defective:
            self.stats.broken += 1
            return self._fill(r.choice(_DEFECTS), app)
        roll = r.random()
        if roll < 0.35:
            image = r.choice(_HUB_SHORT)
        elif roll < 0.60:
            image = self._fill(r.choice(_QUAY_GHCR), app)
        elif roll < 0.80:
            image = self._fill(r.choice(_PORTED), app)
        else:
            name = self._fill(r.choice(_DIGEST_NAMES), app)
            tag = f":{r.randint(1, 3)}.{r.randint(0, 20)}" if r.random() < 0.3 else ""
            image = f"{name}{tag}@sha256:{self._hex(64)}"
        style = r.random()
        if style < 0.15:
            return f'"{image}"'
        if style < 0.25:
            return f"'{image}'"
        return image


def _env(rng: random.Random, app: str, indent: str) -> str:
    lines = [f"{indent}env:"]
    lines.append(f"{indent}  - name: APP_NAME\n{indent}    value: {app}")
    lines.append(
        f'{indent}  - name: LOG_LEVEL\n{indent}    value: "{rng.choice(["info", "debug", "warn"])}"'
    )
    lines.append(
        f"{indent}  - name: POD_NAMESPACE\n{indent}    valueFrom:\n"
        f"{indent}      fieldRef: {{fieldPath: metadata.namespace}}"
    )
    lines.append(
        f"{indent}  - name: DB_PASSWORD\n{indent}    valueFrom:\n"
        f"{indent}      secretKeyRef: {{name: {app}-secrets, key: db-password}}"
    )
    for i in range(rng.randint(0, 4)):
        lines.append(
            f'{indent}  - name: FEATURE_{i}\n{indent}    value: "{rng.choice(["true", "false"])}"'
        )
    return "\n".join(lines)


def _resources(rng: random.Random, indent: str) -> str:
    cpu = rng.choice([50, 100, 250, 500])
    mem = rng.choice([64, 128, 256, 512])
    return (
        f"{indent}resources:\n{indent}  requests:\n{indent}    cpu: {cpu}m\n"
        f"{indent}    memory: {mem}Mi\n{indent}  limits:\n{indent}    cpu: {cpu * 2}m\n"
        f'{indent}    memory: "{mem * 2}Mi"'
    )


def generate_file(rng: random.Random, index: int, image: ImagePicker) -> tuple[str, int]:
    """One realistic multi-document manifest file; returns (text, number of documents)."""
    app = f"{rng.choice(_WORDS)}-{rng.choice(_WORDS)}-{index}"
    team = rng.choice(_TEAMS)
    port = rng.choice([8080, 8000, 3000, 9090, 5000])
    labels = f"app.kubernetes.io/name: {app}\n    app.kubernetes.io/part-of: {team}"
    config_lines = "\n".join(
        f"    {k}: {v}"
        for k, v in [
            ("listen", f'"0.0.0.0:{port}"'),
            ("workers", rng.randint(1, 16)),
            ("timeout", f"{rng.randint(5, 60)}s"),
            ("upstreams", f"[{app}-db:5432, {app}-cache:6379]"),
        ]
        + [(f"option_{i}", rng.choice(["on", "off", "auto"])) for i in range(rng.randint(0, 16))]
    )
    docs = [
        f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: {app}
  labels:
    {labels}
automountServiceAccountToken: false""",
        f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}-config
  labels: {{app.kubernetes.io/name: {app}, app.kubernetes.io/component: config}}
data:
  LOG_FORMAT: json
  "feature.flags": "a,b,c"
  app.yaml: |
    # generated configuration for {app}
{config_lines}
  nginx.conf: |-
    server {{
      listen {port + 1};
      location / {{ proxy_pass http://127.0.0.1:{port}; }}
    }}""",
        f"""apiVersion: v1
kind: Secret
metadata:
  name: {app}-secrets
type: Opaque
stringData:
  db-password: "{rng.getrandbits(64):016x}"
  api-token: '{rng.getrandbits(96):024x}'
  url: postgres://{app}:secret@{app}-db:5432/{app.replace("-", "_")}""",
        f"""apiVersion: v1
kind: Service
metadata:
  name: {app}
  labels:
    {labels}
  annotations:
    prometheus.io/scrape: "true"
    prometheus.io/port: "{port}"
spec:
  type: {rng.choice(["ClusterIP", "ClusterIP", "NodePort"])}
  selector: {{app.kubernetes.io/name: {app}}}
  ports:
    - name: http
      port: 80
      targetPort: {port}
      protocol: TCP
    - {{name: metrics, port: 9102, targetPort: metrics}}""",
        f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  labels:
    {labels}
spec:
  replicas: {rng.randint(1, 6)}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate: {{maxSurge: 1, maxUnavailable: 0}}
  selector:
    matchLabels:
      app.kubernetes.io/name: {app}
  template:
    metadata:
      labels:
        {labels.replace(chr(10) + "    ", chr(10) + "        ")}
      annotations:
        checksum/config: "{rng.getrandbits(128):032x}"
    spec:
      serviceAccountName: {app}
      securityContext: {{runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001}}
      initContainers:
        - name: wait-for-db
          image: {image(app)}
          command: ["sh", "-c", "until nc -z {app}-db 5432; do sleep 2; done"]
          resources:
            limits: {{cpu: 50m, memory: 32Mi}}
        - name: migrate
          image: {image(app)}
          args: [migrate, --database, "postgres://{app}-db:5432"]
      containers:
        - name: {app}
          image: {image(app)}
          imagePullPolicy: IfNotPresent
          args:
            - --port={port}
            - --config=/etc/{app}/app.yaml
          ports:
            - name: http
              containerPort: {port}
            - {{name: metrics, containerPort: 9102}}
{_env(rng, app, "          ")}
{_resources(rng, "          ")}
          readinessProbe:
            httpGet: {{path: /ready, port: http}}
            initialDelaySeconds: 5
            periodSeconds: 10
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            failureThreshold: 3
          volumeMounts:
            - name: config
              mountPath: /etc/{app}
              readOnly: true
            - {{name: tmp, mountPath: /tmp}}
        - name: log-shipper
          image: {image(app)}
          args: ["--input=/var/log/app", "--output=stdout"]
      volumes:
        - name: config
          configMap:
            name: {app}-config
        - name: tmp
          emptyDir: {{}}
      nodeSelector:
        kubernetes.io/os: linux
      tolerations:
        - {{key: dedicated, operator: Equal, value: {team}, effect: NoSchedule}}""",
        f"""apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {app}-db
spec:
  serviceName: {app}-db
  replicas: {rng.choice([1, 3])}
  selector:
    matchLabels: {{app.kubernetes.io/name: {app}-db}}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {app}-db
    spec:
      terminationGracePeriodSeconds: 60
      containers:
        - name: db
          image: {image(app)}
          ports:
            - {{name: postgres, containerPort: 5432}}
          env:
            - name: POSTGRES_DB
              value: "{app.replace("-", "_")}"
            - name: PGDATA
              value: /var/lib/postgresql/data/pgdata
          resources: {{requests: {{cpu: 250m, memory: 256Mi}}}}
          readinessProbe:
            exec:
              command: [pg_isready, -U, postgres]
            periodSeconds: 5
          volumeMounts:
            - name: data
              mountPath: /var/lib/postgresql/data
        - name: exporter
          image: {image(app)}
          ports: [{{name: metrics, containerPort: 9187}}]
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: ["ReadWriteOnce"]
        storageClassName: {rng.choice(["standard", "gp3", "premium-rwo"])}
        resources:
          requests:
            storage: {rng.choice([1, 5, 10, 50])}Gi""",
        f"""apiVersion: batch/v1
kind: CronJob
metadata:
  name: {app}-cleanup
spec:
  schedule: "{rng.randint(0, 59)} {rng.randint(0, 23)} * * *"
  concurrencyPolicy: Forbid
  successfulJobsHistoryLimit: 3
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        spec:
          restartPolicy: OnFailure
          serviceAccountName: {app}
          containers:
            - name: cleanup
              image: {image(app)}
              command:
                - /bin/sh
                - -c
                - |
                  echo "cleaning up {app}"
                  find /data -mtime +7 -delete
              resources: {{limits: {{cpu: 100m, memory: 64Mi}}}}""",
        f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {app}
  annotations:
    cert-manager.io/cluster-issuer: letsencrypt
    nginx.ingress.kubernetes.io/proxy-body-size: "{rng.choice([1, 8, 50])}m"
spec:
  ingressClassName: nginx
  tls:
    - hosts: [{app}.{team}.example.com]
      secretName: {app}-tls
  rules:
    - host: {app}.{team}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {app}
                port: {{number: 80}}""",
        f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {app}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {app}
  minReplicas: {rng.randint(1, 3)}
  maxReplicas: {rng.randint(4, 20)}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {{type: Utilization, averageUtilization: {rng.choice([60, 70, 80])}}}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: 80""",
    ]
    text = "---\n" + "\n---\n".join(docs) + "\n"
    return text, len(docs)


def generate_corpus(root: Path, files: int, seed: int, defective: float = 0.0) -> CorpusStats:
    """Write ``files`` manifests under ``root`` (in sub-directories of 100), deterministically;
    ``defective``: the share of images made into mistakes (see ImagePicker)."""
    rng = random.Random(seed)
    stats = CorpusStats()
    image = ImagePicker(rng, stats, defective)
    for i in range(files):
        directory = root / f"team-{i // 100:02d}"
        directory.mkdir(parents=True, exist_ok=True)
        text, ndocs = generate_file(rng, i, image)
        data = text.encode("utf-8")
        (directory / f"app-{i:04d}.yaml").write_bytes(data)
        stats.files += 1
        stats.documents += ndocs
        stats.size += len(data)
        stats.lines.append(text.count("\n"))
    return stats


ONE_FILE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: registry.acme.io:5000/shop/web:2.4.1
          ports:
            - containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 8080
"""


# --------------------------------------------------------------------------------------------
# Measurement
# --------------------------------------------------------------------------------------------


@dataclass
class Command:
    label: str
    argv: list[str]
    ok_codes: tuple[int, ...]
    capture_stdout: bool = False
    cwd: str | None = None
    times: list[float] = field(default_factory=list)
    failure: str | None = None
    stdout: str = ""
    rss: int = 0  # the largest peak resident set size of its runs, in bytes

    @property
    def best(self) -> float | None:
        return min(self.times) if self.times and self.failure is None else None

    def run(self) -> None:
        if self.failure is not None:
            return
        start = time.perf_counter()
        with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
            proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                cwd=self.cwd,
                stdout=out if self.capture_stdout else subprocess.DEVNULL,
                stderr=err,
            )
            rss = _wait_rss(proc)
            elapsed = time.perf_counter() - start
            err.seek(0)
            out.seek(0)
            stderr, stdout = err.read(), out.read()
        if proc.returncode not in self.ok_codes:
            text = stderr.decode("utf-8", "replace").strip()
            self.failure = f"exit {proc.returncode}" + (f"\n{_indent(text)}" if text else "")
            return
        self.times.append(elapsed)
        self.rss = max(self.rss, rss)
        if self.capture_stdout:
            self.stdout = stdout.decode("utf-8", "replace")


def _wait_rss(proc: subprocess.Popen) -> int:
    """Wait for a child; its own peak resident set size in bytes (0 where unknown)."""
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        # ru_maxrss is in KiB on Linux, bytes on macOS.
        return usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    proc.wait()
    return 0


def _indent(text: str, prefix: str = "      | ") -> str:
    lines = text.splitlines()
    if len(lines) > 40:
        lines = lines[:20] + [f"... ({len(lines) - 40} lines) ..."] + lines[-20:]
    return "\n".join(prefix + line for line in lines)


def interleave(commands: Sequence[Command], repeat: int) -> None:
    for _ in range(repeat):
        for command in commands:
            command.run()


def floor_command(paths: Sequence[str]) -> Command:
    return Command(
        "floor (ruamel C composer)",
        [PYTHON[0], "-c", FLOOR_CODE, *paths],
        ok_codes=(0,),
        capture_stdout=True,
    )


def imagelint_command(
    paths: Sequence[str], label: str = "imagelint check", jobs: int | None = None
) -> Command:
    argv = [PYTHON[0], "-m", "imagelint", "check", *paths, "--format", "json"]
    if jobs is not None:
        argv += ["--jobs", str(jobs)]
        label = f"{label} --jobs {jobs}"
    return Command(label, argv, ok_codes=(0, 1))


def yamllint_argv() -> list[str] | None:
    """How to run yamllint with this interpreter, or None if it is not installed."""
    try:
        if importlib.util.find_spec("yamllint.__main__") is not None:
            return [PYTHON[0], "-m", "yamllint"]
    except ImportError:
        pass
    for name in ("yamllint", "yamllint.exe"):
        exe = Path(sys.executable).parent / name
        if exe.is_file() and os.access(exe, os.X_OK):
            return [str(exe)]
    return None


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def _row(label: str, value: str) -> None:
    print(f"  {label:<28}{value}")


def _seconds(t: float | None, digits: int = 2) -> str:
    return f"{t:.{digits}f} s" if t is not None else "n/a"


def _rss(command: Command) -> str:
    return f"{command.rss / 2**20:.0f} MB" if command.rss else "n/a"


def report_ratio(base: Command, subject: Command, target: float, digits: int) -> float | None:
    """Print a subject's time, peak RSS and ratio to the base; None if either failed."""
    if subject.failure is not None:
        _row(subject.label, f"FAILED ({subject.failure.splitlines()[0]})")
        rest = subject.failure.splitlines()[1:]
        if rest:
            print("\n".join(rest))
        return None
    b, t = base.best, subject.best
    if b is None or t is None:
        return None
    verdict = "ok" if t / b <= target else "MISSED"
    _row(
        subject.label,
        f"{_seconds(t, digits):>8}  {t / b:5.2f}x  (target <= {target:g}x, {verdict})  "
        f"peak RSS {_rss(subject)}",
    )
    return t / b


def report_base(base: Command, digits: int) -> bool:
    if base.failure is not None:
        _row(base.label, f"FAILED ({base.failure.splitlines()[0]})")
        return False
    _row(base.label, f"{_seconds(base.best, digits):>8}  1.00x  peak RSS {_rss(base)}")
    return True


def _floor_counts(floor: Command) -> tuple[int, int, int, int] | None:
    try:
        files, docs, size, failed = (int(x) for x in floor.stdout.split())
    except ValueError:
        return None
    return files, docs, size, failed


def measure_corpus(
    title: str,
    paths: Sequence[str],
    repeat: int,
    describe: Callable[[tuple[int, int, int, int] | None], str],
    parallel_target: float = PARALLEL_TARGET,
) -> tuple[bool, Command]:
    """The floor, imagelint --jobs 1 and --jobs 2; returns whether all ran, and --jobs 1."""
    floor = floor_command(paths)
    one = imagelint_command(paths, jobs=1)
    two = imagelint_command(paths, jobs=2)
    interleave([floor, one, two], repeat)
    print(f"{title}: {describe(_floor_counts(floor))}")
    ok = report_base(floor, 2)
    ok &= report_ratio(floor, one, FLOOR_TARGET, 2) is not None
    ok &= report_ratio(floor, two, parallel_target, 2) is not None
    return ok, one


PRE_COMMIT_CONFIG = """\
allowed-registries: [registry.acme.io, docker.io/library]
severity: {latest-tag: error}
exemptions:
  - {kind: DaemonSet, namespace: kube-system, rules: [missing-tag]}
"""


def measure_findings_heavy(corpus: Path, args: argparse.Namespace) -> bool:
    """The floor ratios on a corpus where nine images in ten carry a mistake: the cost of
    findings (building, sorting, formatting them) shows here, not on the clean corpora."""
    stats = generate_corpus(corpus, args.files, args.seed + 1, DEFECTIVE_SHARE)

    def describe(counts: tuple[int, int, int, int] | None) -> str:
        return (
            f"{stats.files} generated files, {stats.documents} documents, {stats.images} images "
            f"({stats.broken} with a mistake)"
        )

    ok, one = measure_corpus(
        "findings-heavy corpus", [str(corpus)], args.repeat, describe, FINDINGS_PARALLEL_TARGET
    )
    one.capture_stdout = True
    one.run()
    if one.stdout:
        findings = len(json.loads(one.stdout).get("findings", ()))
        _row("findings", f"{findings} ({findings / max(1, stats.files):.1f} per file)")
    shutil.rmtree(corpus, ignore_errors=True)
    return ok


def measure_one_file(path: Path, repeat: int) -> bool:
    lines = path.read_text(encoding="utf-8").count("\n")
    print(f"one file ({lines} lines)")
    argv = yamllint_argv()
    if argv is None:
        print("  yamllint is not installed: one-file ratio skipped")
        print(
            "  (install it with `pip install yamllint`, the `bench` extra: pip install -e '.[bench]')"
        )
        return True
    yamllint = Command("yamllint", [*argv, str(path)], ok_codes=(0, 1))
    # Both tools with their default (text) output, like for like.
    lint = Command("imagelint", [PYTHON[0], "-m", "imagelint", "check", str(path)], ok_codes=(0, 1))
    interleave([yamllint, lint], repeat)
    ok = report_base(yamllint, 3) and report_ratio(yamllint, lint, ONE_FILE_TARGET, 3) is not None
    # The pre-commit hook's command, in a repository with a configuration file: the file is
    # validated once and remembered, and --context reads nothing for an ordinary manifest.
    (path.parent / ".imagelint.yaml").write_text(PRE_COMMIT_CONFIG, encoding="utf-8")
    print("one-file pre-commit run (--context ., with .imagelint.yaml)")
    hook = Command(
        "imagelint",
        [PYTHON[0], "-m", "imagelint", "check", "--context", ".", path.name],
        ok_codes=(0, 1),
        cwd=str(path.parent),
    )
    hook.run()  # the first run validates the configuration and remembers it
    hook.times.clear()
    yamllint = Command("yamllint", [*argv, str(path)], ok_codes=(0, 1))
    interleave([yamllint, hook], repeat)
    return (
        report_base(yamllint, 3)
        and report_ratio(yamllint, hook, ONE_FILE_TARGET, 3) is not None
        and ok
    )


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="imagelint core benchmark: floor ratio (vs ruamel.yaml's C composer) "
        "and one-file ratio (vs yamllint)."
    )
    parser.add_argument(
        "--files",
        type=int,
        default=1000,
        metavar="N",
        help="number of generated manifest files (default: 1000)",
    )
    parser.add_argument(
        "--large-files",
        type=int,
        default=10_000,
        metavar="N",
        help="files of the large generated corpus, for linearity (default: 10000)",
    )
    parser.add_argument(
        "--big-documents",
        type=int,
        default=BIG_FILE_DOCUMENTS,
        metavar="N",
        help=f"documents of the one big file (default: {BIG_FILE_DOCUMENTS})",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="R",
        help="runs of each corpus measurement; the minimum is kept (default: 3)",
    )
    parser.add_argument(
        "--one-file-repeat",
        type=int,
        default=ONE_FILE_REPEAT,
        metavar="R",
        help=f"runs of each one-file measurement (default: {ONE_FILE_REPEAT})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help="seed of the generated corpus (default: %(default)s)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated directory and print its path"
    )
    parser.add_argument(
        "--editable",
        action="store_true",
        help="measure the imagelint the running interpreter imports (default: build and install "
        "this checkout as a regular package in a scratch environment, as users get it)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=PARTS,
        metavar="PART",
        help="measure only this part (repeatable): " + ", ".join(PARTS) + " (default: all; "
        "generated includes linearity and the memory of 100,000 documents over files)",
    )
    parser.add_argument(
        "--corpus",
        metavar="PATH",
        help="real manifests to measure (default: ../shared/corpus/real beside the checkout)",
    )
    args = parser.parse_args(argv)
    if min(args.files, args.large_files, args.big_documents, args.repeat, args.one_file_repeat) < 1:
        parser.error("--files, --large-files, --repeat and --one-file-repeat must be at least 1")
    if args.corpus is not None and not os.path.isdir(args.corpus):
        parser.error(f"--corpus: not a directory: {args.corpus}")
    return args


def run(args: argparse.Namespace, workdir: Path) -> bool:
    ok = True
    parts = set(args.only or PARTS)
    timed: dict[int, Command] = {}
    for files in sorted({args.files, args.large_files}) if "generated" in parts else ():
        corpus = workdir / f"corpus-{files}"
        stats = generate_corpus(corpus, files, args.seed)

        def describe_generated(
            counts: tuple[int, int, int, int] | None, stats: CorpusStats = stats
        ) -> str:
            lines = sorted(stats.lines)
            text = (
                f"{stats.files} generated files, {stats.documents} documents, "
                f"{_mb(stats.size)}, {lines[0]}-{lines[-1]} lines/file, {stats.images} images "
                f"({stats.broken} broken)"
            )
            if counts is not None and (counts[1] != stats.documents or counts[3]):
                text += f"  [floor composed {counts[1]} documents, {counts[3]} files failed]"
            return text

        repeat = args.repeat if files <= args.files else max(1, args.repeat // 3)
        ran, timed[files] = measure_corpus(
            f"corpus of {files} files", [str(corpus)], repeat, describe_generated
        )
        ok &= ran
        if files == args.large_files:
            ok &= measure_many_documents(corpus, stats, workdir / "more", args)
        shutil.rmtree(corpus, ignore_errors=True)

    if "findings-heavy" in parts:
        ok &= measure_findings_heavy(workdir / "findings", args)

    small, large = timed.get(args.files), timed.get(args.large_files)
    if small is not None and large is not None and small.best and large.best:
        ratio = large.best / small.best
        scale = args.large_files / args.files
        target = LINEARITY_TARGET * scale / 10
        verdict = "ok" if ratio <= target else "MISSED"
        print(f"linearity ({args.large_files} files / {args.files} files, --jobs 1)")
        _row("time ratio", f"{ratio:.2f}  (target <= {target:g}, {verdict})")

    corpus = args.corpus or default_real_corpus()
    if "real" not in parts:
        pass
    elif corpus is not None:

        def describe_existing(counts: tuple[int, int, int, int] | None) -> str:
            if counts is None:
                return corpus
            files, docs, size, failed = counts
            extra = f", {failed} not composable by the floor" if failed else ""
            return f"{corpus}, {files} files, {docs} documents, {_mb(size)}{extra}"

        ok &= measure_corpus("real manifests", [corpus], args.repeat, describe_existing)[0]
    else:
        print("real manifests: ../shared/corpus/real not found (give --corpus PATH)")

    if "big-file" in parts:
        ok &= measure_big_file(workdir / "big", args.seed, args.big_documents)
    if "one-file" in parts:
        one = workdir / "one" / "web.yaml"
        one.parent.mkdir(parents=True)
        one.write_text(ONE_FILE, encoding="utf-8")
        ok &= measure_one_file(one, args.one_file_repeat)
    return ok


SPIN_CODE = r"""
import time
start = time.perf_counter()
total = 0
for i in range(8_000_000):
    total += i * i
print(time.perf_counter() - start)
"""


def parallel_speed(rounds: int = 3) -> str:
    """How fast two CPU-bound processes run at once, against one alone: on a shared machine
    the CPUs are not independent, which bounds what ``--jobs 2`` can gain over ``--jobs 1``."""
    alone: list[float] = []
    paired: list[float] = []
    for _ in range(rounds):
        done = subprocess.run([sys.executable, "-c", SPIN_CODE], capture_output=True, text=True)
        alone.append(float(done.stdout))
        pair = [
            subprocess.Popen([sys.executable, "-c", SPIN_CODE], stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        paired.append(max(float(process.communicate()[0]) for process in pair))
    speed = min(alone) / min(paired)
    return (
        f"two CPU-bound processes at once each run at {speed:.2f} of one alone's speed, so "
        f"--jobs 2 can at best be {0.5 / speed:.2f} of --jobs 1's time"
    )


def default_real_corpus() -> str | None:
    candidate = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "real"
    return str(candidate) if candidate.is_dir() else None


def measure_many_documents(
    corpus: Path, stats: CorpusStats, folder: Path, args: argparse.Namespace
) -> bool:
    """Peak RSS on ``--big-documents`` documents spread over files, the case streaming is for:
    the large corpus, plus as many generated files as it takes to reach that many."""
    paths, documents, files = [str(corpus)], stats.documents, stats.files
    if documents < args.big_documents:
        per_file = max(1, documents // max(1, files))
        wanted = -(-(args.big_documents - documents) * 102 // (100 * per_file))  # 2% spare
        more = generate_corpus(folder, wanted, args.seed + 1)
        paths.append(str(folder))
        documents, files = documents + more.documents, files + more.files
    one, two = imagelint_command(paths, jobs=1), imagelint_command(paths, jobs=2)
    interleave([one, two], 1)
    print(f"{documents} documents over {files} files (peak RSS)")
    ok = True
    for command in (one, two):
        if command.failure is not None or not command.rss:
            _row(command.label, "FAILED")
            ok = False
            continue
        verdict = "ok" if command.rss / 2**20 <= RSS_TARGET_MB else "MISSED"
        _row(command.label, f"{_rss(command)}  (target <= {RSS_TARGET_MB} MB, {verdict})")
    shutil.rmtree(folder, ignore_errors=True)
    return ok


def measure_big_file(folder: Path, seed: int, count: int) -> bool:
    """Memory on one file of BIG_FILE_DOCUMENTS documents: it grows with the largest file, so
    this is the case streaming cannot help with (each file is read whole)."""
    folder.mkdir(parents=True)
    source = folder / "source"
    stats = generate_corpus(source, 12, seed)
    documents = [d for f in sorted(source.rglob("*.yaml")) for d in _split(f.read_text())]
    path = folder / "big.yaml"
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            out.write("---\n")
            out.write(documents[index % len(documents)])
    shutil.rmtree(source)
    floor = floor_command([str(path)])
    lint = imagelint_command([str(path)], jobs=1)
    interleave([floor, lint], 1)
    size = path.stat().st_size
    print(f"one file of {count} documents ({_mb(size)}, from {stats.files} files)")
    ok = report_base(floor, 2) and report_ratio(floor, lint, FLOOR_TARGET, 2) is not None
    verdict = "ok" if lint.rss and lint.rss / 2**20 <= RSS_TARGET_MB else "MISSED"
    _row("peak RSS", f"{_rss(lint)}  (target <= {RSS_TARGET_MB} MB, {verdict})")
    path.unlink()
    return ok


def _split(text: str) -> list[str]:
    return [part.strip("\n") + "\n" for part in text.split("\n---\n") if part.strip()]


def installed_python(workdir: Path) -> str:
    """A virtual environment in ``workdir`` holding imagelint as users get it: built from this
    checkout as a regular (not editable) package, its bytecode compiled at install, as pip does.

    Its dependencies come from the running environment through a path file. A path file's lines
    are only added to ``sys.path`` (not read as site directories), so an editable install's
    import hook living there is never loaded."""
    venv = workdir / "installed"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    here = dict.fromkeys((sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]))
    Path(site, "imagelint-bench-dependencies.pth").write_text("\n".join(here) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", site,
         str(ROOT)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    compiled = list(Path(site, "imagelint").rglob("*.pyc"))
    if not compiled:
        raise SystemExit(f"the install in {site} has no compiled bytecode")
    return python


def editable_install() -> bool:
    """Whether imagelint runs from the source tree (``pip install -e``): setuptools' editable
    finder is then imported by every interpreter start (about 12 ms here), which users of a
    regular install never pay."""
    spec = importlib.util.find_spec("imagelint")
    origin = spec.origin if spec is not None else None
    return origin is not None and "site-packages" not in Path(origin).parts


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"imagelint bench (python {sys.version.split()[0]}, {_cpus()} CPUs)")
    print(f"  {parallel_speed()}")
    if args.keep:
        workdir = Path(tempfile.mkdtemp(prefix="imagelint-bench-"))
        ok = prepare_and_run(args, workdir)
        print(f"kept: {workdir}")
    else:
        with tempfile.TemporaryDirectory(prefix="imagelint-bench-") as tmp:
            ok = prepare_and_run(args, Path(tmp))
    return 0 if ok else 1


def prepare_and_run(args: argparse.Namespace, workdir: Path) -> bool:
    if args.editable:
        if editable_install():
            banner = "!" * 96
            print(banner)
            print(
                "!! MEASURING AN EDITABLE INSTALL: every start-up imports its hook and compiles "
                "imagelint from\n!! source (PYTHONDONTWRITEBYTECODE), which no user pays. "
                "Drop --editable for real figures."
            )
            print(banner)
    else:
        PYTHON[0] = installed_python(workdir)
        print(f"  measuring a regular install of this checkout ({PYTHON[0]})")
    return run(args, workdir)


if __name__ == "__main__":
    sys.exit(main())
