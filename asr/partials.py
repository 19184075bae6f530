"""Partial transcripts of calls still arriving, so a risk phrase can raise an alert before the call ends.

Whenever ``interval_s`` of new audio has arrived for an open call, the part not yet decoded is
decoded, cut in a pause near its end so no word is split (the rest waits for the next partial),
and a ``TranscriptReady(is_final=False)`` carrying every segment so far is built. Earlier partial
segments are kept and never decoded again, so partials together decode each second of audio
about once.

By default the final transcript still decodes the whole call in one go: it is the transcript
stored and inspected, and that path's quality is the measured one, so partials add up to about
one more decode of the call. ``finish`` (``asr.final_reuses_partials``) instead keeps the partial
segments and decodes only the rest, so partials cost little more than the final pass alone;
``bench.asr_partials`` measures both, CPU and CER. Progress lives in memory only: after a rewind
or restart the call is re-read and its partials start again from the beginning.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from hotline.contracts import Segment, TranscriptReady
from hotline.conversation import measure_conversation

from .assembler import ArrivedAudio, AssembledCall
from .resample import WHISPER_RATE_HZ, resample_channel
from .segments import shift_segments
from .transcriber import Transcriber

log = logging.getLogger(__name__)

# Only a pause at least this long is a safe place to cut (as for the mono split).
MIN_PAUSE_S = 0.5
# A piece shorter than this is left for the next partial: too little to be worth a decode.
MIN_PIECE_S = 2.0
# With no pause in this many intervals of undecoded audio (one long monologue), cut at the end anyway.
FORCE_CUT_INTERVALS = 3


@dataclass
class _Progress:
    # Samples (at the call's own rate) decoded so far: the next piece starts here.
    decoded: int = 0
    # Samples that had arrived when a partial was last tried: the next is due interval_s later.
    tried: int = 0
    segments: list[Segment] = field(default_factory=list)
    language: str = ""
    processing_s: float = 0.0


def find_cut_sample(pcm: np.ndarray, rate: int) -> int | None:
    """Sample index (at ``rate``) in the middle of the last pause of ``pcm`` in which every channel is quiet, or None.

    Channels are mixed first: in a dual-channel call a pause must be a pause for both parties.
    """
    if len(pcm) < MIN_PIECE_S * rate:
        return None
    mixed = pcm.astype(np.float32).mean(axis=1).astype(np.int16)
    audio = resample_channel(mixed, rate)
    speech = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=int(MIN_PAUSE_S * 1000), speech_pad_ms=100))
    if not speech:
        return None  # nothing said yet: nothing to cut around
    gaps = [(prev["end"] + nxt["start"]) // 2 for prev, nxt in zip(speech, speech[1:]) if nxt["start"] - prev["end"] >= MIN_PAUSE_S * WHISPER_RATE_HZ]
    # The speech still going on at the end of what arrived is not cut: its end has not arrived yet.
    tail_pause = len(audio) - speech[-1]["end"] >= MIN_PAUSE_S * WHISPER_RATE_HZ
    if tail_pause:
        gaps.append((speech[-1]["end"] + len(audio)) // 2)
    if not gaps:
        return None
    return int(gaps[-1] * rate // WHISPER_RATE_HZ)


class PartialTranscripts:
    """Decides when an open call is due a partial and decodes only its new audio."""

    def __init__(self, transcriber: Transcriber, *, interval_s: float, silence_threshold_s: float = 3.0):
        if interval_s <= 0:
            raise ValueError("interval_s must be positive (0 means no partials: do not build this)")
        self._transcriber = transcriber
        self._interval_s = interval_s
        self._silence_threshold_s = silence_threshold_s
        self._progress: dict[str, _Progress] = {}

    def due(self, call_id: str, arrived_samples: int, rate: int) -> bool:
        progress = self._progress.get(call_id)
        tried = progress.tried if progress is not None else 0
        return arrived_samples - tried >= self._interval_s * rate

    def transcribe(self, audio: ArrivedAudio) -> TranscriptReady | None:
        """The next partial transcript of an open call, or None when no new piece could be cut yet.

        Raises what ``Transcriber.transcribe_call`` raises; the caller decides (a partial is best effort).
        """
        started = time.perf_counter()
        rate = audio.sample_rate_hz
        progress = self._progress.setdefault(audio.call_id, _Progress())
        progress.tried = len(audio.pcm)
        tail = audio.pcm[progress.decoded :]
        cut = find_cut_sample(tail, rate)
        if cut is None and len(tail) >= FORCE_CUT_INTERVALS * self._interval_s * rate:
            cut = len(tail)
        if cut is None or cut < MIN_PIECE_S * rate:
            log.debug("%s: no pause to cut a partial at yet (%.1fs undecoded)", audio.call_id, len(tail) / rate)
            return None
        start = progress.decoded
        end = start + cut
        piece = audio.pcm[start:end]
        duration_s = end / rate
        if np.any(piece):
            found = self._transcriber.transcribe_call(audio.meta, piece, rate)
            progress.segments.extend(shift_segments(found.segments, start / rate, duration_s))
            progress.language = progress.language or found.language
        progress.decoded = end
        progress.processing_s += time.perf_counter() - started
        segments = tuple(progress.segments)
        return TranscriptReady(
            meta=audio.meta,
            is_final=False,
            duration_s=round(duration_s, 3),
            language=progress.language or "und",
            asr_model=self._transcriber.model_name,
            segments=segments,
            processing_s=round(progress.processing_s, 3),
            metrics=measure_conversation(segments, duration_s, silence_threshold_s=self._silence_threshold_s),
        )

    def finish(self, call: AssembledCall) -> TranscriptReady:
        """The final transcript: the partial segments so far, and the rest of the call decoded now."""
        started = time.perf_counter()
        progress = self._progress.pop(call.call_id, None)
        rate = call.sample_rate_hz
        duration_s = len(call.pcm) / rate
        decoded = progress.decoded if progress is not None and progress.decoded < len(call.pcm) else 0
        rest = self._transcriber.transcribe_call(call.meta, call.pcm[decoded:], rate, incomplete=call.incomplete)
        if not decoded:
            return rest
        segments = (*progress.segments, *shift_segments(rest.segments, decoded / rate, duration_s))
        return rest.model_copy(update={
            "duration_s": round(duration_s, 3),
            "language": progress.language or rest.language,
            "segments": segments,
            "processing_s": round(time.perf_counter() - started, 3),
            "metrics": measure_conversation(segments, duration_s, silence_threshold_s=self._silence_threshold_s),
        })

    def keep_only(self, open_call_ids: list[str]) -> None:
        """Drop the progress of calls no longer open (finished, expired, revoked, rewound)."""
        for call_id in set(self._progress) - set(open_call_ids):
            del self._progress[call_id]
