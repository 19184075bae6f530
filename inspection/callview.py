"""The view of a call that rule checks share, and how a check result is built."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hotline.contracts import CheckResult, ConversationMetrics, Evidence, Segment, Silence
from hotline.conversation import DEFAULT_SILENCE_THRESHOLD_S, measure_conversation

from .scorecard import ScorecardItem


@dataclass(frozen=True)
class CallView:
    """What the rules look at: the segments in time order, plus call-level facts."""

    segments: tuple[Segment, ...]
    incomplete: bool
    long_silence_s: float
    # The call's silences (gaps in everyone's speech longer than silence_threshold_s), by the one
    # definition (hotline/conversation.py): the long-silence rule reads them, it measures no gaps.
    silences: tuple[Silence, ...] = ()
    silence_threshold_s: float = DEFAULT_SILENCE_THRESHOLD_S

    @classmethod
    def of(
        cls, segments: Sequence[Segment], *, incomplete: bool, long_silence_s: float, metrics: ConversationMetrics | None = None
    ) -> "CallView":
        """``metrics``: what the transcript carries (the ASR's). Its silences are used when it carries
        them and found them over a threshold no higher than ``long_silence_s``; otherwise (older
        producers, imported transcripts, a threshold above the rule's) they are measured here from
        the segments with the same function."""
        ordered = tuple(sorted((s for s in segments if s.text.strip()), key=lambda s: (s.start_s, s.end_s)))
        if metrics is None or metrics.silence_spans is None or metrics.silence_threshold_s > long_silence_s:
            metrics = measure_conversation(segments, 0.0, silence_threshold_s=min(DEFAULT_SILENCE_THRESHOLD_S, long_silence_s))
        return cls(
            segments=ordered, incomplete=incomplete, long_silence_s=long_silence_s,
            silences=metrics.silence_spans or (), silence_threshold_s=metrics.silence_threshold_s,
        )

    @property
    def agent(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.speaker == "agent")

    @property
    def caller(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.speaker == "caller")


def make_result(item: ScorecardItem, status: str, reason: str, evidence: Sequence[Evidence] = (), *, fatal: bool = False) -> CheckResult:
    return CheckResult(
        item_id=item.id,
        name=item.name,
        kind=item.kind,
        status=status,  # type: ignore[arg-type]
        weight=item.weight,
        points=item.weight if status == "passed" else 0.0,
        fatal=fatal and status == "failed",
        reason=reason,
        evidence=tuple(evidence),
    )
