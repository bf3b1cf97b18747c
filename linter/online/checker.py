"""Ask the registries about every image of the run, once per question, in parallel.

A question (:mod:`imagelint.online.questions`) is an image reference with the credentials its
pod would use. Each credential is tried until one gets an answer that is not an authentication
problem, as the kubelet does. Answers land in :class:`Answers` for the online rules; the disk
cache answers what it can first.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

import httpx

from imagelint.core.model import ImageRecord, Settings
from imagelint.images.similarity import allowed_edits, distance
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
)
from imagelint.online.client import Auth, Registry, api_host
from imagelint.online.content import ManifestReader, cached_content, json_object
from imagelint.online.credentials import UserCredentials
from imagelint.online.diskcache import OnlineCache
from imagelint.online.errors import Oversized, RateLimited, Unreachable
from imagelint.online.questions import Question, gather
from imagelint.online.transport import Reply
from imagelint.running.runindex import RunIndex

PER_REGISTRY = 8  # requests in flight to one registry (more does not help, and is not polite)
WORKERS = 16

Progress = Callable[[int, int], None]


class Checker:
    def __init__(
        self,
        settings: Settings,
        client: Registry,
        *,
        content: bool = True,
        cache: OnlineCache | None = None,
        user_credentials: UserCredentials | None = None,
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
        self._manifests = ManifestReader(client, cache)

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

    def questions(self, run: RunIndex, records: list[ImageRecord] | None) -> list[Question]:
        return gather(run, records, self.settings, self.user)

    # -- asking ------------------------------------------------------------------------------

    def _ask_all(self, questions: list[Question], answers: Answers) -> None:
        """Ask in parallel, host by host: one question at a time to a host until it has
        answered once (a silent host holds one worker, not all of them), then up to
        ``PER_REGISTRY``; hosts take turns for the free workers. No worker ever waits for
        another host's turn, so a registry that never answers cannot starve the others."""
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
            question.reference if question.by_digest else self._body_digest(question, auth)
        )
        answer = answer._replace(digest=digest)
        if self.cache is not None and not answer.attempts:
            self.cache.remember_found(
                question.cache_key, digest, answer.credential, answer.credential_from_pod
            )
        if self.content:
            try:
                content = self._manifests.content(question, digest or question.reference, auth)
            except Oversized as error:
                # The tag exists, but what it points at is not something a runtime pulls.
                return answer._replace(outcome=UNREACHABLE, detail=error.cause)
            answer = answer._replace(content=content)
        return answer

    def _body_digest(self, question: Question, auth: Auth | None) -> str | None:
        """The digest of a tag whose registry names none in its headers: the sha256 of the
        manifest's bytes, as the runtime computes it (the index's, for a multi-platform image);
        None when the manifest cannot be read."""
        try:
            reply = self.client.manifest(
                question.domain, question.repository, question.reference, auth, method="GET"
            )
        except (Unreachable, RateLimited, Oversized):
            return None
        if reply.status != 200 or not reply.body:
            return None
        return "sha256:" + hashlib.sha256(reply.body).hexdigest()

    def _missing(self, question: Question, answer: Answer, auth: Auth | None) -> Answer:
        try:
            reply, tags = self.client.tags(question.domain, question.repository, auth)
        except (Unreachable, RateLimited):
            return answer
        if reply.status == 200:
            suggestions = () if question.by_digest else nearest_tags(question.reference, tags)
            return answer._replace(tags_listed=True, suggestions=suggestions)
        if reply.status == 404:
            errors = (json_object(reply, status=404) or {}).get("errors")
            if isinstance(errors, list) and any(
                isinstance(error, dict) and error.get("code") == "NAME_UNKNOWN" for error in errors
            ):
                return answer._replace(outcome=REPOSITORY_MISSING)
        return answer

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
            content = cached_content(self.cache, question, digest)
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


def _result(future: Future[Answer], question: Question) -> Answer:
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
    return httpx.codes.get_reason_phrase(status)


def nearest_tags(wanted: str, tags: list[str], limit: int = 3) -> tuple[str, ...]:
    """Existing tags a person asking for ``wanted`` most likely meant: the same version with or
    without a ``v``, another case, then the closest spellings."""
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
