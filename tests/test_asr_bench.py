"""The ASR benchmark's scoring: number normalisation, corpus CER and the telephone channel simulation."""

from __future__ import annotations

import numpy as np
import pytest

from bench.asr import corpus_cer, normalise_for_cer, to_telephone


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("12栋", "十二栋"),  # house numbers are read as cardinals
        ("幺三八零零零零二零二六", "一三八零零零零二零二六"),
        ("13800002026", "一三八零零零零二零二六"),  # phone numbers digit by digit
        ("2024年", "二零二四年"),
        ("105号", "一百零五号"),
        ("1010", "一千零一十"),
        ("3.5公里", "三点五公里"),
        ("两千", "二千"),
        ("0571", "零五七一"),
        ("請講，12345熱線！", "请讲一二三四五热线"),
        ("工号1001", "工号一零零一"),  # staff and room numbers as asr.numbers writes them
        ("501室", "五零一室"),
    ],
)
def test_numbers_and_scripts_normalise_to_one_form(written, spoken):
    assert normalise_for_cer(written) == normalise_for_cer(spoken) == spoken


def test_corpus_cer_counts_edits_over_all_reference_characters():
    # One substitution in 9 reference characters across two pairs; punctuation never counts.
    assert corpus_cer(["江南区梧桐路", "十二栋。"], ["江南区无桐路", "12栋"]) == pytest.approx(1 / 9, abs=1e-4)
    assert corpus_cer(["", "好"], ["嗯", "好"]) == 0.0  # an empty reference is left out, not divided by
    assert corpus_cer([""], ["嗯"]) is None


def test_telephone_channel_keeps_the_voice_band_only():
    rate = 16_000
    t = np.arange(rate) / rate
    in_band = np.sin(2 * np.pi * 1_000 * t)
    out_of_band = np.sin(2 * np.pi * 5_000 * t) + np.sin(2 * np.pi * 100 * t)
    pcm = ((in_band + out_of_band) * 8_000).astype(np.int16).reshape(-1, 1)
    tel, tel_rate = to_telephone(pcm, rate)
    assert tel_rate == 8_000 and tel.shape == (8_000, 1) and tel.dtype == np.int16
    spectrum = np.abs(np.fft.rfft(tel[:, 0].astype(np.float64)))
    freqs = np.fft.rfftfreq(len(tel), 1 / tel_rate)
    assert spectrum[np.argmin(np.abs(freqs - 1_000))] > 100 * spectrum[np.argmin(np.abs(freqs - 100))]
    # 5 kHz cannot exist at 8 kHz; it must not have folded back to 3 kHz either.
    assert spectrum[np.argmin(np.abs(freqs - 1_000))] > 100 * spectrum[np.argmin(np.abs(freqs - 3_000))]
