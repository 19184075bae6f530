"""Service moments in the agent's words: greeting, identity verification, closing, satisfaction invitation.

Configured in the scorecard's `moments` section (regular expressions on the normalised text, so
ASR punctuation and spacing do not matter); every moment found is quoted verbatim from the
original text. They are facts for a reviewer and are measured on real calls; the score comes from
the scorecard items.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hotline.contracts import Evidence, Segment

from .evidence import quote_segment
from .scorecard import MomentSpec, Scorecard
from .textmatch import normalise

MOMENTS = ("greeting", "verification", "closing", "satisfaction_invitation")


def _turns(agent: Sequence[Segment], spec: MomentSpec) -> Sequence[Segment]:
    if spec.where == "first_agent_turns":
        return agent[: spec.turns]
    if spec.where == "last_agent_turns":
        return agent[-spec.turns :]
    return agent


def find_moment(agent: Sequence[Segment], spec: MomentSpec) -> Evidence | None:
    """The first place (in the turns the spec looks at) where one of its patterns matches."""
    compiled = [re.compile(p) for p in spec.patterns]
    for seg in _turns(agent, spec):
        norm = normalise(seg.text)
        for pattern in compiled:
            m = pattern.search(norm.text)
            if m and m.end() > m.start():
                start, end = norm.original_span(m.start(), m.end())
                return quote_segment(seg, start, end)
    return None


def detect_moments(segments: Sequence[Segment], scorecard: Scorecard) -> dict[str, Evidence | None]:
    """Each configured moment -> its evidence, or None when the agent never said it."""
    agent = sorted((s for s in segments if s.speaker == "agent" and s.text.strip()), key=lambda s: s.start_s)
    return {name: find_moment(agent, spec) for name, spec in scorecard.moments.items()}
