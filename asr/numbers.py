"""Numbers written the way a hotline writes them down, whatever form Whisper chose.

Callers read phone and ID numbers digit by digit (幺三八…), house numbers either way (五零一室,
一百六十六号), and Whisper writes any of them as Chinese numerals or as digits, sometimes with
spaces or dashes between groups. A work order wants one form: digit strings for phone/ID/staff
numbers, Arabic numerals for house numbers, amounts and dates (3号楼2单元501室, 15号, 3500元).
Downstream checks (address read-back, PII masking) then see one form.

Only numbers with evidence that they are numbers are rewritten: a long digit-by-digit run, a run
after a word that introduces a number (工号, 电话…), or a numeral followed by a counter (号, 栋,
元, 月…). Idioms (三三两两, 一五一十), ordinals without a counter (第一次), "a bit" (一点) and
"together" (一块) stay as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGIT_VALUE = {"零": 0, "〇": 0, "幺": 1, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNIT_VALUE = {"十": 10, "百": 100, "千": 1000}
# Digits as read one by one; 两 is left out: nobody says it inside a phone number, and 一两个 is "one or two".
_SPOKEN_DIGITS = "零〇幺一二三四五六七八九"
# A digit-by-digit run at least this long is a number (phone, ID, hotline 12345), whatever surrounds it.
MIN_BARE_DIGIT_RUN = 5
# Words after which a short digit run is an identifier read digit by digit.
ID_CUES = ("工号", "尾号", "编号", "号码", "电话", "手机", "分机", "房号", "门牌", "车牌", "单号", "卡号", "账号", "邮编")
# What may follow a numeral so that it is a house number, amount, date or age.
_COUNTERS = ("号楼", "号院", "号线", "号", "栋", "幢", "单元", "层", "楼", "户", "元", "块钱", "万元", "万块", "岁", "月", "日", "平方米", "平米", "公里", "公斤")
# Counters after which a digit-by-digit run (五零一室, 二零二四年) is a number too.
_RUN_COUNTERS = ("号楼", "号院", "号", "栋", "幢", "单元", "室", "房", "层", "楼")

_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
# Digit groups joined by spaces or dashes: 138 0000 2026, 0571-8888 8888.
_GROUPED_DIGITS = re.compile(r"\d+(?:[ \-－]\d+)+")
_DIGIT_RUN = re.compile(f"[{_SPOKEN_DIGITS}]+")
# A cardinal starts with a digit or 十: a bare 千/百 is a word (千万别, 百姓), not a number.
_CARDINAL = re.compile(r"[一二两三四五六七八九十][零〇一二两三四五六七八九十百千]*")
_COUNTER_AFTER = re.compile("|".join(map(re.escape, _COUNTERS)))
_RUN_COUNTER_AFTER = re.compile("|".join(map(re.escape, _RUN_COUNTERS)))
# Phone/ID groups are never shorter than this in total; 2-3天 is a range.
MIN_GROUPED_DIGITS = 7


@dataclass(frozen=True)
class NumberSpan:
    start: int
    end: int
    text: str  # what replaces text[start:end]


def spell_digits(run: str) -> str:
    """幺三八零零 -> 13800."""
    return "".join(str(_DIGIT_VALUE[c]) for c in run)


def parse_cardinal(numeral: str) -> int | None:
    """一百六十六 -> 166, 十二 -> 12, 两百 -> 200, 三千五 -> 3500, 一百零五 -> 105; None if malformed."""
    total, digit, last_unit, zero_seen = 0, None, None, False
    for ch in numeral:
        if ch in _UNIT_VALUE:
            unit = _UNIT_VALUE[ch]
            if last_unit is not None and unit >= last_unit:
                return None  # 十百, 百百: not a number
            total += (1 if digit is None else digit) * unit
            digit, last_unit, zero_seen = None, unit, False
        elif ch in ("零", "〇"):
            if digit is not None:
                return None  # 一零: digit by digit, not a cardinal
            zero_seen = True
        else:
            if digit is not None:
                return None  # two digits in a row: not a cardinal
            digit = _DIGIT_VALUE[ch]
    if digit is not None:
        # 三千五 is 3500 and 一百二 is 120: a last digit right after a unit counts in the unit below.
        if last_unit is not None and last_unit >= 100 and not zero_seen:
            digit *= last_unit // 10
        total += digit
    return total


def _digit_run_spans(text: str) -> list[NumberSpan]:
    spans = []
    for m in _DIGIT_RUN.finditer(text):
        run, before, after = m.group(0), text[: m.start()], text[m.end() :]
        # Next to a unit it is part of a cardinal (一五一十, 三千零五); that pass decides.
        if after[:1] in _UNIT_VALUE or before[-1:] in _UNIT_VALUE:
            continue
        is_number = (
            len(run) >= MIN_BARE_DIGIT_RUN
            or (len(run) >= 3 and "幺" in run)
            or (len(run) >= 2 and before.endswith(ID_CUES))
            or (len(run) >= 3 and _RUN_COUNTER_AFTER.match(after) is not None)
            or (len(run) == 4 and after.startswith("年"))
        )
        if is_number:
            spans.append(NumberSpan(m.start(), m.end(), spell_digits(run)))
    return spans


def _cardinal_spans(text: str) -> list[NumberSpan]:
    spans = []
    for m in _CARDINAL.finditer(text):
        numeral, after = m.group(0), text[m.end() :]
        counter = _COUNTER_AFTER.match(after)
        if counter is None:
            continue
        value = parse_cardinal(numeral)
        if value is None:
            continue
        # 一块 is "together", 一楼/一层 stay ambiguous enough, but 一号 and 一月 are plainly numbers.
        if numeral == "一" and counter.group(0) in ("块钱", "层", "户"):
            continue
        if counter.group(0) == "日" and not text[: m.start()].endswith("月"):
            continue  # 一日三餐: a day of the month comes after its month
        if text[: m.start()].endswith("第") and counter.group(0) not in ("号", "号楼", "栋", "单元"):
            continue  # 第三层 reads better as written
        spans.append(NumberSpan(m.start(), m.end(), str(value)))
    return spans


def _grouped_spans(text: str) -> list[NumberSpan]:
    spans = []
    for m in _GROUPED_DIGITS.finditer(text):
        joined = re.sub(r"[ \-－]", "", m.group(0))
        if len(joined) >= MIN_GROUPED_DIGITS:
            spans.append(NumberSpan(m.start(), m.end(), joined))
    return spans


def find_number_spans(text: str) -> list[NumberSpan]:
    """Non-overlapping rewrites, in order; ``text`` is cleaned (Simplified) transcript text."""
    text = text.translate(_FULLWIDTH)
    spans = _grouped_spans(text)
    for span in _digit_run_spans(text) + _cardinal_spans(text):
        if not any(span.start < s.end and s.start < span.end for s in spans):
            spans.append(span)
    return sorted(spans, key=lambda s: s.start)


def apply_spans(text: str, spans: list[NumberSpan]) -> str:
    out, pos = [], 0
    for span in spans:
        out.append(text[pos : span.start])
        out.append(span.text)
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def normalise_numbers(text: str) -> str:
    """Phone/ID numbers as digit strings, house numbers, amounts and dates in Arabic numerals."""
    return apply_spans(text.translate(_FULLWIDTH), find_number_spans(text))
