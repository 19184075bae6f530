"""Quiet recordings are raised toward a speaking level; nothing clips and loud audio stays as it is."""

from __future__ import annotations

import numpy as np
import pytest

from hotline.asr.loudness import MAX_PEAK, level_audio


def _tone(amplitude: float, seconds: float = 1.0) -> np.ndarray:
    # 5 kHz: above the telephone band, so the tone counts as wideband audio.
    t = np.arange(int(16_000 * seconds)) / 16_000
    return (amplitude * np.sin(2 * np.pi * 5_000 * t)).astype(np.float32)


def _dbfs(x: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def test_quiet_audio_is_raised_to_the_target_level():
    quiet = _tone(0.01)  # about -43 dBFS, a far-field recording
    out = level_audio(quiet, -20.0)
    assert out.dtype == np.float32
    assert _dbfs(out) == pytest.approx(-20.0, abs=0.05)


def test_gain_stops_before_the_peak_clips():
    # Mostly silence with one loud click: RMS is low, but raising it to the target would clip.
    audio = np.zeros(16_000, dtype=np.float32)
    audio[100] = 0.5
    out = level_audio(audio, -20.0)
    assert float(np.max(np.abs(out))) == pytest.approx(MAX_PEAK, rel=1e-4)


def test_loud_audio_and_silence_are_left_alone():
    loud = _tone(0.5)
    assert np.array_equal(level_audio(loud, -20.0), loud)
    silence = np.zeros(8_000, dtype=np.float32)
    assert np.array_equal(level_audio(silence, -20.0), silence)
    assert level_audio(np.zeros(0, dtype=np.float32), -20.0).size == 0


def test_telephone_band_audio_is_left_alone():
    # The same quiet speech-band noise: wideband is raised, the 8 kHz telephone version (resampled
    # to 16 kHz by the stage's own resampler) is not.
    from hotline.asr.resample import resample_channel

    rng = np.random.default_rng(0)
    wide = (rng.standard_normal(32_000) * 0.01).astype(np.float32)
    assert _dbfs(level_audio(wide, -20.0)) == pytest.approx(-20.0, abs=0.05)
    phone = resample_channel((rng.standard_normal(16_000) * 300).astype(np.int16), 8_000)
    assert np.array_equal(level_audio(phone, -20.0), phone)
