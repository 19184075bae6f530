"""Message contracts between stages.

Every Kafka value is one of these frozen, versioned models, encoded as JSON at the producer's
edge and decoded at the consumer's edge. Units live in field names. Topic names carry the major
version; a breaking change to a model makes a new topic (``...v2``). Every message is keyed by
``call_id`` so one call stays ordered within a partition.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Annotated, ClassVar, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError


class ContractError(ValueError):
    """A message that cannot be decoded into its contract: a poison message for the dead-letter topic."""


class MessagePart(BaseModel):
    """Every model a message is made of: frozen, no unknown fields, and only finite numbers.

    JSON parsers accept NaN and Infinity; a stage computing with them publishes what the next one
    cannot store, so they are refused where the message is decoded (a dead letter there).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Contract(MessagePart):
    model_config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")

    topic: ClassVar[str]
    version: ClassVar[int] = 1

    schema_version: int = 1

    def encode(self) -> bytes:
        return self.model_dump_json().encode("utf-8")

    @classmethod
    def decode(cls: type[C], raw: bytes | None) -> C:
        if raw is None:
            raise ContractError(f"{cls.__name__}: empty message value")
        try:
            msg = cls.model_validate_json(raw)
        except ValidationError as exc:
            raise ContractError(f"{cls.__name__}: {validation_summary(exc)}") from exc
        if msg.schema_version != cls.version:
            raise ContractError(
                f"{cls.__name__}: schema_version {msg.schema_version} is not supported by this worker (expects {cls.version})"
            )
        return msg


C = TypeVar("C", bound=Contract)


def validation_summary(exc: ValidationError) -> str:
    """A refused message's first error in one line: what is wrong, where, and the value when it is a number or short text."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    given = first.get("input")
    shown = f" (got {given!r})" if isinstance(given, (int, float)) or (isinstance(given, str) and len(given) <= 40) else ""
    return f"{first.get('msg')} at '{where}'{shown} ({exc.error_count()} errors)"


def _finite_json(value):
    """Free-form JSON (an LLM's answer) holds only finite numbers too: ``allow_inf_nan`` covers typed fields only."""
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("Input should be a finite number")
    for item in items:
        _finite_json(item)
    return value


FiniteJson = Annotated[dict, AfterValidator(_finite_json)]

Speaker = Literal["agent", "caller", "unknown"]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


RecordingDigest = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class CallMeta(MessagePart):
    """What the recorder knows about a call when it starts."""

    call_id: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]
    centre_id: str
    team_id: str
    agent_id: str
    caller_number: str | None = None
    started_at: datetime
    channel_layout: Literal["mono", "stereo"]
    # For stereo recordings: which channel carries the agent (0 = left, 1 = right).
    agent_channel: int | None = Field(default=None, ge=0, le=1)
    source_uri: str | None = None
    # Added after v1 shipped (optional): the SHA-256 of the recording's file, so a stage can tell a
    # redelivery of the same recording from a different recording under the same call id.
    recording_sha256: RecordingDigest | None = None


class AudioChunk(Contract):
    """A few seconds of one call's audio, as a recorder streams it during the call."""

    topic: ClassVar[str] = "calls.audio.v1"

    meta: CallMeta
    seq: int = Field(ge=0)
    is_last: bool
    sample_rate_hz: int = Field(gt=0, le=192_000)
    channels: int = Field(ge=1, le=2)
    codec: Literal["pcm_s16le"] = "pcm_s16le"
    offset_s: float = Field(ge=0)
    audio: bytes

    @property
    def call_id(self) -> str:
        return self.meta.call_id


class Word(MessagePart):
    start_s: float
    end_s: float
    text: str
    probability: float


class Segment(MessagePart):
    speaker: Speaker
    channel: int | None = None
    start_s: float
    end_s: float
    text: str
    words: tuple[Word, ...] = ()


class PartyMetrics(MessagePart):
    """One party's share of a call, from segment timings."""

    speaker: Speaker
    talk_s: float
    # This party's talk time over all parties' talk time (0..1).
    talk_share: float
    turns: int
    chars: int
    # Spoken characters (no punctuation) per minute of this party's talk time.
    speech_rate_cpm: float | None = None
    # Times this party started speaking while another party was mid-utterance.
    interruptions_made: int = 0


class Silence(MessagePart):
    """One silence of a call: a gap in everyone's speech longer than the metrics' threshold."""

    # The end of the speech before it and the start of the speech after it.
    start_s: float
    end_s: float


class ConversationMetrics(MessagePart):
    """Timing metrics of a whole call (silence, overlap, interruptions, response latency).

    Defined and computed by hotline/conversation.py (measure_conversation), the one definition the
    ASR carries here, the sink stores on the calls row and the long-silence rule reads.
    """

    silence_threshold_s: float
    speech_s: float
    # Gaps between speech (anyone's) longer than the threshold.
    silences: int
    silence_s: float
    longest_silence_s: float
    longest_silence_start_s: float | None = None
    overlap_s: float
    overlaps: int
    interruptions: int
    # Agent's delay after a caller's turn ends (0 when the agent came in before it ended).
    agent_responses: int = 0
    agent_response_latency_mean_s: float | None = None
    agent_response_latency_max_s: float | None = None
    parties: tuple[PartyMetrics, ...] = ()
    # Added after v1 shipped (optional): each silence counted above, in time order, so a consumer (the
    # long-silence rule) reads them instead of measuring the gaps again. None from producers that
    # did not carry them (not the same as (), no silence).
    silence_spans: tuple[Silence, ...] | None = None


class TranscriptReady(Contract):
    """The transcript of a call (partial while the call is arriving, final once it ended)."""

    topic: ClassVar[str] = "calls.transcripts.v1"

    meta: CallMeta
    is_final: bool = True
    # Set when the call never ended (last chunk missing) and was transcribed from what arrived.
    incomplete: bool = False
    duration_s: float
    language: str
    asr_model: str
    segments: tuple[Segment, ...]
    processing_s: float
    transcribed_at: datetime = Field(default_factory=utcnow)
    # Conversation timing metrics; None from producers that do not compute them.
    metrics: ConversationMetrics | None = None

    @property
    def call_id(self) -> str:
        return self.meta.call_id


class Evidence(MessagePart):
    quote: str
    speaker: Speaker
    start_s: float
    end_s: float
    # True only when the quote was found verbatim in the transcript.
    verified: bool


ItemStatus = Literal["passed", "failed", "pending", "needs_review", "not_applicable"]


class CheckResult(MessagePart):
    item_id: str
    name: str
    kind: Literal["rule", "timing", "llm"]
    status: ItemStatus
    weight: float
    points: float
    fatal: bool = False
    reason: str
    evidence: tuple[Evidence, ...] = ()


class CategorySuggestion(MessagePart):
    category: str
    score: float
    method: str
    # The nearest labelled examples the suggestion rests on (evidence for a human).
    neighbours: tuple[str, ...] = ()


class LlmJudgement(MessagePart):
    """An LLM-produced field, or why there is none yet."""

    name: str
    status: Literal["judged", "pending", "needs_review"]
    reason: str
    value: FiniteJson | None = None
    model: str | None = None
    prompt_version: str | None = None
    # Added after v1 shipped (optional): when the model was asked, and the tokens the request(s)
    # behind this judgement used as the server counted them (OpenAI `usage`; None when not reported).
    # A long call asked in parts carries the sum over its parts; a retried invalid reply counts twice.
    asked_at: datetime | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


SentimentLabel = Literal["satisfied", "neutral", "anxious", "dissatisfied", "angry"]


class TurnSentiment(MessagePart):
    """The caller's sentiment in one turn (the turn is found by its times in the transcript)."""

    start_s: float
    end_s: float
    label: SentimentLabel
    # How far the winning label's prototype similarity lies above the runner-up's (0 = a tie).
    margin: float


class CallSentiment(MessagePart):
    """Caller sentiment per turn, overall, and its trend from the first third to the last third of turns."""

    method: str
    overall: SentimentLabel
    turns: tuple[TurnSentiment, ...] = ()
    # Mean valence (angry -2 .. satisfied +1) of the first and last third of the caller's turns.
    first_third_valence: float | None = None
    last_third_valence: float | None = None
    trend: Literal["improving", "steady", "worsening", "unknown"] = "unknown"
    # The caller's words the overall label rests on.
    evidence: tuple[Evidence, ...] = ()


AttitudeLabel = Literal["polite", "neutral", "impatient", "rude"]


class TurnAttitude(MessagePart):
    """The agent's attitude in one turn (the turn is found by its times in the transcript)."""

    start_s: float
    end_s: float
    label: AttitudeLabel
    # Why: the service-taboo phrase or courtesy phrase found, or the nearest prototype.
    reason: str


class AgentAttitude(MessagePart):
    """The agent's attitude per turn and overall (the worst turn that was not a lone slip), with quotes."""

    method: str
    overall: AttitudeLabel
    turns: tuple[TurnAttitude, ...] = ()
    # The agent's words the overall label rests on.
    evidence: tuple[Evidence, ...] = ()


# The types a centre records a work order under (WorkOrderEvent.recorded_type uses the same words).
DemandType = Literal["投诉", "举报", "求助", "建议", "咨询", "表扬"]


class Demand(MessagePart):
    """One demand (诉求) of the caller: a work-order draft line, machine-extracted until a person confirms it."""

    summary: str
    # "一级/二级[/三级]" from the configured taxonomy.
    category: str | None = None
    district: str | None = None
    street: str | None = None
    # The address as the caller said it.
    address: str | None = None
    urgency: Literal["low", "normal", "high", "urgent"] | None = None
    requested_action: str | None = None
    todos: tuple[str, ...] = ()
    # "rules" (no LLM: category + place spans + the caller's first substantive turn) or "llm".
    source: Literal["rules", "llm"]
    machine_extracted: bool = True
    evidence: tuple[Evidence, ...] = ()
    # Added after v1 shipped (optional): the kind of matter from the caller's words (inspection/
    # demand_type.py) and the words it rests on; compared with the work order's recorded_type to
    # find a complaint recorded as a 咨询 (work_order_discrepancies).
    demand_type: DemandType | None = None
    type_evidence: tuple[Evidence, ...] = ()


class RoutingSuggestion(MessagePart):
    """The department the 事项—职责—属地 catalogue assigns to the call, and why."""

    department: str
    rule_id: str
    catalogue_version: str
    category: str | None = None
    district: str | None = None
    reason: str


class CallInspected(Contract):
    topic: ClassVar[str] = "calls.inspections.v1"

    meta: CallMeta
    scorecard_id: str
    scorecard_version: str
    # None: no scorecard item could be decided (a silent call): not scored, which is not 0.
    score: float | None
    max_score: float
    fatal: bool
    checks: tuple[CheckResult, ...]
    defects: tuple[str, ...]
    category: CategorySuggestion | None
    llm: tuple[LlmJudgement, ...] = ()
    review_state: Literal["auto_pass", "sample_review", "mandatory_review"]
    # Added after v1 shipped, optional so earlier producers and consumers keep working.
    sentiment: CallSentiment | None = None
    demands: tuple[Demand, ...] = ()
    routing: RoutingSuggestion | None = None
    inspected_at: datetime = Field(default_factory=utcnow)
    # Added after v1 shipped (optional): the agent's attitude (inspection/attitude.py).
    agent_attitude: AgentAttitude | None = None

    @property
    def call_id(self) -> str:
        return self.meta.call_id


class AlertRaised(Contract):
    topic: ClassVar[str] = "calls.alerts.v1"

    call_id: str
    kind: Literal["self_harm", "violence_threat", "mass_gathering", "media_exposure", "repeat_complaint", "abusive_agent"]
    severity: Literal["high", "critical"]
    quote: str
    speaker: Speaker
    start_s: float
    end_s: float
    from_partial: bool = False
    raised_at: datetime = Field(default_factory=utcnow)
    # What makes this alert the same one when raised again from a later (partial or final) decode of
    # the call, whose times differ slightly: e.g. "拉横幅#1" (the phrase and its occurrence). None
    # from producers that set none: readers then fall back to start_s.
    identity: str | None = None


class DeadLetter(Contract):
    topic: ClassVar[str] = "calls.deadletter.v1"

    stage: Literal["ingest", "asr", "inspection", "sink"]
    call_id: str | None
    reason: str
    error_type: str
    # Where the poison message sat (None when it never entered Kafka, e.g. an undecodable file at ingest).
    original_topic: str | None = None
    original_partition: int | None = None
    original_offset: int | None = None
    original_key: str | None = None
    source_uri: str | None = None
    # The original value (bounded), so the message can be replayed once the cause is fixed.
    payload: bytes | None = None
    failed_at: datetime = Field(default_factory=utcnow)
    # Added after v1 shipped (optional): the recording refused (CallMeta.recording_sha256), so
    # reconcile can count recordings rather than call ids.
    recording_sha256: RecordingDigest | None = None


# DeadLetter.error_type of a recording refused because its call id belongs to a different recording.
CALL_ID_COLLISION = "CallIdCollision"


WorkOrderKind = Literal["created", "dispatched", "transferred", "returned", "extended", "replied", "closed", "reopened", "callback"]


class WorkOrderEvent(Contract):
    """One lifecycle event of a work order (工单) from the centre's own work-order system.

    Keyed by ``work_order_id`` (one order stays ordered); ``event_id`` is the source system's id,
    so a replay or a CSV re-import lands on the same row. ``department`` is where the order
    goes (dispatched/transferred) or the one acting (returned/replied); ``from_department`` the
    one handing it on.
    """

    topic: ClassVar[str] = "workorders.events.v1"

    event_id: Annotated[str, Field(min_length=1, max_length=128)]
    work_order_id: Annotated[str, Field(min_length=1, max_length=128)]
    call_id: str | None = None
    kind: WorkOrderKind
    department: str | None = None
    from_department: str | None = None
    category: str | None = None
    # As the centre records it: 投诉 / 咨询 / 求助 / 建议 / 表扬 / 举报.
    recorded_type: str | None = None
    # Where the matter is (事发地址), as the work-order system records it: hotspots and repeat addresses.
    district: str | None = None
    address: str | None = None
    due_at: datetime | None = None
    satisfaction: Literal["satisfied", "basically_satisfied", "dissatisfied"] | None = None
    occurred_at: datetime
    note: str | None = None


ALL_CONTRACTS: tuple[type[Contract], ...] = (AudioChunk, TranscriptReady, CallInspected, AlertRaised, DeadLetter, WorkOrderEvent)
ALL_TOPICS: tuple[str, ...] = tuple(c.topic for c in ALL_CONTRACTS)
