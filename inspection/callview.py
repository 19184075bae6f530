"""The view of a call that rule checks share, and how a check result is built."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hotline.contracts import CheckResult, Evidence, Segment

from .scorecard import ScorecardItem


@dataclass(frozen=True)
class CallView:
    """What the rules look at: the segments in time order, plus call-level facts."""

    segments: tuple[Segment, ...]
    incomplete: bool
    long_silence_s: float

    @classmethod
    def of(cls, segments: Sequence[Segment], *, incomplete: bool, long_silence_s: float) -> "CallView":
        ordered = tuple(sorted((s for s in segments if s.text.strip()), key=lambda s: (s.start_s, s.end_s)))
        return cls(segments=ordered, incomplete=incomplete, long_silence_s=long_silence_s)

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
