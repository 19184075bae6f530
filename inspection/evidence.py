"""Evidence: verbatim quotes from the transcript, and the check that they really are verbatim.

A judgement is only trusted when every quote it rests on is found, character for character, in a
transcript segment of the same speaker at the cited time. Anything else is sent to a human.
"""

from __future__ import annotations

from collections.abc import Sequence

from hotline.contracts import CheckResult, Evidence, Segment, Speaker

# Cited times may differ from a segment's by rounding (JSON floats, word timings).
_TIME_SLACK_S = 0.05


def _word_span_times(segment: Segment, start: int, end: int) -> tuple[float, float] | None:
    """Times of the words under characters [start, end) of the segment text, when the words spell it."""
    if not segment.words:
        return None
    pos, first, last = 0, None, None
    stripped = segment.text
    for word in segment.words:
        piece = word.text.strip()
        if not piece:
            continue
        at = stripped.find(piece, pos)
        if at < 0:
            return None  # words do not spell the text (punctuation added later): keep segment times
        w_end = at + len(piece)
        if w_end > start and at < end:
            first = word if first is None else first
            last = word
        pos = w_end
    if first is None or last is None:
        return None
    return first.start_s, last.end_s


def quote_segment(segment: Segment, start: int = 0, end: int | None = None) -> Evidence:
    """Evidence for characters [start, end) of a segment's text (default: the whole segment)."""
    end = len(segment.text) if end is None else end
    times = _word_span_times(segment, start, end) if (start, end) != (0, len(segment.text)) else None
    start_s, end_s = times if times is not None else (segment.start_s, segment.end_s)
    return Evidence(quote=segment.text[start:end], speaker=segment.speaker, start_s=start_s, end_s=end_s, verified=False)


def quote_is_verbatim(quote: str, speaker: Speaker, start_s: float, end_s: float, segments: Sequence[Segment]) -> bool:
    quote = quote.strip()
    if not quote:
        return False
    for seg in segments:
        if speaker != "unknown" and seg.speaker != speaker:
            continue
        if seg.end_s + _TIME_SLACK_S < start_s or end_s + _TIME_SLACK_S < seg.start_s:
            continue
        if quote in seg.text:
            return True
    return False


def verify_evidence(evidence: Evidence, segments: Sequence[Segment]) -> Evidence:
    ok = quote_is_verbatim(evidence.quote, evidence.speaker, evidence.start_s, evidence.end_s, segments)
    return evidence.model_copy(update={"verified": ok})


def find_quote(quote: str, segments: Sequence[Segment], speaker: Speaker | None = None) -> Evidence | None:
    """Locate a quote someone else produced (an LLM) in the transcript; None if it is not verbatim there."""
    quote = quote.strip()
    if not quote:
        return None
    for seg in segments:
        if speaker is not None and seg.speaker != speaker:
            continue
        at = seg.text.find(quote)
        if at >= 0:
            return verify_evidence(quote_segment(seg, at, at + len(quote)), segments)
    return None


def verify_check(check: CheckResult, segments: Sequence[Segment]) -> CheckResult:
    """Re-verify a decided check's quotes; a decision without verified evidence becomes needs_review."""
    evidence = tuple(verify_evidence(e, segments) for e in check.evidence)
    if check.status not in ("passed", "failed"):
        return check.model_copy(update={"evidence": evidence})
    if not evidence:
        reason = f"{check.reason} [needs review: no evidence quoted]"
    elif not all(e.verified for e in evidence):
        reason = f"{check.reason} [needs review: quote not found verbatim in the transcript]"
    else:
        return check.model_copy(update={"evidence": evidence})
    return check.model_copy(update={"evidence": evidence, "status": "needs_review", "points": 0.0, "fatal": False, "reason": reason})
