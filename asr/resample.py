"""Turn one channel of int16 PCM at any rate into what Whisper reads: float32 mono at 16 kHz.

faster-whisper's own file decoder resamples with PyAV (FFmpeg's swresample, a windowed-sinc
polyphase filter); this does the same for PCM that is already in memory, so 8 kHz telephone
audio and 44.1/48 kHz recorder audio are low-pass filtered before the rate changes (plain
decimation would fold everything above 8 kHz back into the speech band).
"""

from __future__ import annotations

import av
import numpy as np

WHISPER_RATE_HZ = 16_000
# Below this, speech is not intelligible enough for recognition (telephone audio is 8 kHz).
MIN_SAMPLE_RATE_HZ = 8_000
# Feed FFmpeg in blocks: one frame for a whole hour-long channel is needlessly large.
_BLOCK_SAMPLES = 1 << 20


def resample_channel(samples: np.ndarray, sample_rate_hz: int) -> np.ndarray:
    """int16 samples of one channel -> float32 in [-1, 1) at 16 kHz."""
    if samples.ndim != 1:
        raise ValueError(f"expected one channel (1-D), got shape {samples.shape}")
    pcm = np.ascontiguousarray(samples, dtype=np.int16)
    if sample_rate_hz == WHISPER_RATE_HZ:
        return pcm.astype(np.float32) / 32768.0
    resampler = av.AudioResampler(format="flt", layout="mono", rate=WHISPER_RATE_HZ)
    pieces: list[np.ndarray] = []
    for start in range(0, len(pcm), _BLOCK_SAMPLES):
        frame = av.AudioFrame.from_ndarray(pcm[start : start + _BLOCK_SAMPLES].reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = sample_rate_hz
        pieces.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(frame))
    # None flushes the filter's tail, which would otherwise lose the last few milliseconds.
    pieces.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(None))
    if not pieces:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(pieces).astype(np.float32, copy=False)
