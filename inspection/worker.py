"""The inspection stage: TranscriptReady in, CallInspected and AlertRaised out.

``inspect_call`` is pure apart from the LLM client it is handed (which never raises), so it can
be tested and re-run on stored transcripts. Partial transcripts only raise alerts; the final one
is inspected in full.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from kafka.consumer.fetcher import ConsumerRecord

from hotline.bus import Outgoing, PoisonMessage, Publisher, StopFlag, make_consumer, run_stateless_stage
from hotline.contracts import AlertRaised, CallInspected, CheckResult, TranscriptReady
from hotline.settings import InspectionSettings, Settings

from .attitude import AttitudeClassifier, load_attitude_prototypes
from .callview import CallView
from .category import Categoriser, demand_text
from .demands import demands_from_llm, draft_demands
from .evidence import verify_check
from .llm import LlmClient
from .llm_checks import llm_item_checks
from .place import find_place
from .risk import abusive_agent_alerts, detect_risks
from .routing import RoutingCatalogue, load_routing_catalogue, suggest_route
from .rules import run_rules
from .scorecard import AddressRepeatParams, Scorecard, load_scorecard
from .sentiment import SentimentClassifier, load_sentiment_prototypes
from .sources import choose_category, choose_sentiment
from .scoring import MAX_SCORE, route_review, score_checks

log = logging.getLogger(__name__)

CONSUMER_GROUP = "hotline-inspection"
STAGE = "inspection"


def inspect_call(
    transcript: TranscriptReady,
    *,
    scorecard: Scorecard,
    categoriser: Categoriser | None,
    llm: LlmClient,
    settings: InspectionSettings,
    sentiment: SentimentClassifier | None = None,
    catalogue: RoutingCatalogue | None = None,
    attitude: AttitudeClassifier | None = None,
) -> tuple[CallInspected, list[AlertRaised]]:
    call = CallView.of(
        transcript.segments, incomplete=transcript.incomplete, long_silence_s=settings.long_silence_s, metrics=transcript.metrics
    )
    checks_by_id: dict[str, CheckResult] = {c.item_id: verify_check(c, call.segments) for c in run_rules(scorecard.items, call)}

    categories = tuple(categoriser.examples.categories) if categoriser is not None else ()
    judged = llm.judge_call(call.segments, scorecard, categories)
    for c in llm_item_checks(scorecard.llm_items, judged.items, call.segments):
        checks_by_id[c.item_id] = verify_check(c, call.segments)
    checks = tuple(checks_by_id[i.id] for i in scorecard.items)

    text = demand_text(call.segments)
    category = choose_category(settings, categoriser.suggest(text) if categoriser is not None and text else None, judged.call)

    score, fatal = score_checks(checks)
    alerts = detect_risks(transcript.call_id, call.segments, scorecard) + abusive_agent_alerts(transcript.call_id, checks)

    caller_sentiment = choose_sentiment(settings, sentiment.call_sentiment(call.segments) if sentiment is not None else None, judged.call)
    agent_attitude = attitude.agent_attitude(call.segments, scorecard) if attitude is not None else None
    address_item = scorecard.item("address_repeat")
    address_params = address_item.params if address_item is not None and isinstance(address_item.params, AddressRepeatParams) else None
    place = find_place(call.segments, address_params, catalogue.districts if catalogue is not None else ())
    category_name = category.category if category is not None else None
    demands = draft_demands(call.segments, category, place, alerts, caller_sentiment)
    llm_judgements = judged.call
    if llm.configured:
        asked = llm.extract_demands(call.segments, scorecard, categories)
        # Recorded whatever came of it (judged, pending with the reason, needs_review), like the other LLM fields.
        llm_judgements = (*llm_judgements, asked)
        from_llm, why = demands_from_llm(asked, call.segments)
        if from_llm:
            demands = from_llm
        else:
            log.info("call %s: LLM demands not used (%s); keeping the rules draft", transcript.call_id, why)
    routing = suggest_route(catalogue, category_name, place) if catalogue is not None else None
    inspected = CallInspected(
        meta=transcript.meta,
        scorecard_id=scorecard.scorecard_id,
        scorecard_version=scorecard.version,
        score=score,
        max_score=MAX_SCORE,
        fatal=fatal,
        checks=checks,
        defects=tuple(c.item_id for c in checks if c.status == "failed"),
        category=category,
        llm=llm_judgements,
        review_state=route_review(scorecard, score, fatal, checks, alerts),
        sentiment=caller_sentiment,
        agent_attitude=agent_attitude,
        demands=demands,
        routing=routing,
    )
    return inspected, alerts


def handle_transcript(
    transcript: TranscriptReady,
    *,
    scorecard: Scorecard,
    categoriser: Categoriser | None,
    llm: LlmClient,
    settings: InspectionSettings,
    sentiment: SentimentClassifier | None = None,
    catalogue: RoutingCatalogue | None = None,
    attitude: AttitudeClassifier | None = None,
) -> list[Outgoing]:
    """Messages to publish for one transcript: alerts for a partial one, the full inspection for a final one."""
    call_id = transcript.call_id
    try:
        if not transcript.is_final:
            alerts: Sequence[AlertRaised] = detect_risks(call_id, transcript.segments, scorecard, from_partial=True)
            return [Outgoing(a, call_id) for a in alerts]
        inspected, alerts = inspect_call(transcript, scorecard=scorecard, categoriser=categoriser, llm=llm, settings=settings,
                                         sentiment=sentiment, catalogue=catalogue, attitude=attitude)
    except ValueError as exc:
        # Inspection is deterministic: content that fails validation now will fail on every retry.
        raise PoisonMessage(f"cannot inspect transcript: {exc}", call_id=call_id) from exc
    return [Outgoing(inspected, call_id), *(Outgoing(a, call_id) for a in alerts)]


@dataclass(frozen=True)
class InspectionKit:
    """Everything ``inspect_call`` needs besides the LLM, loaded once (the worker, the re-judge job)."""

    scorecard: Scorecard
    categoriser: Categoriser
    sentiment: SentimentClassifier
    catalogue: RoutingCatalogue
    attitude: AttitudeClassifier

    @classmethod
    def load(cls, settings: Settings) -> "InspectionKit":
        # Configuration errors surface here, at start-up, not on the first message.
        scorecard = load_scorecard(settings.inspection.scorecard)
        categoriser = Categoriser.from_settings(settings.inspection, settings.embedding)
        # Sentiment shares the categoriser's embedding model: one copy of the weights per worker.
        sentiment = SentimentClassifier(load_sentiment_prototypes(settings.inspection.sentiment_prototypes), categoriser.embed)
        attitude = AttitudeClassifier(load_attitude_prototypes(settings.inspection.attitude_prototypes), categoriser.embed)
        return cls(scorecard, categoriser, sentiment, load_routing_catalogue(settings.inspection.routing_catalogue), attitude)


def run_inspection_worker(settings: Settings, stop: StopFlag, idle_exit_s: float | None = None) -> int:
    """Consume transcripts until stopped (or idle for idle_exit_s); returns messages handled."""
    kit = InspectionKit.load(settings)
    scorecard, categoriser, sentiment, catalogue, attitude = kit.scorecard, kit.categoriser, kit.sentiment, kit.catalogue, kit.attitude
    llm = LlmClient(settings.llm)
    if not llm.configured:
        log.info("no LLM endpoint configured: LLM items will be recorded as pending")
    elif settings.llm.stand_in:
        log.warning("LLM at %s is a stand-in: its replies are validated but never recorded as judgements", settings.llm.base_url)
    consumer = make_consumer(settings.kafka, CONSUMER_GROUP, [TranscriptReady.topic], max_poll_records=10)
    publisher = Publisher.connect(settings.kafka)

    def handle(msg: TranscriptReady, record: ConsumerRecord) -> list[Outgoing]:  # type: ignore[override]
        return handle_transcript(msg, scorecard=scorecard, categoriser=categoriser, llm=llm, settings=settings.inspection,
                                 sentiment=sentiment, catalogue=catalogue, attitude=attitude)

    try:
        return run_stateless_stage(
            stage=STAGE,
            consumer=consumer,
            publisher=publisher,
            contract=TranscriptReady,
            handler=handle,  # type: ignore[arg-type]
            stop=stop,
            idle_exit_s=idle_exit_s,
        )
    finally:
        consumer.close()
        publisher.close()
        llm.close()
