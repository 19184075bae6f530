"""The one LLM client: any OpenAI-compatible server (vLLM in production, llama-server as a stand-in).

Every request asks for a strict JSON schema (``response_format: json_schema``) with a bounded
max_tokens; the reply is validated with pydantic. What can go wrong is recorded, never raised:

* no endpoint configured         -> status "pending" (nothing was asked)
* server unreachable / 5xx / 429 -> retried with backoff, then "pending" (ask again later)
* reply fails validation         -> asked once more, then "needs_review" (a person looks)
* a quote that is not verbatim   -> "needs_review"
* a stand-in model               -> the protocol is exercised and validated, the result is
                                    "pending": a stand-in's output is never a judgement.

A transcript longer than one prompt (settings.llm.transcript_part_chars) is asked in parts and the
replies merged (llm_chunks.py): never cut. Each judgement records the model, the prompt version,
when it was asked and the tokens its request(s) used (OpenAI ``usage``); the client also keeps
running totals (``usage()``) for the benchmark's calls-per-hour and tokens-per-call figures.
Pending judgements whose cause may have gone away (no endpoint, server down) are asked again by
``hotline.warehouse.rejudge.rejudge_pending``; ``pending_is_retryable`` says which.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Literal

import httpx
from pydantic import BaseModel, ValidationError

from hotline.contracts import LlmJudgement, Segment
from hotline.settings import LlmSettings

from .evidence import quote_segment, verify_evidence
from .llm_chunks import chunk_transcript, merge_parsed
from .llm_prompts import (
    NO_TURN,
    PROMPT_VERSION,
    LlmTask,
    demands_task,
    item_task,
    numbered_turns,
    render_transcript,
    sentiment_task,
    strict_schema,
    summary_task,
    system_prompt,
    turns_in,
    user_message,
)
from .scorecard import Scorecard
from .textmatch import normalise_phrase

log = logging.getLogger(__name__)

NO_ENDPOINT_REASON = "no LLM endpoint configured"
STAND_IN_REASON = "stand-in model: protocol check only, not a judgement"
# Prefix of the reason when the server could not be asked: such items are asked again later.
UNREACHABLE_REASON = "LLM unreachable, to be asked again"
NO_SPEECH_REASON = "no speech in the transcript"
NOT_REQUESTED_REASON = "no LLM judgement was requested for this item"
_RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class _Unavailable(Exception):
    """The server could not be asked (down, overloaded, or it refused the request)."""


class _BadReply(Exception):
    """The server answered, but not with a reply that matches the schema."""


@dataclass(frozen=True)
class LlmReply:
    task: str
    outcome: Literal["ok", "unconfigured", "unavailable", "invalid"]
    parsed: BaseModel | None = None
    error: str | None = None
    model: str | None = None
    attempts: int = 0
    # Tokens the answered requests used, as the server counted them (None: not reported).
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    asked_at: datetime | None = None


def pending_is_retryable(reason: str, *, stand_in_endpoint: bool) -> bool:
    """Whether asking again may turn this pending item into a judgement.

    No endpoint, server down or refusing: yes. A stand-in's pending: only once a capable endpoint
    is configured (asking the stand-in again changes nothing). No speech: never.
    """
    if reason.startswith(STAND_IN_REASON):
        return not stand_in_endpoint
    if reason.startswith(NO_SPEECH_REASON):
        return False
    # The last two: how "unreachable" read before it had its own prefix (calls stored by older workers).
    return reason.startswith((NO_ENDPOINT_REASON, UNREACHABLE_REASON, NOT_REQUESTED_REASON, "LLM endpoint ", "LLM server refused"))


# Builds a task for one part of a transcript (turn enums differ between parts).
TaskFactory = Callable[[str], LlmTask]


@dataclass
class LlmUsage:
    """Running totals of one client: what the benchmark divides by calls and time."""

    requests: int = 0
    failed_requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    prompt_chars: int = 0
    # Prompt tokens the server took from its cache (llama-server's timings.cache_n, vLLM's
    # usage.prompt_tokens_details.cached_tokens); unknown counts as 0.
    cached_prompt_tokens: int = 0
    # Answered requests whose reply failed the schema (each asked once more, then needs_review).
    invalid_replies: int = 0


@dataclass(frozen=True)
class CallJudgements:
    """Call-level judgements (sentiment, summary) and one judgement per LLM scorecard item."""

    call: tuple[LlmJudgement, ...]
    items: dict[str, LlmJudgement] = field(default_factory=dict)


class LlmClient:
    def __init__(self, settings: LlmSettings, *, backoff_s: float = 0.5):
        self.settings = settings
        self.backoff_s = backoff_s
        self._sem = threading.BoundedSemaphore(max(settings.concurrency, 1))
        self._pool: ThreadPoolExecutor | None = None
        self._http: httpx.Client | None = None
        self._model: str | None = settings.model
        self._lock = threading.Lock()
        self._listing = threading.Lock()
        self._usage = LlmUsage()

    @property
    def configured(self) -> bool:
        return self.settings.base_url is not None

    def usage(self) -> LlmUsage:
        """A copy of the running totals (requests answered, tokens, prompt characters)."""
        with self._lock:
            return replace(self._usage)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        if self._http is not None:
            self._http.close()

    def __enter__(self) -> "LlmClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _client(self) -> httpx.Client:
        with self._lock:
            if self._http is None:
                headers = {"Authorization": f"Bearer {self.settings.api_key}"} if self.settings.api_key else {}
                self._http = httpx.Client(
                    base_url=self.settings.base_url.rstrip("/") + "/",  # type: ignore[union-attr]
                    timeout=self.settings.timeout_s,
                    headers=headers,
                    limits=httpx.Limits(max_connections=max(self.settings.concurrency, 1)),
                )
            return self._http

    def model_name(self) -> str:
        """The configured model, else the first one the server lists (vLLM serves one model per port)."""
        client = self._client()
        # One listing for all of the pool's threads: a busy CPU server answers it slowly.
        with self._listing:
            if self._model is None:
                try:
                    resp = client.get("models", timeout=min(self.settings.timeout_s, 30.0))
                    resp.raise_for_status()
                    self._model = str(resp.json()["data"][0]["id"])
                except (httpx.HTTPError, KeyError, IndexError, ValueError) as exc:
                    log.warning("could not list models at %s (%s); sending model 'default'", self.settings.base_url, exc)
                    return "default"
            return self._model

    def request(self, task: LlmTask, system: str, user: str) -> LlmReply:
        """Ask one task; an invalid reply is asked once more. Never raises for server or reply faults."""
        if not self.configured:
            return LlmReply(task=task.name, outcome="unconfigured", error=NO_ENDPOINT_REASON)
        model = self.model_name()
        payload = {
            "model": model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "max_tokens": max(min(task.max_tokens, self.settings.max_tokens), 16),
            "temperature": 0,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": task.name, "schema": strict_schema(task.reply_model), "strict": True},
            },
        }
        asked_at = datetime.now(timezone.utc)
        attempts, problem = 0, ""
        tokens = _Tokens()
        for _ in range(2):
            try:
                content, used = self._post(payload, tokens)
                attempts += used
                return LlmReply(task=task.name, outcome="ok", parsed=_parse(task, content), model=model, attempts=attempts,
                                **tokens.fields(), asked_at=asked_at)
            except _Unavailable as exc:
                return LlmReply(task=task.name, outcome="unavailable", error=str(exc), model=model,
                                attempts=attempts + self.settings.max_retries + 1, **tokens.fields(), asked_at=asked_at)
            except _BadReply as exc:
                attempts += 1
                problem = str(exc)
                with self._lock:
                    self._usage.invalid_replies += 1
                log.warning("LLM reply for %s failed validation (%s)", task.name, problem)
        return LlmReply(task=task.name, outcome="invalid", error=f"reply failed schema validation twice: {problem}", model=model,
                        attempts=attempts, **tokens.fields(), asked_at=asked_at)

    def ask_many(self, factories: Sequence["TaskFactory"], system: str, parts: Sequence[str]) -> list[LlmReply]:
        """Every task about every part at once (the part's transcript is a prefix its tasks share), merged per task."""
        n = len(parts)
        tasks = [(f(p), i, p) for f in factories for i, p in enumerate(parts)]
        asks = [(t, system, user_message(p, t, (i + 1, n))) for t, i, p in tasks]
        flat = self._map(asks) if len(asks) > 1 else [self.request(*asks[0])]
        return [merge_replies(asks[k * n][0], flat[k * n:(k + 1) * n]) for k in range(len(factories))]

    def _map(self, asks: Sequence[tuple[LlmTask, str, str]]):
        """Run requests on the client's pool (bounded by settings.llm.concurrency), results in order."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=max(self.settings.concurrency, 1), thread_name_prefix="llm")
        return [f.result() for f in [self._pool.submit(self.request, *a) for a in asks]]

    def _post(self, payload: dict, tokens: "_Tokens") -> tuple[str, int]:
        """POST with retries and backoff for transient failures; returns the message content."""
        tries = self.settings.max_retries + 1
        last = ""
        for attempt in range(tries):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1) * (1 + random.random() / 4))
            try:
                with self._sem:
                    resp = self._client().post("chat/completions", json=payload)
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
                self._count(payload, failed=True)
                log.warning("LLM request failed (attempt %d/%d): %s", attempt + 1, tries, last)
                continue
            if resp.status_code in _RETRY_STATUS:
                last = f"HTTP {resp.status_code}: {resp.text[:200]}"
                log.warning("LLM server busy or failing (attempt %d/%d): %s", attempt + 1, tries, last)
                self._count(payload, failed=True)
                continue
            if resp.status_code >= 400:
                self._count(payload, failed=True)
                raise _Unavailable(f"LLM server refused the request: HTTP {resp.status_code}: {resp.text[:300]}")
            used = tokens.add(resp)
            self._count(payload, used=used)
            return _content(resp), attempt + 1
        raise _Unavailable(f"LLM endpoint {self.settings.base_url} failed after {tries} attempts: {last}")

    def _count(self, payload: dict, *, used: tuple[int, int, int] | None = None, failed: bool = False) -> None:
        with self._lock:
            if failed:
                self._usage.failed_requests += 1
                return
            self._usage.requests += 1
            self._usage.prompt_chars += sum(len(m["content"]) for m in payload["messages"])
            if used is not None:
                self._usage.prompt_tokens += used[0]
                self._usage.completion_tokens += used[1]
                self._usage.cached_prompt_tokens += used[2]

    def parts(self, segments: Sequence[Segment]) -> list[str]:
        """The transcript as the LLM sees it: one part, or several for a call longer than one prompt."""
        return chunk_transcript(render_transcript(segments), max(self.settings.transcript_part_chars, 200))

    def judge_call(self, segments: Sequence[Segment], scorecard: Scorecard, categories: Sequence[str] = ()) -> CallJudgements:
        """Caller sentiment, demand summary and the scorecard's LLM items for one call."""
        turns = numbered_turns(segments)
        callers = _caller_turns(turns)
        factories: list[TaskFactory] = [lambda p: sentiment_task(callers(p)), lambda p: summary_task(categories)]
        factories += [lambda p, item=item: item_task(item, turns_in(p)) for item in scorecard.llm_items]
        names = ["caller_sentiment", "demand_summary", *(item.id for item in scorecard.llm_items)]
        replies = self._ask_call(factories, segments, system_prompt(scorecard, categories))
        by_task = dict(zip(names, replies))
        call = (
            self._judgement("caller_sentiment", by_task["caller_sentiment"], lambda p: _check_sentiment(p, turns)),
            self._judgement("demand_summary", by_task["demand_summary"], lambda p: _check_summary(p, segments)),
        )
        items = {item.id: self._judgement(item.id, by_task[item.id], lambda p: _check_item(p, turns)) for item in scorecard.llm_items}
        return CallJudgements(call=call, items=items)

    def extract_demands(self, segments: Sequence[Segment], scorecard: Scorecard, categories: Sequence[str] = ()) -> LlmJudgement:
        """The structured demands (several per call, place, urgency, action, to-dos) as one judgement."""
        turns = numbered_turns(segments)
        callers = _caller_turns(turns)
        reply = self._ask_call([lambda p: demands_task(callers(p), categories)], segments, system_prompt(scorecard, categories))[0]
        return self._judgement("demands", reply, lambda p: _check_demands(p, turns))

    def _ask_call(self, factories: Sequence["TaskFactory"], segments: Sequence[Segment], system: str) -> list[LlmReply]:
        parts = self.parts(segments)
        if not self.configured:
            return [LlmReply(task="", outcome="unconfigured", error=NO_ENDPOINT_REASON) for _ in factories]
        if not parts:
            return [LlmReply(task="", outcome="unconfigured", error=NO_SPEECH_REASON) for _ in factories]
        return self.ask_many(factories, system, parts)

    def _judgement(self, name: str, reply: LlmReply, check) -> LlmJudgement:
        common = {"name": name, "model": reply.model, "prompt_version": PROMPT_VERSION, "asked_at": reply.asked_at,
                  "prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens}
        if reply.outcome == "unconfigured":
            return LlmJudgement(status="pending", reason=reply.error or NO_ENDPOINT_REASON, **common)
        if reply.outcome == "unavailable":
            # Checked before the stand-in: a stand-in that is down was not asked, and may be asked again.
            return LlmJudgement(status="pending", reason=f"{UNREACHABLE_REASON}: {reply.error or 'LLM unavailable'}", **common)
        if self.settings.stand_in:
            note = "" if reply.outcome == "ok" else f" ({reply.outcome}: {reply.error})"
            return LlmJudgement(status="pending", reason=STAND_IN_REASON + note, **common)
        if reply.outcome == "invalid" or reply.parsed is None:
            return LlmJudgement(status="needs_review", reason=reply.error or "no valid reply", **common)
        value, problem = check(reply.parsed)
        if problem:
            return LlmJudgement(status="needs_review", reason=problem, value=value, **common)
        return LlmJudgement(status="judged", reason="judged by LLM", value=value, **common)


class _Tokens:
    """Tokens used by the answered requests of one ask (a retried invalid reply counts twice)."""

    def __init__(self) -> None:
        self.prompt: int | None = None
        self.completion: int | None = None

    def add(self, resp: httpx.Response) -> tuple[int, int, int] | None:
        try:
            body = resp.json()
            usage = body.get("usage") or {}
            used = int(usage["prompt_tokens"]), int(usage.get("completion_tokens", 0))
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # a server that does not report usage: tokens stay unknown (None)
        details = usage.get("prompt_tokens_details") or {}
        cached = details.get("cached_tokens") if isinstance(details, dict) else None
        if cached is None:
            cached = (body.get("timings") or {}).get("cache_n")
        return self.record(*used, cached=int(cached or 0))

    def record(self, prompt: int, completion: int, cached: int = 0) -> tuple[int, int, int]:
        self.prompt = (self.prompt or 0) + prompt
        self.completion = (self.completion or 0) + completion
        return prompt, completion, cached

    def fields(self) -> dict:
        return {"prompt_tokens": self.prompt, "completion_tokens": self.completion}


def merge_replies(task: LlmTask, replies: Sequence[LlmReply]) -> LlmReply:
    """One reply for a call asked in parts: all parts must be ok, else the first failure stands for the call."""
    if len(replies) == 1:
        return replies[0]
    first = replies[0]

    def total(attr: str) -> int | None:
        values = [getattr(r, attr) for r in replies if getattr(r, attr) is not None]
        return sum(values) if values else None

    common = {"task": task.name, "model": first.model, "attempts": sum(r.attempts for r in replies),
              "prompt_tokens": total("prompt_tokens"), "completion_tokens": total("completion_tokens"),
              "asked_at": min((r.asked_at for r in replies if r.asked_at), default=None)}
    for outcome in ("unconfigured", "unavailable", "invalid"):
        failed = [(i, r) for i, r in enumerate(replies) if r.outcome == outcome]
        if failed:
            i, r = failed[0]
            return LlmReply(outcome=r.outcome, error=f"part {i + 1}/{len(replies)}: {r.error}", **common)  # type: ignore[arg-type]
    parsed = merge_parsed(task.kind, task.reply_model, [r.parsed for r in replies])  # type: ignore[misc]
    return LlmReply(outcome="ok", parsed=parsed, **common)


def _content(resp: httpx.Response) -> str:
    try:
        choice = resp.json()["choices"][0]
        content = choice["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise _BadReply(f"response is not an OpenAI chat completion: {resp.text[:200]}") from exc
    return checked_content(content, choice.get("finish_reason"))


def checked_content(content: object, finish_reason: str | None) -> str:
    """The reply text, or _BadReply when there is none or it was cut at max_tokens (any backend)."""
    if not isinstance(content, str):
        raise _BadReply("response message has no text content")
    if finish_reason == "length":
        # A reply cut at max_tokens is not valid JSON; say why rather than quote the JSON error.
        raise _BadReply("reply was cut off at max_tokens")
    return content


def _parse(task: LlmTask, content: str) -> BaseModel:
    try:
        return task.reply_model.model_validate_json(content)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise _BadReply(f"{first.get('msg')} at '{where}' ({exc.error_count()} errors): {content[:120]!r}") from exc


def _caller_turns(turns: Sequence[Segment]):
    """For a part: the numbers of its caller turns (all its turns when no turn is the caller's)."""
    has_caller = any(t.speaker == "caller" for t in turns)

    def of(part: str) -> tuple[int, ...]:
        return tuple(n for n in turns_in(part) if not has_caller or turns[n - 1].speaker == "caller")

    return of


def _cite(value: dict, turns: Sequence[Segment], speaker: str | None) -> tuple[dict, str | None]:
    """Replace the cited turn number by its verbatim text and evidence; a problem when none or the wrong speaker."""
    n = int(value.get("turn", NO_TURN))
    if not 1 <= n <= len(turns):
        return value, "no turn of the call was cited as evidence"
    seg = turns[n - 1]
    if speaker is not None and any(t.speaker == speaker for t in turns) and seg.speaker != speaker:
        return value, f"the cited turn {n} is not the {speaker}'s"
    evidence = verify_evidence(quote_segment(seg), turns)
    return {**value, "quote": seg.text, "evidence": json.loads(evidence.model_dump_json())}, None


def _check_sentiment(parsed: BaseModel, turns: Sequence[Segment]) -> tuple[dict, str | None]:
    value, problem = _cite(parsed.model_dump(), turns, "caller")
    return value, problem and f"sentiment: {problem}"


def _check_item(parsed: BaseModel, turns: Sequence[Segment]) -> tuple[dict, str | None]:
    value = parsed.model_dump()
    if value["verdict"] == "not_applicable":
        return {**value, "quote": "", "reason": "不适用"}, None
    value, problem = _cite(value, turns, None)
    return {**value, "reason": f"依据第{value['turn']}句"}, problem


def _check_demands(parsed: BaseModel, turns: Sequence[Segment]) -> tuple[dict, str | None]:
    demands = []
    for i, d in enumerate(parsed.model_dump(mode="json")["demands"]):
        cited, problem = _cite(d, turns, "caller")
        if problem:
            return parsed.model_dump(mode="json"), f"demand {i + 1}: {problem}"
        demands.append(cited)
    return {"demands": demands}, None


def _check_summary(parsed: BaseModel, segments: Sequence[Segment]) -> tuple[dict, str | None]:
    value = parsed.model_dump()
    district = normalise_phrase(value["district"])
    if district and district not in normalise_phrase("".join(s.text for s in segments)):
        return value, f"district '{value['district']}' was not said in the call"
    return value, None
