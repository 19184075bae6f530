"""Band-limited sample-rate conversion through libswresample (PyAV), already a platform dependency."""

from __future__ import annotations

import av
import numpy as np

_LAYOUTS = {1: "mono", 2: "stereo"}


def resample_audio(audio: np.ndarray, src_rate_hz: int, dst_rate_hz: int) -> np.ndarray:
    """Resample float audio shaped (channels, samples); returns float32 of length round(n * dst / src).

    libswresample's default filter is a windowed-sinc low-pass, so downsampling to 8 kHz does not
    alias, and its output is aligned in time with the input (no filter delay to undo).
    """
    if audio.ndim != 2 or audio.shape[0] not in _LAYOUTS:
        raise ValueError(f"expected (1 or 2 channels, samples), got shape {audio.shape}")
    expected = round(audio.shape[1] * dst_rate_hz / src_rate_hz)
    if src_rate_hz == dst_rate_hz:
        return audio.astype(np.float32, copy=True)
    layout = _LAYOUTS[audio.shape[0]]
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=dst_rate_hz)
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(audio, dtype=np.float32), format="fltp", layout=layout)
    frame.sample_rate = src_rate_hz
    # Passing None flushes the samples still inside the filter.
    parts = [f.to_ndarray() for f in resampler.resample(frame)] + [f.to_ndarray() for f in resampler.resample(None)]
    out = np.concatenate(parts, axis=1) if parts else np.zeros((audio.shape[0], 0), np.float32)
    if out.shape[1] < expected:
        out = np.pad(out, ((0, 0), (0, expected - out.shape[1])))
    return np.ascontiguousarray(out[:, :expected], dtype=np.float32)
