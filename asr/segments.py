"""Shape faster-whisper's raw segments into contract ``Segment``s.

Whisper decodes 30 s windows, and with the VAD filter on it reads speech with the silences cut
out, so one raw segment can straddle a long pause (or the other party's whole turn, on a stereo
channel). Word timestamps are mapped back to the original timeline, so a raw segment is split
wherever its words pause: segment times then bound real speech, which silence and
interruption checks downstream rely on. Numbers are written in one form (``numbers``); the
words a rewritten number spans are merged into one word, so words still join to the text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from hotline.contracts import Segment, Speaker, Word

from .numbers import apply_spans, find_number_spans, normalise_numbers
from .text_cleanup import clean_segment_text, is_repetition_loop, is_subtitle_credit

log = logging.getLogger(__name__)

# A pause longer than this between two words of one channel starts a new segment.
SPLIT_PAUSE_S = 1.0


def build_segments(
    raw_segments: Iterable[Any],
    *,
    speaker: Speaker,
    channel: int | None,
    duration_s: float,
    split_pause_s: float = SPLIT_PAUSE_S,
) -> list[Segment]:
    """``raw_segments``: faster-whisper ``Segment``s decoded with ``word_timestamps=True``."""
    out: list[Segment] = []
    for raw in raw_segments:
        text = clean_segment_text(raw.text)
        if not text:
            continue
        if is_repetition_loop(text):
            log.info("dropped a repetition loop at %.1fs: %.40s", raw.start, text)
            continue
        if is_subtitle_credit(text):
            log.info("dropped a subtitle-credit hallucination at %.1fs: %.40s", raw.start, text)
            continue
        # Keep Whisper's own word strings for joining: they carry the spaces between Latin words.
        words = [
            (
                Word(
                    start_s=_clamp(w.start, duration_s),
                    end_s=_clamp(w.end, duration_s),
                    text=clean_segment_text(w.word),
                    probability=round(float(w.probability), 4),
                ),
                w.word,
            )
            for w in (raw.words or ())
            if w.word.strip()
        ]
        if not words:
            out.append(Segment(speaker=speaker, channel=channel, start_s=_clamp(raw.start, duration_s), end_s=_clamp(raw.end, duration_s), text=normalise_numbers(text)))
            continue
        for group in _split_at_pauses(words, split_pause_s):
            group = _merge_number_words(group)
            piece = normalise_numbers(clean_segment_text("".join(raw_text for _, raw_text in group)))
            if piece:
                first, last = group[0][0], group[-1][0]
                out.append(
                    Segment(
                        speaker=speaker,
                        channel=channel,
                        start_s=first.start_s,
                        end_s=max(last.end_s, first.start_s),
                        text=piece,
                        words=tuple(w for w, _ in group),
                    )
                )
    return out


def _split_at_pauses(words: Sequence[tuple[Word, str]], pause_s: float) -> list[list[tuple[Word, str]]]:
    groups: list[list[tuple[Word, str]]] = [[words[0]]]
    for (prev, _), item in zip(words, words[1:]):
        if item[0].start_s - prev.end_s > pause_s:
            groups.append([])
        groups[-1].append(item)
    return groups


def _merge_number_words(words: list[tuple[Word, str]]) -> list[tuple[Word, str]]:
    """Words that one rewritten number spans (幺 三 八 … -> 138…) become one word with the rewritten text."""
    texts = [w.text for w, _ in words]
    starts = [sum(len(t) for t in texts[:i]) for i in range(len(texts))]
    spans = find_number_spans("".join(texts))
    if not spans:
        return words
    out: list[tuple[Word, str]] = []
    i = 0
    while i < len(words):
        j = i + 1
        covering = [s for s in spans if s.start < starts[i] + len(texts[i]) and starts[i] < s.end]
        # Extend the group while a span runs on into the next word (spans can chain words together).
        while covering and j < len(words) and any(s.end > starts[j] for s in covering):
            covering = [s for s in spans if s.start < starts[j] + len(texts[j]) and starts[i] < s.end]
            j += 1
        if not covering:
            out.append(words[i])
            i += 1
            continue
        offset = starts[i]
        inner = [type(s)(s.start - offset, s.end - offset, s.text) for s in covering]
        group = words[i:j]
        first, last = group[0][0], group[-1][0]
        merged = Word(
            start_s=first.start_s,
            end_s=max(last.end_s, first.start_s),
            text=apply_spans("".join(texts[i:j]), inner),
            probability=min(w.probability for w, _ in group),
        )
        out.append((merged, "".join(raw for _, raw in group)))
        i = j
    return out


def _clamp(t: float, duration_s: float) -> float:
    # Whisper's timestamps can overshoot the audio's end by a frame or two.
    return round(min(max(float(t), 0.0), duration_s), 3)


def shift_segments(segments: Sequence[Segment], offset_s: float, duration_s: float) -> list[Segment]:
    """Segments decoded from a piece of a recording, moved onto the whole recording's timeline."""
    return [
        seg.model_copy(
            update={
                "start_s": _clamp(seg.start_s + offset_s, duration_s),
                "end_s": _clamp(seg.end_s + offset_s, duration_s),
                "words": tuple(
                    w.model_copy(update={"start_s": _clamp(w.start_s + offset_s, duration_s), "end_s": _clamp(w.end_s + offset_s, duration_s)})
                    for w in seg.words
                ),
            }
        )
        for seg in segments
    ]
