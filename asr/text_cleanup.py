"""Normalise what Whisper writes: Simplified characters, and no repetition-loop or subtitle-credit hallucinations."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

# A segment that is one unit of up to this many characters ...
LOOP_MAX_UNIT_CHARS = 4
# ... repeated at least this many times is a decoder loop, not speech.
LOOP_MIN_REPEATS = 6


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Whisper often writes Traditional characters for Mandarin; 12345 transcripts are Simplified."""
    return _t2s().convert(text)


def _content_chars(text: str) -> str:
    # Punctuation, symbols and spaces separate loop units inconsistently ("好的，好的。好的"); drop them.
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in ("L", "N"))


def is_repetition_loop(text: str, max_unit_chars: int = LOOP_MAX_UNIT_CHARS, min_repeats: int = LOOP_MIN_REPEATS) -> bool:
    """True when the text is a single short unit repeated many times (e.g. 嗯嗯嗯嗯嗯嗯, 好的好的好的…)."""
    content = _content_chars(text)
    for unit_len in range(1, max_unit_chars + 1):
        if len(content) < unit_len * min_repeats:
            break
        unit = content[:unit_len]
        repeats, rest = divmod(len(content), unit_len)
        # The loop may stop mid-unit when the window ends.
        if unit * repeats + unit[:rest] == content:
            return True
    return False


# Whisper was trained on subtitled video: on a short or quiet stretch it writes the credits of a
# subtitle file instead of speech (中文字幕, 字幕由…提供, 请不吝点赞订阅, 谢谢观看, 明镜与点点栏目).
# Nobody says these on a hotline; a short segment containing one is dropped.
_SUBTITLE_CREDIT = re.compile(r"字幕|不吝点赞|明镜与点点|(?:谢谢|感谢|多谢)(?:大家|各位)?(?:收看|观看)")
SUBTITLE_CREDIT_MAX_CHARS = 30


def is_subtitle_credit(text: str, max_chars: int = SUBTITLE_CREDIT_MAX_CHARS) -> bool:
    """True for a short segment that is a subtitle credit Whisper made up (中文字幕后, 谢谢观看)."""
    content = _content_chars(text)
    return len(content) <= max_chars and _SUBTITLE_CREDIT.search(content) is not None


_SPACE_BETWEEN_HAN = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


# Whisper base often ends a Chinese clause with ASCII "," or "?"; Chinese text uses full-width
# marks. Only after a Han character or a digit, and never inside a number: "1,000" and English
# stay as written. faster-whisper appends
# punctuation to the word before it, so a word's text converts the same way as its segment's.
_FULL_WIDTH_AFTER_HAN = re.compile(r"(?<=[\u3400-\u9fff])[,?!:;]|(?<=[0-9])[,?!:;](?!\d)|(?<=[\u3400-\u9fff])\.(?!\d)")
_FULL_WIDTH = {",": "，", "?": "？", "!": "！", ":": "：", ";": "；", ".": "。"}


def use_full_width_punctuation(text: str) -> str:
    """您好,请问 -> 您好，请问."""
    return _FULL_WIDTH_AFTER_HAN.sub(lambda m: _FULL_WIDTH[m.group(0)], text)


def clean_segment_text(text: str) -> str:
    """Simplified characters, trimmed, full-width punctuation, no spaces between Han characters."""
    return use_full_width_punctuation(_SPACE_BETWEEN_HAN.sub("", to_simplified(text).strip()))
