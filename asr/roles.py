"""Which diarized voice is the agent: from what each voice says, with a confidence.

A 12345 agent opens the call with a scripted greeting (您好…12345…热线, 工号…, 很高兴为您服务,
请问有什么可以帮您) and closes with scripted phrases (感谢您的来电, 请问还有其他…); a caller
complains, asks and describes (我要投诉, 我想问, 我们小区…). Each voice's cue count is the
evidence, plus a little for speaking first (the agent answers the call). The confidence grows with
the evidence margin; below the configured threshold roles stay "unknown" rather than guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from hotline.contracts import Segment, Speaker

_AGENT_CUES = re.compile(
    r"(12345|幺二三四五|一二三四五|热线|工号|很高兴为您服务|为您服务|有什么可以帮|可以帮您|帮您(记录|登记|反映|转|查|核实)"
    r"|感谢您的来电|感谢来电|还有其他|还有什么|保持电话畅通|您的诉求|给您回复|回复您|转交|转办|承办单位|相关部门|请问您)"
)
_CALLER_CUES = re.compile(r"(我要投诉|我想投诉|我想问|我想咨询|我想反映|我要反映|我们小区|我家|我们家|我们单位|喂)")
# Speaking first is weak evidence (a diarizer may miss the first words): alone it stays below 0.6.
FIRST_SPEAKER_WEIGHT = 0.3


@dataclass(frozen=True)
class RoleAssignment:
    roles: dict[int, Speaker]
    # 0.5 = no evidence either way, 1.0 = certain.
    confidence: float


def measure_agent_evidence(text: str) -> float:
    compact = re.sub(r"\s+", "", text)
    return float(len(_AGENT_CUES.findall(compact)) - len(_CALLER_CUES.findall(compact)))


def assign_roles(labelled: Sequence[tuple[Segment, int | None]], *, min_confidence: float) -> RoleAssignment:
    """Roles for the diarizer's speaker indices; a third or further voice stays "unknown"."""
    talk: dict[int, float] = {}
    text: dict[int, str] = {}
    first: int | None = None
    for seg, who in sorted(labelled, key=lambda p: p[0].start_s):
        if who is None:
            continue
        first = who if first is None else first
        talk[who] = talk.get(who, 0.0) + max(0.0, seg.end_s - seg.start_s)
        text[who] = text.get(who, "") + seg.text
    if not talk:
        return RoleAssignment({}, 0.5)
    # The two voices that talk most are the parties; roles are decided between them.
    parties = sorted(talk, key=talk.get, reverse=True)[:2]
    evidence = {p: measure_agent_evidence(text[p]) + (FIRST_SPEAKER_WEIGHT if p == first else 0.0) for p in parties}
    if len(parties) == 1:
        (only,) = parties
        margin = evidence[only]
        agent = only if margin > 0 else None
        caller = None if margin > 0 else only
    else:
        a, b = parties
        margin = evidence[a] - evidence[b]
        agent, caller = (a, b) if margin >= 0 else (b, a)
    confidence = round(0.5 + 0.5 * math.tanh(abs(margin) / 2), 3)
    roles: dict[int, Speaker] = {who: "unknown" for who in talk}
    if confidence >= min_confidence:
        if agent is not None:
            roles[agent] = "agent"
        if caller is not None:
            roles[caller] = "caller"
    return RoleAssignment(roles, confidence)
