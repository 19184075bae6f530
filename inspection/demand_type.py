"""The kind of matter a caller raises (投诉 / 举报 / 求助 / 建议 / 咨询 / 表扬), from the caller's own words.

A centre records each work order under one of these types, and the type decides its time limit
and whether it counts as a complaint. A call whose caller complains but whose order is recorded
as a 咨询 is a downgrade (issue 4): the warehouse compares this type with the recorded one
(work_order_discrepancies). Without an LLM the type comes from cue phrases in
the caller's turns, strongest type first, with the clause that holds the cue as evidence; a cue
right after a negation ("我不是来投诉的") does not count. With no explicit cue, complaint wording
("没人管", "不作为") or an angry/dissatisfied caller makes it a 投诉; otherwise it is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hotline.contracts import CallSentiment, DemandType, Evidence, Segment

from .evidence import quote_segment, verify_evidence

# Strongest first: a caller who both asks a question and complains is complaining, and one who
# reports a violation (举报) wants it investigated, not just fixed.
EXPLICIT_CUES: tuple[tuple[DemandType, tuple[str, ...]], ...] = (
    ("举报", ("举报", "检举", "揭发")),
    ("投诉", ("投诉", "我要告", "要求追责", "反映一下你们")),
    ("表扬", ("表扬", "锦旗", "特别感谢", "非常感谢")),
    ("求助", ("求助", "救命", "帮帮我", "帮帮忙", "帮我们解决", "请你们帮", "怎么办啊")),
    ("建议", ("建议", "能不能增加", "能不能增设", "希望能", "希望政府", "提个意见")),
    ("咨询", ("咨询", "请问", "想问", "问一下", "想了解", "怎么办理", "需要什么材料", "需要哪些材料", "什么时候")),
)
# Wording of a complaint that never says 投诉: the caller blames someone for a service failure.
COMPLAINT_WORDING = ("没人管", "没人修", "不作为", "不管不问", "推来推去", "踢皮球", "乱收费", "太过分", "一直拖", "还没解决", "不给说法", "态度很差", "态度太差")
# A cue within this many characters after one of these is negated ("我不是来投诉的").
_NEGATIONS = ("不是", "不想", "没有", "并非", "不用", "不")
_NEGATION_WINDOW = 3
_CLAUSE_END = re.compile(r"[，。！？；,.!?;]")


def _negated(text: str, at: int) -> bool:
    before = text[max(0, at - _NEGATION_WINDOW):at]
    return any(n in before for n in _NEGATIONS)


def _clause(seg: Segment, at: int, length: int, segments: Sequence[Segment]) -> Evidence:
    """The clause of the segment that holds the cue at [at, at+length): enough to read it in context."""
    starts = [m.end() for m in _CLAUSE_END.finditer(seg.text, 0, at)]
    start = starts[-1] if starts else 0
    m = _CLAUSE_END.search(seg.text, at + length)
    end = m.start() if m else len(seg.text)
    return verify_evidence(quote_segment(seg, start, end), segments)


def _find_cue(cues: Sequence[str], turns: Sequence[Segment], segments: Sequence[Segment]) -> Evidence | None:
    for seg in turns:
        for cue in cues:
            at = seg.text.find(cue)
            while at >= 0:
                if not _negated(seg.text, at):
                    return _clause(seg, at, len(cue), segments)
                at = seg.text.find(cue, at + 1)
    return None


def classify_demand_type(segments: Sequence[Segment], sentiment: CallSentiment | None = None) -> tuple[DemandType | None, tuple[Evidence, ...]]:
    """(type, evidence) from the caller's turns; (None, ()) when nothing in the call says which."""
    turns = [s for s in segments if s.speaker == "caller"] or [s for s in segments if s.speaker == "unknown"]
    turns = sorted(turns, key=lambda s: s.start_s)
    for kind, cues in EXPLICIT_CUES:
        found = _find_cue(cues, turns, segments)
        if found is not None:
            return kind, (found,)
    found = _find_cue(COMPLAINT_WORDING, turns, segments)
    if found is not None:
        return "投诉", (found,)
    if sentiment is not None and sentiment.overall in ("angry", "dissatisfied"):
        return "投诉", tuple(sentiment.evidence[:1])
    return None, ()
