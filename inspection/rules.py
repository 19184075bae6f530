"""Rule and timing checks on a transcript: greeting, closing, forbidden phrases, long silence.

Each check returns one CheckResult whose evidence quotes the segments it rests on. An absence (no
greeting, no closing) quotes the agent turn where the phrase was expected, as context. The address
check lives in address.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hotline.contracts import CheckResult, Evidence, Segment, Silence

from .address import check_address_repeat
from .callview import CallView, make_result
from .evidence import quote_segment
from .scorecard import ClosingParams, ForbiddenPhraseParams, GreetingParams, LongSilenceParams, ScorecardItem
from .textmatch import find_phrases


def _no_agent(item: ScorecardItem) -> CheckResult:
    return make_result(item, "needs_review", "no agent speech identified in the transcript (speaker roles unknown?)")


def check_greeting(item: ScorecardItem, call: CallView) -> CheckResult:
    p = item.params
    assert isinstance(p, GreetingParams)
    agent = call.agent
    if not agent:
        return _no_agent(item)
    first_turn = [s for s in agent if s.start_s <= agent[0].start_s + p.within_s]
    greet = [(s, h) for s in first_turn for h in find_phrases(s.text, p.greetings)]
    ident = [(s, h) for s in first_turn for h in find_phrases(s.text, p.identities)]
    if greet and ident:
        (g_seg, g_hit), (i_seg, i_hit) = greet[0], ident[0]
        if g_seg is i_seg:
            # One quote covering both, so a reviewer reads the greeting as it was said.
            evidence = [quote_segment(g_seg, min(g_hit.start, i_hit.start), max(g_hit.end, i_hit.end))]
        else:
            evidence = [quote_segment(g_seg, g_hit.start, g_hit.end), quote_segment(i_seg, i_hit.start, i_hit.end)]
        return make_result(item, "passed", f"agent greeted ('{g_hit.quote}') and named the hotline ('{i_hit.quote}')", evidence)
    missing = "a greeting" if not greet else "the hotline's name"
    return make_result(item, "failed", f"agent's first turn (first {p.within_s:g} s) lacks {missing}", [quote_segment(s) for s in first_turn[:2]])


def check_closing(item: ScorecardItem, call: CallView) -> CheckResult:
    p = item.params
    assert isinstance(p, ClosingParams)
    agent = call.agent
    if not agent:
        return _no_agent(item)
    if call.incomplete:
        return make_result(item, "not_applicable", "the call's end was not received (incomplete transcript)")
    last_turns = agent[-p.last_turns :]
    for seg in reversed(last_turns):
        hits = find_phrases(seg.text, p.closings)
        if hits:
            return make_result(item, "passed", f"agent closed politely ('{hits[-1].quote}')", [quote_segment(seg, hits[0].start, hits[-1].end)])
    return make_result(item, "failed", f"no polite closing in the agent's last {len(last_turns)} turn(s)", [quote_segment(agent[-1])])


def check_forbidden_phrase(item: ScorecardItem, call: CallView) -> CheckResult:
    p = item.params
    assert isinstance(p, ForbiddenPhraseParams)
    agent = call.agent
    if not agent:
        return _no_agent(item)
    found: list[tuple[str, bool, Evidence, str]] = []
    for seg in agent:
        for cls_name, cls in p.classes.items():
            for hit in find_phrases(seg.text, cls.phrases):
                found.append((cls_name, cls.fatal and item.fatal, quote_segment(seg, hit.start, hit.end), hit.quote))
    if not found:
        return make_result(item, "passed", f"no forbidden phrase in {len(agent)} agent turns", [quote_segment(agent[0]), quote_segment(agent[-1])][: len(agent)])
    fatal = any(f for _, f, _, _ in found)
    listed = ", ".join(f"'{q}' ({c})" for c, _, _, q in found[:5])
    return make_result(item, "failed", f"agent used forbidden phrase(s): {listed}" + (" — fatal" if fatal else ""), [e for _, _, e, _ in found[:5]], fatal=fatal)


def _is_hold(seg: Segment, p: LongSilenceParams) -> bool:
    return seg.speaker == "agent" and bool(find_phrases(seg.text, p.hold_phrases))


# The silences' times are rounded to the millisecond (hotline/conversation.py); segments' are not.
_TIME_TOLERANCE_S = 0.001


def _around(segs: Sequence[Segment], silence: Silence) -> tuple[Segment | None, Segment | None]:
    """The segment whose end the silence starts at (the latest to end before it) and the one it ends at."""
    before = [s for s in segs if s.end_s <= silence.start_s + _TIME_TOLERANCE_S]
    after = [s for s in segs if s.start_s >= silence.end_s - _TIME_TOLERANCE_S]
    return (max(before, key=lambda s: (s.end_s, s.start_s)) if before else None), (after[0] if after else None)


def _quotes(*segs: Segment | None) -> list[Evidence]:
    return [quote_segment(s) for s in segs if s is not None]


def check_long_silence(item: ScorecardItem, call: CallView) -> CheckResult:
    """Fails on a silence longer than ``long_silence_s`` unless it follows the agent's announced hold
    (and lasts at most ``hold_max_s``). The silences are the call's conversation metrics'
    (CallView.silences, one definition with the stored talk figures), not measured here."""
    p = item.params
    assert isinstance(p, LongSilenceParams)
    segs = call.segments
    if len(segs) < 2:
        return make_result(item, "not_applicable", "fewer than two speech segments")
    found = [(s.end_s - s.start_s, s, *_around(segs, s)) for s in call.silences]
    over = [f for f in found if f[0] > call.long_silence_s]
    long = [(g, s, a, b) for g, s, a, b in over if not (a is not None and _is_hold(a, p) and g <= p.hold_max_s)]
    if long:
        g, s, a, b = max(long, key=lambda x: x[0])
        return make_result(
            item, "failed",
            f"{len(long)} silence(s) over {call.long_silence_s:g} s; longest {g:.1f} s between {s.start_s:.1f} s and {s.end_s:.1f} s",
            _quotes(a, b),
        )
    held = f"; {len(over)} after an announced hold" if over else ""
    if found:
        g, s, a, b = max(found, key=lambda x: x[0])
        return make_result(
            item, "passed",
            f"longest silence {g:.1f} s (threshold {call.long_silence_s:g} s) between {s.start_s:.1f} s and {s.end_s:.1f} s{held}",
            _quotes(a, b),
        )
    first, last = segs[0], max(segs, key=lambda s: s.end_s)
    return make_result(
        item, "passed",
        f"no silence over {call.silence_threshold_s:g} s between {first.start_s:.1f} s and {last.end_s:.1f} s (threshold {call.long_silence_s:g} s)",
        _quotes(first, last if last is not first else None),
    )


RULES: dict[str, Callable[[ScorecardItem, CallView], CheckResult]] = {
    "greeting": check_greeting,
    "closing": check_closing,
    "forbidden_phrase": check_forbidden_phrase,
    "address_repeat": check_address_repeat,
    "long_silence": check_long_silence,
}


def run_rules(items: Sequence[ScorecardItem], call: CallView) -> list[CheckResult]:
    return [RULES[i.id](i, call) for i in items if i.kind in ("rule", "timing")]
