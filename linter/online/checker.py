"""Ask the registries about every image of the run, once per question, in parallel.

A question is an image reference with the credentials its pod would use: the pod's pull secrets
that the kubelet matches to it (in the kubelet's order), then the user's own logins, and
anonymous only when there are none. Each credential is tried until one gets an answer that is
not an authentication problem, as the kubelet does. Answers land in :class:`Answers` for the
online rules; the disk cache answers what it can first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from imagelint.core.model import ImageRecord, Settings
from imagelint.images.reference import Reference
from imagelint.online.answers import (
    AUTH_PROBLEMS,
    AUTH_REFUSED,
    AUTH_REQUIRED,
    DENIED,
    FOUND,
    HUB_UNKNOWN,
    RATE_LIMITED,
    REPOSITORY_MISSING,
    TAG_MISSING,
    UNREACHABLE,
    Answer,
    Answers,
    Attempt,
    Content,
    Platform,
    required_platforms,
)
from imagelint.online.client import DOCKER_HUB_DOMAINS, MEDIA_TYPES, Auth, Reply, api_host
from imagelint.online.errors import Oversized, RateLimited, Unreachable
from imagelint.running.runindex import RunIndex

PER_REGISTRY = 8  # requests in flight to one registry (more does not help, and is not polite)
WORKERS = 16
INDEX_TYPES = frozenset(MEDIA_TYPES[0::2])  # OCI index, Docker manifest list
IMAGE_TYPES = frozenset(MEDIA_TYPES[1::2])
SCHEMA1_TYPES = frozenset(
    {
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
        "application/vnd.docker.distribution.manifest.v1+json",
    }
)

Progress = Callable[[int, int], None]


class Question:
    """One unique question, and the image records waiting for its answer."""

    __slots__ = ("domain", "repository", "reference", "by_digest", "auths", "unknown", "records",
                 "platforms")  # fmt: skip

    def __init__(
        self,
        ref: Reference,
        auths: tuple[tuple[Auth, bool], ...],
        unknown: tuple[str, ...],
    ) -> None:
        self.domain = ref.domain
        self.repository = ref.path
        self.by_digest = ref.digest is not None  # the kubelet pulls by digest when there is one
        self.reference = ref.digest or ref.pull_tag or "latest"
        self.auths = auths  # (credential, whether it is one of the pod's pull secrets)
        self.unknown = unknown
        self.records: list[ImageRecord] = []
        self.platforms: dict[Platform, None] = {}

    @property
    def name(self) -> str:
        return f"{self.domain}/{self.repository}"

    @property
    def shown(self) -> str:
        return f"{self.name}{'@' if self.by_digest else ':'}{self.reference}"

    @property
    def cache_key(self) -> str:
        sources = ",".join(auth.source for auth, _ in self.auths) or "anonymous"
        unknown = ",".join(self.unknown)
        return f"{self.shown}|{sources}|{unknown}"

    @property
    def hub(self) -> bool:
        return self.domain in DOCKER_HUB_DOMAINS


class Checker:
    def __init__(
        self,
        settings: Settings,
        client: Any,  # a RegistryClient (or a stand-in with the same three methods)
        *,
        content: bool = True,
        cache: Any = None,  # an OnlineCache, or None
        user_credentials: Any = None,  # a UserCredentials, or None
        progress: Progress | None = None,
        workers: int = WORKERS,
    ) -> None:
        self.settings = settings
        self.workers = workers
        self.client = client
        self.content = content
        self.cache = cache
        self.user = user_credentials
        self.progress = progress
        self._read: dict[str, dict] = {}  # what manifests said, by repository@digest

    def __call__(self, run: RunIndex, records: list[ImageRecord] | None = None) -> Answers:
        answers = Answers()
        questions = self.questions(run, records)
        answers.questions = len(questions)
        pending = []
        for question in questions:
            cached = self._from_cache(question)
            if cached is not None:
                _deliver(answers, question, cached)
            else:
                pending.append(question)
        if pending:
            self._ask_all(pending, answers)
        answers.requests = getattr(self.client, "requests", 0)
        if self.cache is not None:
            self.cache.save()
        return answers

    # -- questions ---------------------------------------------------------------------------

    def questions(self, run: RunIndex, records: list[ImageRecord] | None) -> list[Question]:
        from imagelint.pullsecrets.records import SecretRecord, covering, view

        wanted = None if records is None else {id(record) for record in records}
        secrets = view(run, self.settings)
        configured = self.settings.option("platforms")
        by_key: dict[tuple[Any, ...], Question] = {}
        for record, ref in run.references():
            if wanted is not None and id(record) not in wanted:
                continue
            auths: list[tuple[Auth, bool]] = []
            unknown: list[str] = []
            if record.pod is not None:
                resolution = secrets.resolve(record.pod)
                for name, entry in _kubelet_order(resolution.entries, ref.name, covering):
                    if entry.credential is not None:
                        source = f"pull secret {record.pod.namespace}/{name}"
                        auths.append((Auth(source, entry.credential), True))
                if not resolution.known:
                    for name_ref in resolution.refs:
                        found = secrets.lookup(record.pod.namespace, name_ref.name)
                        if not isinstance(found, SecretRecord) or found.entries is None:
                            unknown.append(name_ref.name)
            if self.user is not None:
                for user in self.user.lookup(ref.domain, ref.path):
                    auths.append((Auth(user.source, user.credential, user.identity_token), False))
            auths = _without_repeats(auths)
            key = (
                ref.domain,
                ref.path,
                ref.digest or ref.pull_tag,
                tuple(id(auth.credential) for auth, _ in auths),
                tuple(unknown),
            )
            question = by_key.get(key)
            if question is None:
                question = by_key[key] = Question(ref, tuple(auths), tuple(unknown))
            question.records.append(record)
            for platform in required_platforms(record.pod, configured)[0]:
                question.platforms[platform] = None
        return list(by_key.values())

    # -- asking ------------------------------------------------------------------------------

    def _ask_all(self, questions: list[Question], answers: Answers) -> None:
        """Ask in parallel, host by host: one question at a time to a host until it has
        answered once (a silent host holds one worker, not all of them), then up to
        ``PER_REGISTRY``; hosts take turns for the free workers. No worker ever waits for
        another host's turn, so a registry that never answers cannot starve the others."""
        from collections import deque
        from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

        waiting: dict[str, deque[Question]] = {}
        for question in questions:
            waiting.setdefault(api_host(question.domain), deque()).append(question)
        in_flight = dict.fromkeys(waiting, 0)
        heard_from: set[str] = set()
        running: dict[Future[Answer], Question] = {}
        workers = max(1, min(self.workers, len(questions)))
        done = 0
        if self.progress:
            self.progress(0, len(questions))
        with ThreadPoolExecutor(max_workers=workers) as pool:

            def start_more() -> None:
                started = True
                while started and len(running) < workers:
                    started = False
                    for host, queue in waiting.items():
                        limit = PER_REGISTRY if host in heard_from else 1
                        if queue and in_flight[host] < limit and len(running) < workers:
                            question = queue.popleft()
                            in_flight[host] += 1
                            running[pool.submit(self.ask, question)] = question
                            started = True

            start_more()
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    question = running.pop(future)
                    host = api_host(question.domain)
                    in_flight[host] -= 1
                    heard_from.add(host)
                    _deliver(answers, question, _result(future, question))
                    done += 1
                    if self.progress:
                        self.progress(done, len(questions))
                start_more()

    def ask(self, question: Question) -> Answer:
        host = api_host(question.domain)
        base = Answer(
            UNREACHABLE, host, question.shown, question.name, unknown_secrets=question.unknown
        )  # the fields every outcome shares
        # The pod's own credentials, else its anonymous pull; then the user's logins, to tell
        # "needs credentials" from "does not exist".
        own = [auth for auth in question.auths if auth[1]]
        users = [auth for auth in question.auths if not auth[1]]
        candidates: list[tuple[Auth, bool] | None] = [*own, *users] if own else [None, *users]
        attempts: list[Attempt] = []
        for position, candidate in enumerate(candidates):
            auth = candidate[0] if candidate else None
            from_pod = candidate[1] if candidate else True
            try:
                reply = self.client.manifest(
                    question.domain, question.repository, question.reference, auth
                )
                outcome = _classify(reply, auth, question.hub)
                if (outcome in AUTH_PROBLEMS or outcome == HUB_UNKNOWN) and position + 1 < len(
                    candidates
                ):
                    attempts.append(Attempt(auth.source if auth else "", outcome, from_pod))
                    continue
                answer = base._replace(
                    outcome=outcome,
                    credential=auth.source if auth else None,
                    credential_from_pod=from_pod,
                    attempts=tuple(attempts),
                )
                if outcome == FOUND:
                    return self._found(question, answer, reply, auth)
                if outcome == TAG_MISSING:
                    return self._missing(question, answer, auth)
                if outcome == UNREACHABLE:
                    reason = httpx_reason(reply.status)
                    detail = f"{host} answered HTTP {reply.status} {reason} to the manifest request"
                    return answer._replace(detail=detail)
                return answer
            except Unreachable as error:
                return base._replace(detail=error.cause, attempts=tuple(attempts))
            except RateLimited as error:
                return base._replace(
                    outcome=RATE_LIMITED, detail=error.cause, attempts=tuple(attempts)
                )
        raise AssertionError("unreachable: the last candidate always returns")

    def _found(self, question: Question, answer: Answer, reply: Reply, auth: Auth | None) -> Answer:
        digest = reply.headers.get("docker-content-digest") or (
            question.reference if question.by_digest else None
        )
        answer = answer._replace(digest=digest)
        if self.cache is not None and not answer.attempts:
            self.cache.remember_found(
                question.cache_key, digest, answer.credential, answer.credential_from_pod
            )
        if self.content:
            media_type = reply.headers.get("content-type", "").split(";")[0].strip()
            try:
                content = self._content(question, digest, media_type, auth)
            except Oversized as error:
                # The tag exists, but what it points at is not something a runtime pulls.
                return answer._replace(outcome=UNREACHABLE, detail=error.cause)
            answer = answer._replace(content=content)
        return answer

    def _missing(self, question: Question, answer: Answer, auth: Auth | None) -> Answer:
        try:
            reply, tags = self.client.tags(question.domain, question.repository, auth)
        except (Unreachable, RateLimited):
            return answer
        if reply.status == 200:
            suggestions = () if question.by_digest else nearest_tags(question.reference, tags)
            return answer._replace(tags_listed=True, suggestions=suggestions)
        if reply.status == 404:
            errors = (_json_object(reply, status=404) or {}).get("errors")
            if isinstance(errors, list) and any(
                isinstance(error, dict) and error.get("code") == "NAME_UNKNOWN" for error in errors
            ):
                return answer._replace(outcome=REPOSITORY_MISSING)
        return answer

    # -- content: platforms and sizes ---------------------------------------------------------

    def _content(
        self, question: Question, digest: str | None, media_type: str, auth: Auth | None
    ) -> Content | None:
        try:
            manifest = self._manifest(question, digest or question.reference, auth)
            if manifest is None:
                return None
            if "children" in manifest:
                children = [(Platform.parse(p), d) for p, d in manifest["children"]]
                sizes = []
                for wanted in question.platforms:
                    child = next((d for p, d in children if wanted.satisfied_by(p)), None)
                    if child is None:
                        continue
                    image = self._manifest(question, child, auth)
                    if image is not None and isinstance(image.get("size"), int):
                        sizes.append((wanted, image["size"]))
                return Content(tuple(p for p, _ in children), True, tuple(sizes))
            platform = manifest.get("platform")
            size = manifest.get("size")
            platforms = (Platform.parse(platform),) if platform else ()
            sizes = tuple((p, size) for p in platforms if isinstance(size, int))
            return Content(platforms, False, sizes)
        except Oversized:
            raise
        except (Unreachable, RateLimited):
            return None

    def _manifest(self, question: Question, reference: str, auth: Auth | None) -> dict | None:
        """What a manifest says (``children`` of an index, or an image's ``platform`` and
        ``size``), from the cache when the digest is known, else read and remembered."""
        key = f"{question.domain}/{question.repository}@{reference}"
        known = reference.startswith("sha256:")
        if known and key in self._read:
            return self._read[key]
        if known and self.cache is not None:
            cached = self.cache.content(key)
            if cached is not None:
                return cached
        reply = self.client.manifest(
            question.domain, question.repository, reference, auth, method="GET"
        )
        document = _json_object(reply)
        if document is None:
            return None
        media_type = document.get("mediaType") or reply.headers.get("content-type", "")
        media_type = media_type.split(";")[0].strip()
        summary = self._summary(question, document, media_type, auth)
        digest = reference if known else reply.headers.get("docker-content-digest")
        if summary is not None and digest:
            name = f"{question.domain}/{question.repository}@{digest}"
            self._read[name] = summary  # several tags of one image: read once a run
            if self.cache is not None:
                self.cache.remember_content(name, summary)
        return summary

    def _summary(
        self, question: Question, document: dict, media_type: str, auth: Auth | None
    ) -> dict | None:
        if media_type in INDEX_TYPES or "manifests" in document:
            children = []
            for item in document.get("manifests") or ():
                if not isinstance(item, dict) or not isinstance(item.get("digest"), str):
                    continue
                platform = item.get("platform") if isinstance(item.get("platform"), dict) else {}
                os_, arch = platform.get("os"), platform.get("architecture")
                if not os_ or not arch or "unknown" in (os_, arch):
                    continue  # attestations and other non-images
                variant = platform.get("variant") or ""
                children.append([str(Platform(str(os_), str(arch), str(variant))), item["digest"]])
            return {"children": children}
        if media_type in SCHEMA1_TYPES:
            arch = document.get("architecture")
            return {"platform": f"linux/{arch}"} if isinstance(arch, str) and arch else {}
        config = document.get("config") if isinstance(document.get("config"), dict) else None
        layers = document.get("layers") if isinstance(document.get("layers"), list) else None
        if config is None or layers is None:
            return None
        sizes = [config.get("size")] + [
            layer.get("size") for layer in layers if isinstance(layer, dict)
        ]
        summary: dict[str, Any] = {}
        if all(isinstance(size, int) and size >= 0 for size in sizes):
            summary["size"] = sum(sizes)
        platform = self._config_platform(question, config.get("digest"), auth)
        if platform:
            summary["platform"] = platform
        return summary

    def _config_platform(self, question: Question, digest: Any, auth: Auth | None) -> str | None:
        if not isinstance(digest, str):
            return None
        reply = self.client.blob(question.domain, question.repository, digest, auth)
        config = _json_object(reply)
        if config is None:
            return None
        os_, arch = config.get("os"), config.get("architecture")
        if not isinstance(os_, str) or not isinstance(arch, str) or not os_ or not arch:
            return None
        variant = config.get("variant") if isinstance(config.get("variant"), str) else ""
        return str(Platform(os_, arch, variant or ""))

    # -- the cache -------------------------------------------------------------------------

    def _from_cache(self, question: Question) -> Answer | None:
        if self.cache is None:
            return None
        entry = self.cache.found(question.cache_key, question.by_digest)
        if entry is None:
            return None
        digest = entry.get("digest")
        content = None
        if self.content:
            if not isinstance(digest, str):
                return None
            content = self._cached_content(question, digest)
            if content is None:
                return None  # asked again, for the content
        return Answer(
            FOUND,
            api_host(question.domain),
            question.shown,
            question.name,
            credential=entry.get("credential"),
            credential_from_pod=entry.get("from_pod") is not False,
            digest=digest if isinstance(digest, str) else None,
            content=content,
            unknown_secrets=question.unknown,
            cached=True,
        )

    def _cached_content(self, question: Question, digest: str) -> Content | None:
        assert self.cache is not None
        prefix = f"{question.domain}/{question.repository}@"
        manifest = self.cache.content(prefix + digest)
        if manifest is None:
            return None
        if "children" not in manifest:
            platform, size = manifest.get("platform"), manifest.get("size")
            platforms = (Platform.parse(platform),) if isinstance(platform, str) else ()
            sizes = tuple((p, size) for p in platforms if isinstance(size, int))
            return Content(platforms, False, sizes)
        children = [(Platform.parse(p), d) for p, d in manifest["children"]]
        sizes = []
        for wanted in question.platforms:
            child = next((d for p, d in children if wanted.satisfied_by(p)), None)
            if child is None:
                continue
            image = self.cache.content(prefix + child)
            if image is None:
                return None
            if isinstance(image.get("size"), int):
                sizes.append((wanted, image["size"]))
        return Content(tuple(p for p, _ in children), True, tuple(sizes))


def _json_object(reply: Reply, status: int = 200) -> dict | None:
    """The JSON object a reply of this status carries, if it is one."""
    import json

    if reply.status != status:
        return None
    try:
        document = json.loads(reply.body)
    except ValueError:  # UnicodeDecodeError included
        return None
    return document if isinstance(document, dict) else None


def _result(future: Any, question: Question) -> Answer:
    try:
        return future.result()
    except Exception as error:  # a bug: say so on the image, not as a traceback
        return Answer(
            UNREACHABLE,
            api_host(question.domain),
            question.shown,
            question.name,
            detail=f"imagelint failed while asking ({type(error).__name__}: {error})",
        )


def _deliver(answers: Answers, question: Question, answer: Answer) -> None:
    for record in question.records:
        answers.set(record, answer)


def _classify(reply: Reply, auth: Auth | None, hub: bool) -> str:
    status = reply.status
    if status == 200:
        return FOUND
    if status == 404:
        return TAG_MISSING
    if status in (401, 403):
        if auth is not None and (reply.refused or reply.challenge_error == "invalid_token"):
            return AUTH_REFUSED  # wrong user name or password, expired token
        if hub:
            return HUB_UNKNOWN  # Docker Hub answers a missing repository like a private one
        return AUTH_REQUIRED if auth is None else DENIED
    return UNREACHABLE


def httpx_reason(status: int) -> str:
    import httpx

    return httpx.codes.get_reason_phrase(status)


def _kubelet_order(entries: tuple, repository: str, covering: Callable) -> list[tuple[str, Any]]:
    """The pull secret entries the kubelet tries for ``repository``: matching keys, most specific
    (reverse lexicographic) first, and in secret order for equal keys."""
    matching = [(name, entry) for name, entry in entries if covering((entry,), repository)]
    if not matching:  # Docker Hub's fallback key applies only when nothing else matched
        fallback = covering(tuple(entry for _, entry in entries), repository)
        matching = [(name, entry) for name, entry in entries if entry in fallback]
    return sorted(matching, key=lambda item: item[1].match_key or "", reverse=True)


def _without_repeats(auths: list[tuple[Auth, bool]]) -> list[tuple[Auth, bool]]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for auth, from_pod in auths:
        identity = (auth.credential.username, auth.credential.password)
        if identity not in seen:
            seen.add(identity)
            kept.append((auth, from_pod))
    return kept


def nearest_tags(wanted: str, tags: list[str], limit: int = 3) -> tuple[str, ...]:
    """Existing tags a person asking for ``wanted`` most likely meant: the same version with or
    without a ``v``, another case, then the closest spellings."""
    from imagelint.images.similarity import allowed_edits, distance

    if not tags:
        return ()
    bare = wanted[1:] if wanted[:1] in "vV" and wanted[1:2].isdigit() else wanted
    exact = [t for t in tags if t in (f"v{bare}", bare, f"V{bare}") and t != wanted]
    exact += [t for t in tags if t.lower() == wanted.lower() and t != wanted and t not in exact]
    budget = max(2, allowed_edits(wanted))
    close = sorted((distance(wanted, t, budget), t) for t in tags if t not in exact and t != wanted)
    near = [t for d, t in close if d <= budget]
    prefixed = [t for t in tags if t.startswith(wanted) and t not in exact and t not in near]
    return tuple((exact + near + sorted(prefixed, key=len))[:limit])
