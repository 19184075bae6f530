"""Demands (诉求): a work-order draft per call.

Without an LLM the draft is one demand built from what can be found reliably: the suggested
category, the place spans the caller said (place.py) and the caller's first substantive turn,
quoted verbatim as the summary, and the kind of matter (投诉/咨询/…, demand_type.py) with the words
it rests on. It is marked machine-extracted (source "rules") and carries no
requested action or to-dos, which only a language model (or a person) can write. With an LLM the
structured schema (several demands, 3-level category, place, urgency, action, to-dos) is asked
for; a demand is kept only if its quote is verbatim in the caller's words and every place it
names was said in the call, otherwise the rules draft stands.
"""

from __future__ import annotations

from collections.abc import Sequence

from hotline.contracts import AlertRaised, CallSentiment, CategorySuggestion, Demand, LlmJudgement, Segment

from .demand_type import classify_demand_type
from .evidence import find_quote, quote_segment, verify_evidence
from .place import Place
from .textmatch import normalise_phrase

# A turn with fewer meaningful characters than this is a greeting or a "喂", not the demand.
MIN_DEMAND_CHARS = 8
MAX_SUMMARY_CHARS = 120


def _meaningful(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def first_substantive_turn(segments: Sequence[Segment]) -> Segment | None:
    caller = [s for s in segments if s.speaker == "caller"] or [s for s in segments if s.speaker == "unknown"]
    for seg in sorted(caller, key=lambda s: s.start_s):
        if _meaningful(seg.text) >= MIN_DEMAND_CHARS:
            return seg
    return None


def _urgency(alerts: Sequence[AlertRaised], sentiment: CallSentiment | None) -> str:
    if any(a.severity == "critical" for a in alerts):
        return "urgent"
    if alerts or (sentiment is not None and sentiment.overall in ("angry", "anxious")):
        return "high"
    return "normal"


def draft_demands(
    segments: Sequence[Segment],
    category: CategorySuggestion | None,
    place: Place,
    alerts: Sequence[AlertRaised] = (),
    sentiment: CallSentiment | None = None,
) -> tuple[Demand, ...]:
    """The no-LLM draft: one demand, or none when the caller never stated anything substantive."""
    turn = first_substantive_turn(segments)
    if turn is None:
        return ()
    end = min(len(turn.text), MAX_SUMMARY_CHARS)
    quote = verify_evidence(quote_segment(turn, 0, end), segments)
    demand_type, type_evidence = classify_demand_type(segments, sentiment)
    return (
        Demand(
            summary=turn.text[:end].strip(),
            category=category.category if category is not None else None,
            district=place.district,
            street=place.street,
            address=place.address,
            urgency=_urgency(alerts, sentiment),  # type: ignore[arg-type]
            source="rules",
            machine_extracted=True,
            evidence=(quote, *place.evidence),
            demand_type=demand_type,
            type_evidence=type_evidence,
        ),
    )


def _said(value: str, segments: Sequence[Segment]) -> bool:
    said = normalise_phrase("".join(s.text for s in segments))
    return normalise_phrase(value) in said


def demands_from_llm(judgement: LlmJudgement, segments: Sequence[Segment]) -> tuple[tuple[Demand, ...], str | None]:
    """Demands from a judged LLM reply; (demands, None) or ((), why they cannot be trusted)."""
    if judgement.status != "judged" or not judgement.value:
        return (), judgement.reason
    has_caller = any(s.speaker == "caller" for s in segments)
    # The schema asks the model for no type: the caller's words give the call's, for every demand.
    demand_type, type_evidence = classify_demand_type(segments)
    out = []
    for i, d in enumerate(judgement.value.get("demands", ())):
        evidence = find_quote(d["quote"], segments, speaker="caller" if has_caller else None)
        if evidence is None:
            return (), f"demand {i + 1}: quote {d['quote']!r} is not verbatim in the caller's words"
        for field in ("district", "street", "address"):
            if d[field] and not _said(d[field], segments):
                return (), f"demand {i + 1}: {field} '{d[field]}' was not said in the call"
        out.append(
            Demand(
                summary=d["summary"], category=d["category"] or None, district=d["district"] or None, street=d["street"] or None,
                address=d["address"] or None, urgency=d["urgency"], requested_action=d["requested_action"] or None,
                todos=tuple(d["todos"]), source="llm", machine_extracted=True, evidence=(evidence,),
                demand_type=demand_type, type_evidence=type_evidence,
            )
        )
    return tuple(out), None
