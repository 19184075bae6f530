"""Where to cut a mono recording in two, so both halves can be decoded at once.

A stereo call keeps two model replicas busy with one channel each; a mono call has one stream.
Cutting it in the longest pause near its middle gives the second replica work without cutting
through a word: Silero VAD (shipped inside faster-whisper, offline) finds the pauses.
"""

from __future__ import annotations

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from .resample import WHISPER_RATE_HZ

# Shorter recordings are decoded whole: the split would save less than it costs.
MIN_SPLIT_DURATION_S = 20.0
# Only a pause at least this long is a safe place to cut.
MIN_PAUSE_S = 0.5
# The cut must leave each half at least this share of the recording, or splitting buys little.
MIN_HALF_SHARE = 0.25


def find_split_sample(audio_16k: np.ndarray) -> int | None:
    """Sample index (16 kHz) in the middle of a pause near the recording's middle, or None."""
    n = len(audio_16k)
    if n < MIN_SPLIT_DURATION_S * WHISPER_RATE_HZ:
        return None
    speech = get_speech_timestamps(audio_16k, VadOptions(min_silence_duration_ms=int(MIN_PAUSE_S * 1000), speech_pad_ms=100))
    cuts = [
        (prev["end"] + nxt["start"]) // 2
        for prev, nxt in zip(speech, speech[1:])
        if nxt["start"] - prev["end"] >= MIN_PAUSE_S * WHISPER_RATE_HZ
    ]
    cuts = [c for c in cuts if MIN_HALF_SHARE * n <= c <= (1 - MIN_HALF_SHARE) * n]
    if not cuts:
        return None
    return int(min(cuts, key=lambda c: abs(c - n // 2)))
