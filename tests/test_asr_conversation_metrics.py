"""Conversation metrics: hand-built timelines with known answers, and one real call against its script."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from hotline.conversation import measure_conversation
from hotline.asr.model_files import prepare_whisper_model
from hotline.asr.transcriber import Transcriber
from hotline.contracts import CallMeta, Segment, Silence, TranscriptReady
from hotline.settings import Settings

REPO_MODEL_DIR = Path(__file__).resolve().parents[1] / "var" / "models" / "whisper-base"


def read_pcm(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, w.getnchannels()).astype(np.int16), w.getframerate()


def seg(speaker: str, start: float, end: float, text: str) -> Segment:
    return Segment(speaker=speaker, channel=0 if speaker == "agent" else 1, start_s=start, end_s=end, text=text)


def party(metrics, speaker):
    return next(p for p in metrics.parties if p.speaker == speaker)


def test_hand_built_call_has_known_metrics():
    segments = [
        seg("agent", 0.0, 2.0, "您好，一二三四五。"),  # 7 spoken characters in 2 s
        seg("caller", 2.5, 6.0, "我要反映问题"),
        # The agent cuts in while the caller still has a second to go: an interruption by the agent.
        seg("agent", 5.0, 5.4, "嗯"),
        seg("agent", 6.8, 9.0, "请讲"),
        # 5 s of nobody talking: over the 3 s threshold.
        seg("caller", 14.0, 15.0, "好的"),
        # Ends 0.2 s into the agent's reply: a hand-over, not an interruption.
        seg("caller", 15.0, 15.4, "谢谢"),
        seg("agent", 15.2, 16.0, "不客气"),
    ]
    m = measure_conversation(segments, duration_s=20.0, silence_threshold_s=3.0)

    agent, caller = party(m, "agent"), party(m, "caller")
    assert agent.talk_s == pytest.approx(2.0 + 0.4 + 2.2 + 0.8)
    assert caller.talk_s == pytest.approx(3.5 + 1.0 + 0.4)
    assert agent.talk_share + caller.talk_share == pytest.approx(1.0, abs=1e-3)
    assert agent.talk_share == pytest.approx(5.4 / 10.3, abs=1e-3)
    assert agent.chars == 7 + 1 + 2 + 3 and caller.chars == 6 + 2 + 2
    assert caller.speech_rate_cpm == pytest.approx(10 / (4.9 / 60), abs=0.1)
    assert m.silences == 1 and m.longest_silence_s == pytest.approx(5.0) and m.longest_silence_start_s == pytest.approx(9.0)
    assert m.silence_s == pytest.approx(5.0)
    # The silence itself travels too (the long-silence rule reads it): from the end of 6.8-9.0 to 14.0.
    assert m.silence_spans == (Silence(start_s=9.0, end_s=14.0),)
    # Overlaps: 5.0-5.4 and 15.2-15.4.
    assert m.overlaps == 2 and m.overlap_s == pytest.approx(0.6)
    assert m.interruptions == 1 and agent.interruptions_made == 1 and caller.interruptions_made == 0
    # Both caller turns (2.5-6.0, 14.0-15.4) are answered by an agent who came in before they ended: latency 0.
    assert m.agent_responses == 2 and m.agent_response_latency_max_s == 0.0
    assert m.speech_s == pytest.approx(16.0 - 0.5 - 0.8 - 5.0)


def test_latency_silence_threshold_and_unknown_speakers():
    segments = [seg("caller", 0.0, 3.0, "喂"), seg("agent", 4.5, 6.0, "您好"), seg("caller", 6.5, 8.0, "在吗"), seg("agent", 10.5, 11.0, "在")]
    m = measure_conversation(segments, duration_s=12.0, silence_threshold_s=2.0)
    assert m.agent_responses == 2
    assert m.agent_response_latency_mean_s == pytest.approx((1.5 + 2.5) / 2)
    assert m.agent_response_latency_max_s == pytest.approx(2.5)
    # Gaps 1.5, 0.5 and 2.5 s: only the one over the 2 s threshold is a silence.
    assert m.silences == 1 and m.longest_silence_s == pytest.approx(2.5) and m.silence_s == pytest.approx(2.5)
    assert m.silence_spans == (Silence(start_s=8.0, end_s=10.5),)
    assert m.interruptions == 0 and m.overlap_s == 0.0

    # A mono call without diarization: one "unknown" party, no role-based latency.
    mono = [s.model_copy(update={"speaker": "unknown", "channel": None}) for s in segments]
    m = measure_conversation(mono, duration_s=12.0)
    assert [p.speaker for p in m.parties] == ["unknown"] and m.parties[0].talk_share == 1.0
    assert m.agent_responses == 0 and m.agent_response_latency_mean_s is None

    empty = measure_conversation([], duration_s=5.0)
    assert empty.parties == () and empty.speech_s == 0.0 and empty.silences == 0 and empty.silence_spans == ()


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    prepare_whisper_model(REPO_MODEL_DIR)
    return Transcriber(Settings(asr={"model_dir": REPO_MODEL_DIR}).asr)


@pytest.mark.slow
def test_real_call_metrics_match_its_script(transcriber, sample_calls):
    call_dir = next(d for d in sample_calls if d.name == "c002-water-outage")
    meta = CallMeta(**json.loads((call_dir / "meta.json").read_text()))
    truth = json.loads((call_dir / "truth.json").read_text())
    pcm, rate = read_pcm(call_dir / "stereo_16k.wav")
    tr = transcriber.transcribe_call(meta, pcm, rate)
    assert tr.metrics is not None
    # The metric travels in the contract.
    assert TranscriptReady.decode(tr.encode()).metrics == tr.metrics

    scripted = measure_conversation([seg(t["role"], t["start_s"], t["end_s"], t["text"]) for t in truth["turns"]], truth["duration_s"])
    got, want = tr.metrics, scripted
    print(f"\n{meta.call_id}: transcript {got.model_dump()}\nscript {want.model_dump()}")
    for role in ("agent", "caller"):
        # Whisper's word timestamps are approximate: shares within 5 points, talk time within 15%.
        assert party(got, role).talk_share == pytest.approx(party(want, role).talk_share, abs=0.05)
        assert party(got, role).talk_s == pytest.approx(party(want, role).talk_s, rel=0.15)
        assert party(got, role).speech_rate_cpm == pytest.approx(party(want, role).speech_rate_cpm, rel=0.2)
    # The script alternates parties without overlap: no interruptions, and the agent answers each caller turn.
    assert got.interruptions == want.interruptions == 0
    assert got.agent_responses == want.agent_responses
    assert got.agent_response_latency_mean_s == pytest.approx(want.agent_response_latency_mean_s, abs=0.5)
    assert got.longest_silence_s == pytest.approx(want.longest_silence_s, abs=1.0)
