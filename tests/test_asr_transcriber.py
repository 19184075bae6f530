"""Real Whisper base weights on the project's own synthesized Mandarin calls (tests/conftest.py: sample_calls)."""

from __future__ import annotations

import json
import re
import wave
from pathlib import Path

import jiwer
import numpy as np
import pytest
from faster_whisper.transcribe import Segment as RawSegment
from faster_whisper.transcribe import Word as RawWord

from hotline.asr.model_files import prepare_whisper_model
from hotline.asr.resample import WHISPER_RATE_HZ, resample_channel
from hotline.asr.segments import build_segments
from hotline.asr.text_cleanup import is_repetition_loop, is_subtitle_credit, to_simplified
from hotline.asr.transcriber import Transcriber
from hotline.bus import PoisonMessage
from hotline.contracts import CallMeta, TranscriptReady
from hotline.settings import Settings

REPO_MODEL_DIR = Path(__file__).resolve().parents[1] / "var" / "models" / "whisper-base"
# Whisper writes spoken numbers as digits (幺二三四五 -> 12345); compare digit by digit.
_DIGITS = str.maketrans("0123456789幺两", "零一二三四五六七八九一二")
_NOT_WORD = re.compile(r"[^\w]|_")
# Tolerance around true turn edges: Whisper's word timestamps are approximate.
COLLAR_S = 0.5
# Whisper base on clean TTS speech scores ~0.10; a wrong channel, resampling or decoding bug scores far worse.
CER_BOUND = 0.35


def normalise(text: str) -> str:
    return _NOT_WORD.sub("", to_simplified(text)).translate(_DIGITS)


def cer(ref: str, hyp: str) -> float:
    return jiwer.cer(normalise(ref), normalise(hyp)) if normalise(ref) else float(bool(normalise(hyp)))


def read_pcm(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, w.getnchannels())
        return pcm.astype(np.int16), w.getframerate()


def load_call(call_dir: Path, variant: str) -> tuple[CallMeta, np.ndarray, int, dict]:
    meta = CallMeta(**json.loads((call_dir / "meta.json").read_text()))
    truth = json.loads((call_dir / "truth.json").read_text())
    pcm, rate = read_pcm(call_dir / variant)
    if pcm.shape[1] == 1:
        meta = meta.model_copy(update={"channel_layout": "mono", "agent_channel": None})
    return meta, pcm, rate, truth


def misattributed_segments(tr: TranscriptReady, turns: list[dict]) -> list[str]:
    """Segments that overlap no true turn of their own role (with a collar) but do overlap the other role's."""
    bad = []
    for seg in tr.segments:
        def overlaps(role: str, collar: float) -> bool:
            return any(
                min(seg.end_s, t["end_s"] + collar) - max(seg.start_s, t["start_s"] - collar) > 0
                for t in turns
                if t["role"] == role
            )

        other = "caller" if seg.speaker == "agent" else "agent"
        if not overlaps(seg.speaker, COLLAR_S) and overlaps(other, 0.0):
            bad.append(f"{seg.speaker} {seg.start_s}-{seg.end_s} {seg.text}")
    return bad


def role_cer(tr: TranscriptReady, turns: list[dict], hyp_role: str, ref_role: str) -> float:
    ref = "".join(t["text"] for t in turns if t["role"] == ref_role)
    hyp = "".join(s.text for s in tr.segments if s.speaker == hyp_role)
    return cer(ref, hyp)


def check_well_formed(tr: TranscriptReady) -> None:
    starts = [s.start_s for s in tr.segments]
    assert starts == sorted(starts), "segments are not merged in time order"
    for s in tr.segments:
        assert 0.0 <= s.start_s <= s.end_s <= tr.duration_s
        assert s.text and to_simplified(s.text) == s.text, f"not Simplified: {s.text}"
        # U+FFFD and full-width Latin letters/digits are what a broken byte-level decode leaves behind.
        assert not re.search(r"[\ufffd\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]", s.text), f"garbled text: {s.text}"
        assert s.words, "word timestamps were requested"
        for w in s.words:
            assert s.start_s - 0.01 <= w.start_s <= w.end_s <= s.end_s + 0.01
    assert tr.processing_s > 0 and tr.asr_model.startswith("whisper-base:")


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    prepare_whisper_model(REPO_MODEL_DIR)
    # Through Settings, so the deployment's defaults (and HOTLINE_ASR__* overrides) are what gets tested.
    return Transcriber(Settings(asr={"model_dir": REPO_MODEL_DIR}).asr)


def by_id(sample_calls: list[Path], call_id: str) -> Path:
    return next(d for d in sample_calls if d.name == call_id)


@pytest.mark.slow
def test_stereo_call_has_exact_roles_and_readable_text(transcriber, sample_calls):
    # c002 opens without the standard greeting (a planted defect): the transcript must not invent one.
    meta, pcm, rate, truth = load_call(by_id(sample_calls, "c002-water-outage"), "stereo_16k.wav")
    tr = transcriber.transcribe_call(meta, pcm, rate)
    check_well_formed(tr)
    turns = truth["turns"]
    total = cer("".join(t["text"] for t in turns), "".join(s.text for s in tr.segments))
    agent, caller = role_cer(tr, turns, "agent", "agent"), role_cer(tr, turns, "caller", "caller")
    print(f"\nstereo 16 kHz {meta.call_id}: CER {total:.3f} (agent {agent:.3f}, caller {caller:.3f}), "
          f"{tr.duration_s:.1f}s audio in {tr.processing_s:.1f}s = realtime factor {tr.processing_s / tr.duration_s:.2f}")
    assert {s.speaker for s in tr.segments} == {"agent", "caller"}
    assert all(s.channel == (0 if s.speaker == "agent" else 1) for s in tr.segments)
    assert misattributed_segments(tr, turns) == []
    # Swapped channels would match the other party's words far better.
    assert agent < role_cer(tr, turns, "agent", "caller") and caller < role_cer(tr, turns, "caller", "agent")
    assert total < CER_BOUND and agent < CER_BOUND and caller < CER_BOUND
    assert tr.duration_s == pytest.approx(truth["duration_s"], abs=0.01)
    assert tr.language == "zh" and not tr.incomplete and tr.meta == meta
    first_agent = next(s for s in tr.segments if s.speaker == "agent")
    assert not re.search("12345|幺二三四五|热线|您好", first_agent.text), f"greeting invented: {first_agent.text}"


@pytest.mark.slow
def test_8khz_telephone_audio_works(transcriber, sample_calls):
    meta, pcm, rate, truth = load_call(by_id(sample_calls, "c007-traffic-light"), "stereo_8k.wav")
    assert rate == 8000
    tr = transcriber.transcribe_call(meta, pcm, rate)
    check_well_formed(tr)
    total = cer("".join(t["text"] for t in truth["turns"]), "".join(s.text for s in tr.segments))
    print(f"\nstereo 8 kHz {meta.call_id}: CER {total:.3f}, realtime factor {tr.processing_s / tr.duration_s:.2f}")
    assert misattributed_segments(tr, truth["turns"]) == []
    assert total < CER_BOUND
    assert tr.duration_s == pytest.approx(truth["duration_s"], abs=0.01)


@pytest.mark.slow
def test_mono_call_is_one_pass_with_diarized_roles(transcriber, sample_calls):
    meta, pcm, rate, truth = load_call(by_id(sample_calls, "c005-social-insurance"), "mono_8k.wav")
    tr = transcriber.transcribe_call(meta, pcm, rate)
    check_well_formed(tr)
    total = cer("".join(t["text"] for t in truth["turns"]), "".join(s.text for s in tr.segments))
    print(f"\nmono 8 kHz {meta.call_id}: CER {total:.3f}, realtime factor {tr.processing_s / tr.duration_s:.2f}")
    # No channel to go by: the default diarizer (asr.diarization) tells the parties apart and the
    # greeting names the agent (tests/test_asr_diarization.py measures how well).
    assert {(s.speaker, s.channel) for s in tr.segments} == {("agent", None), ("caller", None)}
    assert total < CER_BOUND


@pytest.mark.slow
def test_identical_channels_are_transcribed_once(transcriber, sample_calls):
    meta, mono, rate, _ = load_call(by_id(sample_calls, "c007-traffic-light"), "mono_16k.wav")
    clip = mono[: 8 * rate, 0]
    stereo_meta = meta.model_copy(update={"channel_layout": "stereo", "agent_channel": 0})
    tr = transcriber.transcribe_call(stereo_meta, np.stack([clip, clip], axis=1), rate)
    assert tr.segments, "the clip holds speech"
    # Both channels carry the same mix: labelling it agent on one and caller on the other would be a
    # lie. It is transcribed as mono, where roles come from diarization, not from a channel.
    assert {s.channel for s in tr.segments} == {None}


def test_empty_recording_is_poison(transcriber, sample_calls):
    meta, _, _, _ = load_call(sample_calls[0], "stereo_8k.wav")
    with pytest.raises(PoisonMessage, match="empty recording") as err:
        transcriber.transcribe_call(meta, np.zeros((0, 2), np.int16), 8000)
    assert err.value.call_id == meta.call_id


def test_resampling_filters_before_changing_rate():
    # A 12 kHz tone at 48 kHz is above the 8 kHz Nyquist limit of 16 kHz audio: it must vanish, not
    # fold back to 4 kHz as it would with plain decimation.
    rate = 48_000
    t = np.arange(rate) / rate
    tone = (np.sin(2 * np.pi * 12_000 * t) * 16_000).astype(np.int16)
    out = resample_channel(tone, rate)
    assert out.dtype == np.float32 and len(out) == WHISPER_RATE_HZ
    assert np.sqrt(np.mean(out[800:-800] ** 2)) < 1e-3
    # In-band speech frequencies pass at full level, with the exact length, from 8 kHz too.
    for src in (8_000, 44_100):
        t = np.arange(2 * src) / src
        x = (np.sin(2 * np.pi * 1_000 * t) * 16_000).astype(np.int16)
        y = resample_channel(x, src)
        assert len(y) == 2 * WHISPER_RATE_HZ
        assert np.sqrt(np.mean(y[800:-800] ** 2)) == pytest.approx(16_000 / 32768 / np.sqrt(2), rel=0.02)


def _raw(start: float, end: float, text: str, words: list[tuple[float, float, str]]) -> RawSegment:
    return RawSegment(
        id=0, seek=0, start=start, end=end, text=text, tokens=[], avg_logprob=-0.2, compression_ratio=1.2,
        no_speech_prob=0.01, words=[RawWord(start=a, end=b, word=w, probability=0.9) for a, b, w in words], temperature=0.0,
    )


def test_segments_split_at_pauses_drop_loops_and_become_simplified():
    raw = [
        _raw(1.0, 9.0, "請問您的具體地址。讓您久等了", [(1.0, 1.6, "請問"), (1.6, 2.5, "您的具體地址。"), (7.0, 7.5, "讓您"), (7.5, 9.0, "久等了")]),
        _raw(10.0, 14.0, "好的好的好的好的好的好的好的", [(10.0 + i * 0.5, 10.4 + i * 0.5, "好的") for i in range(7)]),
        _raw(15.0, 16.5, " 打开 WiFi 设置", [(15.0, 15.4, " 打开"), (15.4, 16.0, " WiFi"), (16.0, 16.5, " 设置")]),
    ]
    segs = build_segments(raw, speaker="agent", channel=0, duration_s=16.0)
    assert [(s.start_s, s.end_s, s.text) for s in segs] == [
        (1.0, 2.5, "请问您的具体地址。"),
        (7.0, 9.0, "让您久等了"),
        (15.0, 16.0, "打开 WiFi 设置"),  # clamped to the audio's end; Latin words keep their spaces
    ]
    assert [w.text for w in segs[0].words] == ["请问", "您的具体地址。"]


def test_repetition_guard_keeps_normal_speech():
    assert is_repetition_loop("嗯嗯嗯嗯嗯嗯嗯嗯")
    assert is_repetition_loop("谢谢，谢谢，谢谢，谢谢，谢谢，谢谢，谢")
    assert not is_repetition_loop("好的好的")
    assert not is_repetition_loop("请问您的联系电话是来电号码吗")


def test_subtitle_credits_whisper_makes_up_are_dropped_and_speech_is_kept():
    # 中文字幕后: what Whisper base wrote once for a closing 嗯，好 (c007) when it fell back to sampling.
    for made_up in ("中文字幕后", "字幕由Amara.org社区提供", "请不吝点赞 订阅 转发 打赏支持明镜与点点栏目", "谢谢大家观看。"):
        assert is_subtitle_credit(made_up), made_up
    for speech in ("好的，那谢谢你了。", "我想反映一下手机被订阅了增值业务", "电视没有字幕" * 6):
        assert not is_subtitle_credit(speech), speech
    raw = [
        _raw(1.0, 2.0, "好的，那谢谢你了。", [(1.0, 1.5, "好的，"), (1.5, 2.0, "那谢谢你了。")]),
        _raw(3.0, 3.6, "中文字幕后", [(3.0, 3.6, "中文字幕后")]),
    ]
    assert [s.text for s in build_segments(raw, speaker="agent", channel=0, duration_s=4.0)] == ["好的，那谢谢你了。"]

