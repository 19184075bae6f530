"""Talk and silence of one call from its transcript, as the warehouse stores them on the calls row.

The figures the agent—team—centre report averages (migration 0028): who talked how long, the
gaps between turns and the time two turns overlap. Turns are taken in transcript order (turn_no);
a gap is measured from the latest end of any earlier turn, so a short interjection inside a long
turn leaves no gap behind it. Computed once per transcript by the sink instead of by a window
function over every stored turn at each read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from hotline.contracts import Segment


class Talk(NamedTuple):
    """Column values in the order of the calls table (migration 0028)."""

    turn_count: int
    agent_talk_s: float
    caller_talk_s: float
    silence_s: float
    longest_silence_s: float
    overlap_s: float
    agent_talk_share: float | None
    silence_share: float | None


NO_TURNS: tuple[None, ...] = (None,) * len(Talk._fields)


def measure_talk(segments: Sequence[Segment], duration_s: float) -> Talk | tuple[None, ...]:
    """The call's talk figures; all NULL for a transcript without turns (no figures, not zeros)."""
    if not segments:
        return NO_TURNS
    talk = {"agent": 0.0, "caller": 0.0}
    silence = longest = overlap = 0.0
    latest_end: float | None = None
    for s in segments:
        if s.speaker in talk:
            talk[s.speaker] += s.end_s - s.start_s
        if latest_end is not None:
            gap = max(s.start_s - latest_end, 0.0)
            silence += gap
            longest = max(longest, gap)
            overlap += max(min(latest_end, s.end_s) - s.start_s, 0.0)
            latest_end = max(latest_end, s.end_s)
        else:
            latest_end = s.end_s
    spoken = talk["agent"] + talk["caller"]
    return Talk(
        turn_count=len(segments),
        agent_talk_s=talk["agent"],
        caller_talk_s=talk["caller"],
        silence_s=silence,
        longest_silence_s=longest,
        overlap_s=overlap,
        agent_talk_share=talk["agent"] / spoken if spoken > 0 else None,
        silence_share=silence / duration_s if duration_s > 0 else None,
    )
