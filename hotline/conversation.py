"""Conversation metrics of one call from its segment timings: talk time, silence, overlap, latency.

The one definition of talk and silence. The ASR computes it where the turns are made and carries it
in ``TranscriptReady.metrics``; the sink stores its figures on the calls row and the long-silence
rule reads its silences; both compute it with this same function when a transcript carries none
(older producers, imported transcripts). It lives in the kernel so that the stages (asr,
inspection) and the warehouse can all call it.

A pure function over transcript segments, so the same numbers come out for a stereo call (each
channel's segments bound that party's speech exactly) and for a diarized mono call. Segments are
already split where a speaker pauses (see ``asr/segments.py``), so a segment's span is speech, not
speech plus a long pause. Segments that do not move forward in time (end <= start) are no speech.

Definitions (all in seconds of the call's timeline):
- talk time: the union of a party's segment spans; share: over all parties' talk time.
- silence: a gap in everyone's speech longer than the threshold, between the first and the last
  speech (ringing before pick-up and hanging up after the goodbye are not silences); a shorter gap
  is a pause between turns, not a silence. Each one is carried (``silence_spans``).
- overlap: time where two different parties' spans intersect.
- interruption: a party starts a segment while another party's segment is still running and that
  party goes on for at least ``INTERRUPTION_MIN_REST_S`` (a short tail overlap is a normal
  hand-over, not an interruption).
- agent response latency: a caller turn (consecutive caller segments) followed by an agent turn:
  agent start minus caller end, floored at 0.
Times are rounded to the millisecond, shares to four places.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from hotline.contracts import ConversationMetrics, PartyMetrics, Segment, Silence

# A gap in everyone's speech longer than this is a silence, unless the ASR is set otherwise
# (asr.silence_threshold_s); the sink measures transcripts that carry no metrics with it.
DEFAULT_SILENCE_THRESHOLD_S = 3.0

# The interrupted party must keep talking this long after the other came in.
INTERRUPTION_MIN_REST_S = 0.5

Interval = tuple[float, float]


def measure_conversation(
    segments: Sequence[Segment], duration_s: float, *, silence_threshold_s: float = DEFAULT_SILENCE_THRESHOLD_S
) -> ConversationMetrics:
    """The metrics of a call's segments (any order). ``duration_s``: the call's length; no figure
    depends on it (silence ends with the last speech), so a caller without it may pass 0."""
    ordered = sorted((s for s in segments if s.end_s > s.start_s), key=lambda s: (s.start_s, s.end_s))
    speakers = sorted({s.speaker for s in ordered})
    spans = {sp: _union([(s.start_s, s.end_s) for s in ordered if s.speaker == sp]) for sp in speakers}
    talk = {sp: _length(iv) for sp, iv in spans.items()}
    total_talk = sum(talk.values())

    everyone = _union([(s.start_s, s.end_s) for s in ordered])
    gaps = _silence_gaps(everyone, silence_threshold_s)
    longest = max(gaps, key=lambda g: g[1] - g[0], default=None)

    overlap_ivs = _union([iv for i, a in enumerate(speakers) for b in speakers[i + 1 :] for iv in _intersect(spans[a], spans[b])])
    interrupters = _interruptions(ordered)
    latencies = _agent_latencies(ordered)

    parties = tuple(
        PartyMetrics(
            speaker=sp,
            talk_s=_r(talk[sp]),
            talk_share=round(talk[sp] / total_talk, 4) if total_talk > 0 else 0.0,
            turns=sum(1 for t in _turns(ordered) if t[0] == sp),
            chars=(chars := sum(_spoken_chars(s.text) for s in ordered if s.speaker == sp)),
            speech_rate_cpm=round(chars / (talk[sp] / 60.0), 1) if talk[sp] > 0 else None,
            interruptions_made=interrupters.count(sp),
        )
        for sp in speakers
    )
    return ConversationMetrics(
        silence_threshold_s=silence_threshold_s,
        speech_s=_r(_length(everyone)),
        silences=len(gaps),
        silence_s=_r(sum(b - a for a, b in gaps)),
        longest_silence_s=_r(longest[1] - longest[0]) if longest else 0.0,
        longest_silence_start_s=_r(longest[0]) if longest else None,
        overlap_s=_r(_length(overlap_ivs)),
        overlaps=len(overlap_ivs),
        interruptions=len(interrupters),
        agent_responses=len(latencies),
        agent_response_latency_mean_s=_r(sum(latencies) / len(latencies)) if latencies else None,
        agent_response_latency_max_s=_r(max(latencies)) if latencies else None,
        parties=parties,
        silence_spans=tuple(Silence(start_s=_r(a), end_s=_r(b)) for a, b in gaps),
    )


def _silence_gaps(speech: list[Interval], threshold_s: float) -> list[Interval]:
    """The gaps between consecutive spans of merged speech (everyone's) longer than the threshold."""
    return [(a_end, b_start) for (_, a_end), (b_start, _) in zip(speech, speech[1:]) if b_start - a_end > threshold_s]


def party(metrics: ConversationMetrics, speaker: str) -> PartyMetrics | None:
    """One party's figures, None when that party did not speak."""
    return next((p for p in metrics.parties if p.speaker == speaker), None)


def _union(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if end > start:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _length(intervals: list[Interval]) -> float:
    return sum(end - start for start, end in intervals)


def _interruptions(ordered: list[Segment]) -> list[str]:
    """The speaker of every segment that started over another party's running segment."""
    out: list[str] = []
    for seg in ordered:
        if any(
            other.speaker != seg.speaker and other.start_s < seg.start_s and other.end_s - seg.start_s >= INTERRUPTION_MIN_REST_S
            for other in ordered
            if other.start_s < seg.start_s
        ):
            out.append(seg.speaker)
    return out


def _turns(ordered: list[Segment]) -> list[tuple[str, float, float]]:
    """Consecutive segments of one speaker (by start time) merged: (speaker, start, end)."""
    turns: list[tuple[str, float, float]] = []
    for seg in ordered:
        if turns and turns[-1][0] == seg.speaker:
            sp, start, end = turns[-1]
            turns[-1] = (sp, start, max(end, seg.end_s))
        else:
            turns.append((seg.speaker, seg.start_s, seg.end_s))
    return turns


def _agent_latencies(ordered: list[Segment]) -> list[float]:
    turns = _turns(ordered)
    return [max(0.0, nxt[1] - cur[2]) for cur, nxt in zip(turns, turns[1:]) if cur[0] == "caller" and nxt[0] == "agent"]


def _spoken_chars(text: str) -> int:
    # Letters and digits only: punctuation is Whisper's guess, not speech.
    return sum(1 for ch in text if unicodedata.category(ch)[0] in ("L", "N"))


def _r(x: float) -> float:
    return round(x, 3)
