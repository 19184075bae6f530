"""Bring quiet recordings up to a speaking level before Whisper reads them.

Whisper's log-mel features are clamped 8 decades (80 dB) below each window's loudest value, and
the model was trained mostly on well-levelled audio: a far-field or weak-line recording at
-40 dBFS is read worse than the same speech at -20 dBFS (measured on the real clips: see
``AsrSettings.loudness_target_dbfs``). Only gain is applied, never more than keeps the peak below
full scale, so nothing clips and loud audio is left as it is.

Telephone-band audio (nothing above 4 kHz: an 8 kHz call, however it was resampled) is left as
it is: on the same clips band-limited to 8 kHz every gain tried raised CER (0.357 -> 0.40-0.47).
"""

from __future__ import annotations

import numpy as np

# Headroom kept below full scale after the gain.
MAX_PEAK = 0.95
# Quieter than this is digital silence or hum, not a recording to bring up.
MIN_RMS_DBFS = -70.0


# Telephone audio, resampled to 16 kHz, falls off a cliff above its 3.4 kHz band. Mean power
# density 4.5-7.5 kHz over 2.5-3.3 kHz: measured 0.08-1.8 on wideband speech (real clips, sample
# calls) and 0.0002-0.007 on the same speech through an 8 kHz telephone band.
NARROWBAND_MAX_RATIO = 0.02
_FRAME = 4096  # 0.256 s at 16 kHz; frames only bound the FFT size


def is_narrowband(audio: np.ndarray, rate_hz: int = 16_000) -> bool:
    """True when the audio has no band above telephone speech's, whatever rate it is stored at."""
    n = (audio.size // _FRAME) * _FRAME
    if n == 0:
        return True
    power = np.square(np.abs(np.fft.rfft(audio[:n].reshape(-1, _FRAME).astype(np.float64), axis=1))).sum(axis=0)
    freqs = np.fft.rfftfreq(_FRAME, 1.0 / rate_hz)
    voice = float(power[(freqs > 2_500) & (freqs < 3_300)].mean())
    above = float(power[(freqs > 4_500) & (freqs < 7_500)].mean())
    return voice <= 0.0 or above / voice < NARROWBAND_MAX_RATIO


def level_audio(audio: np.ndarray, target_dbfs: float) -> np.ndarray:
    """16 kHz float32 in [-1, 1] raised toward ``target_dbfs`` RMS (whole signal), peak-limited;
    never lowered, and telephone-band audio is returned unchanged."""
    if audio.size == 0 or is_narrowband(audio):
        return audio
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    peak = float(np.max(np.abs(audio)))
    if rms <= 10 ** (MIN_RMS_DBFS / 20) or peak <= 0.0:
        return audio
    gain = min(10 ** (target_dbfs / 20) / rms, MAX_PEAK / peak)
    if gain <= 1.0:
        return audio
    return (audio * np.float32(gain)).astype(np.float32, copy=False)
