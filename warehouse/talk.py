"""Talk and silence of one call from its transcript, as the warehouse stores them on the calls row.

The figures the agent—team—centre report averages (sql/schema/tables/calls.sql): who talked how
long, the gaps between turns and the time two turns overlap. Turns are taken in transcript order (turn_no);
a gap is measured from the latest end of any earlier turn, so a short interjection inside a long
turn leaves no gap behind it. Computed once per transcript by the sink instead of by a window
function over every stored turn at each read.
"""

from __future__ import annotations

from collections.abc import Sequence

from hotline.contracts import Segment


# The calls table's talk columns (sql/schema/tables/calls.sql); all NULL for a transcript without turns.
NO_TURNS: dict[str, None] = dict.fromkeys(
    ("turn_count", "agent_talk_s", "caller_talk_s", "silence_s", "longest_silence_s", "overlap_s", "agent_talk_share", "silence_share")
)


def measure_talk(segments: Sequence[Segment], duration_s: float) -> dict[str, float | int | None]:
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
    return dict(
        turn_count=len(segments),
        agent_talk_s=talk["agent"],
        caller_talk_s=talk["caller"],
        silence_s=silence,
        longest_silence_s=longest,
        overlap_s=overlap,
        agent_talk_share=talk["agent"] / spoken if spoken > 0 else None,
        silence_share=silence / duration_s if duration_s > 0 else None,
    )
