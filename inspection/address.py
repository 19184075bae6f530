"""Address repeat-back: did the agent confirm the address the caller gave?

Addresses are found in caller turns as chains of components ending in a place suffix (…路, …小区)
or a unit suffix (…号, …栋); a chain needs at least one place component. A component counts as
repeated when enough of its characters appear in one agent turn, after both sides' numerals are
written the same way (十八号 = 18号): ASR writes place names with homophones, so exact matching
would fail good calls. A character also counts when it sounds the same (toneless pinyin), since
ASR errors on names are mostly homophones: 江南区 heard once as 将满区 still shares jiang…qu.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import lazy_pinyin

from hotline.contracts import CheckResult, Evidence, Segment

from .callview import CallView, make_result
from .evidence import quote_segment
from .scorecard import AddressRepeatParams, ScorecardItem
from .textmatch import arabic_numerals, normalise, normalise_phrase

# Words that are never inside a place name: the name starts after the last of them
# ("我家住在幸福路" -> "幸福路", "我想反映一下我们小区" -> no name).
_NOT_IN_NAMES = re.compile(r".*(?:我|你|他|她|们|这|那|哪|在|是|到|去|的|了|吗|呢|吧|啊|说|想|要|一下|反映|投诉|请问|地址|就|也|还|从|住|个|条|些|座)")
_NAME_CHARS = r"[\u4e00-\u9fff0-9a-z]"
# Pronoun-only names ("我们小区", "这个路口") name no place.
_EMPTY_NAMES = {"", "我们", "我", "你们", "这个", "那个", "这", "那", "咱们", "本", "该", "这边", "那边", "旁边", "附近"}


@dataclass(frozen=True)
class Component:
    text: str  # normalised, numerals Arabic
    is_place: bool


@dataclass(frozen=True)
class Address:
    segment: Segment
    start: int  # span in the segment's original text
    end: int
    components: tuple[Component, ...]

    @property
    def quote(self) -> str:
        return self.segment.text[self.start : self.end]


@lru_cache(maxsize=8)
def _component_pattern(place: tuple[str, ...], unit: tuple[str, ...]) -> re.Pattern[str]:
    suffixes = sorted({normalise_phrase(s) for s in place + unit}, key=len, reverse=True)
    return re.compile(f"({_NAME_CHARS}{{1,8}}?)({'|'.join(map(re.escape, suffixes))})")


def find_addresses(segment: Segment, p: AddressRepeatParams) -> list[Address]:
    norm = normalise(segment.text)
    pattern = _component_pattern(p.place_suffixes, p.unit_suffixes)
    place = {normalise_phrase(s) for s in p.place_suffixes}
    stop = [normalise_phrase(s) for s in p.not_addresses]
    chains: list[list[tuple[int, int, Component]]] = []
    for m in pattern.finditer(norm.text):
        name, suffix = m.group(1), m.group(2)
        start = m.start()
        if any(s in m.group(0) for s in stop):
            continue
        lead = _NOT_IN_NAMES.match(name)
        if lead:
            start += lead.end()
            name = name[lead.end():]
        if not name or name in _EMPTY_NAMES:
            continue
        comp = (start, m.end(), Component(text=arabic_numerals(name + suffix), is_place=suffix in place))
        if chains and chains[-1][-1][1] == start:
            chains[-1].append(comp)
        else:
            chains.append([comp])
    addresses = []
    for chain in chains:
        if not any(c.is_place for _, _, c in chain):
            continue
        s, e = norm.original_span(chain[0][0], chain[-1][1])
        addresses.append(Address(segment=segment, start=s, end=e, components=tuple(c for _, _, c in chain)))
    return addresses


@lru_cache(maxsize=4096)
def _syllable(ch: str) -> str:
    return lazy_pinyin(ch)[0]


def _char_overlap(component: str, said: str) -> float:
    """Share of the component's characters the agent said, or said a homophone of."""
    sounds = {_syllable(ch) for ch in said}
    return sum(1 for ch in component if ch in said or _syllable(ch) in sounds) / len(component)


def _repeat_in(address: Address, agent_turn: Segment, p: AddressRepeatParams) -> float:
    said = arabic_numerals(normalise(agent_turn.text).text)
    matched = [c for c in address.components if _char_overlap(c.text, said) >= p.min_char_overlap]
    if not any(c.is_place for c in matched):
        return 0.0
    return len(matched) / len(address.components)


def check_address_repeat(item: ScorecardItem, call: CallView) -> CheckResult:
    p = item.params
    assert isinstance(p, AddressRepeatParams)
    addresses = [a for seg in call.caller for a in find_addresses(seg, p)]
    if not addresses:
        return make_result(item, "not_applicable", "the caller gave no address")
    agent = call.agent
    if not agent:
        return make_result(item, "needs_review", "no agent speech identified in the transcript (speaker roles unknown?)")
    best: tuple[float, Address, Segment] | None = None
    for address in addresses:
        for turn in agent:
            ratio = _repeat_in(address, turn, p)
            if best is None or ratio > best[0]:
                best = (ratio, address, turn)
    assert best is not None
    ratio, address, turn = best
    caller_quote = _quote_address(address)
    if ratio >= p.min_components:
        return make_result(item, "passed", f"agent repeated the address '{address.quote}' ({ratio:.0%} of its parts)", [caller_quote, quote_segment(turn)])
    quoted = "、".join(f"'{a.quote}'" for a in addresses[:3])
    evidence = [_quote_address(a) for a in addresses[:3]]
    return make_result(item, "failed", f"caller gave the address {quoted}; the agent did not repeat it back", evidence)


def _quote_address(address: Address) -> Evidence:
    return quote_segment(address.segment, address.start, address.end)
