"""Phrase matching that survives ASR punctuation, spacing and full-width characters.

Matching happens on a normalised copy of the text (no punctuation or whitespace, NFKC per
character, lower case) that remembers where each kept character came from, so every match maps
back to a span of the ORIGINAL text: quotes taken from a match are verbatim by construction.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


def _is_dropped(ch: str) -> bool:
    # Punctuation (P*), symbols (S*), separators (Z*) and control characters carry no words.
    return ch.isspace() or unicodedata.category(ch)[0] in "PSZC"


@dataclass(frozen=True)
class NormalisedText:
    original: str
    text: str
    # origin[i] = index in `original` of normalised character i.
    origin: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span [start, end) back to the original text."""
        return self.origin[start], self.origin[end - 1] + 1


def normalise(text: str) -> NormalisedText:
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if _is_dropped(ch):
            continue
        folded = unicodedata.normalize("NFKC", ch).lower()
        for f in folded:
            if not _is_dropped(f):
                chars.append(f)
                origin.append(i)
    return NormalisedText(original=text, text="".join(chars), origin=tuple(origin))


def normalise_phrase(phrase: str) -> str:
    return normalise(phrase).text


@dataclass(frozen=True)
class PhraseHit:
    phrase: str
    # Span in the original text; original[start:end] is the verbatim quote.
    start: int
    end: int
    quote: str


def find_phrases(text: str, phrases: Iterable[str]) -> list[PhraseHit]:
    """Every occurrence of any phrase, earliest first; overlapping hits of longer phrases win."""
    norm = normalise(text)
    hits: list[PhraseHit] = []
    for phrase in sorted({p for p in phrases if normalise_phrase(p)}, key=lambda p: -len(normalise_phrase(p))):
        needle = normalise_phrase(phrase)
        for m in re.finditer(re.escape(needle), norm.text):
            s, e = norm.original_span(m.start(), m.end())
            if any(s < h.end and h.start < e for h in hits):
                continue
            hits.append(PhraseHit(phrase=phrase, start=s, end=e, quote=text[s:e]))
    return sorted(hits, key=lambda h: h.start)


_CN_DIGITS = {"零": 0, "〇": 0, "幺": 1, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMBER = re.compile(r"[零〇幺一二两三四五六七八九十百千]+")


def _cn_to_int(s: str) -> str:
    if not any(c in _CN_UNITS for c in s):
        # Read digit by digit, as people read house and phone numbers: 一二三 -> 123.
        return "".join(str(_CN_DIGITS[c]) for c in s)
    total, digit = 0, None
    for c in s:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        else:
            total += (1 if digit is None else digit) * _CN_UNITS[c]
            digit = None
    return str(total + (digit or 0))


def arabic_numerals(text: str) -> str:
    """Chinese numerals to Arabic (十八 -> 18, 三零二 -> 302): ASR writes house numbers either way."""
    return _CN_NUMBER.sub(lambda m: _cn_to_int(m.group(0)), text)
