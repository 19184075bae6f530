"""Mono diarization + role assignment: real sample-call audio through the real speaker encoder and Whisper."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from hotline.asr.diarization import EmbeddedDiarizer, SpeakerTurn
from hotline.asr.model_files import prepare_whisper_model
from hotline.asr.resample import resample_channel
from hotline.asr.roles import assign_roles
from hotline.asr.speaker_encoder import SpeakerEncoder, SpeakerEncoderError, find_packaged_weights
from hotline.asr.speaker_split import split_by_speaker
from hotline.asr.transcriber import Transcriber
from hotline.contracts import CallMeta, Segment, Word
from hotline.settings import AsrSettings

REPO_MODEL_DIR = Path(__file__).resolve().parents[1] / "var" / "models" / "whisper-base"


def _has_encoder() -> bool:
    try:
        find_packaged_weights()
        return True
    except SpeakerEncoderError:
        return False


needs_encoder = pytest.mark.skipif(not _has_encoder(), reason="speaker encoder weights missing: pip install --no-deps resemblyzer==0.1.4")


def read_mono(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, w.getnchannels())
        return resample_channel(pcm[:, 0].copy(), w.getframerate())


def truth_of(call_dir: Path) -> list[dict]:
    return json.loads((call_dir / "truth.json").read_text())["turns"]


def overlap_s(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


@pytest.fixture(scope="module")
def encoder() -> SpeakerEncoder:
    return SpeakerEncoder()


@needs_encoder
def test_encoder_tells_the_two_voices_of_a_call_apart(encoder, sample_calls):
    call_dir = next(d for d in sample_calls if d.name == "c002-water-outage")
    audio = read_mono(call_dir / "mono_16k.wav")
    turns = [t for t in truth_of(call_dir) if t["end_s"] - t["start_s"] > 2.0]
    by_role = {role: [t for t in turns if t["role"] == role][:2] for role in ("agent", "caller")}
    emb = {
        (role, i): encoder.embed_utterance(audio[int(t["start_s"] * 16000) : int(t["end_s"] * 16000)])
        for role, ts in by_role.items()
        for i, t in enumerate(ts)
    }
    same = min(float(emb["agent", 0] @ emb["agent", 1]), float(emb["caller", 0] @ emb["caller", 1]))
    cross = max(float(emb["agent", i] @ emb["caller", j]) for i in range(2) for j in range(2))
    assert all(abs(np.linalg.norm(v) - 1.0) < 1e-5 for v in emb.values())
    assert same > cross, (same, cross)


@needs_encoder
@pytest.mark.slow
def test_mono_sample_call_is_diarized_into_its_two_parties(encoder, sample_calls):
    call_dir = next(d for d in sample_calls if d.name == "c007-traffic-light")
    turns = EmbeddedDiarizer(encoder, max_speakers=3).diarize(read_mono(call_dir / "mono_16k.wav"))
    assert {t.speaker for t in turns} == {0, 1}
    truth = truth_of(call_dir)
    # Each reference turn's speech should lie mostly with one diarized speaker, the same for one role.
    agreed = total = 0.0
    role_speaker = {}
    for role in ("agent", "caller"):
        per = {s: sum(overlap_s(t.start_s, t.end_s, r["start_s"], r["end_s"]) for t in turns if t.speaker == s for r in truth if r["role"] == role) for s in (0, 1)}
        role_speaker[role] = max(per, key=per.get)
        agreed += per[role_speaker[role]]
        total += sum(per.values())
    assert role_speaker["agent"] != role_speaker["caller"]
    assert agreed / total > 0.9, agreed / total


def _word(t0: float, t1: float, text: str) -> Word:
    return Word(start_s=t0, end_s=t1, text=text, probability=0.9)


def test_a_segment_spanning_a_speaker_change_is_cut_between_words_by_time():
    # Whisper's segment runs over the turn change at 3.0 s; its words decide where it is cut.
    seg = Segment(
        speaker="unknown", start_s=1.0, end_s=4.4, text="请问还有其他问题吗没有了",
        words=(_word(1.0, 1.6, "请问"), _word(1.6, 2.2, "还有"), _word(2.2, 2.9, "其他问题吗"), _word(3.05, 3.6, "没有"), _word(3.6, 4.4, "了")),
    )
    turns = [SpeakerTurn(0.5, 3.0, 0), SpeakerTurn(3.0, 5.0, 1)]
    out = split_by_speaker([seg], turns)
    assert [(s.text, who) for s, who in out] == [("请问还有其他问题吗", 0), ("没有了", 1)]
    assert (out[0][0].start_s, out[0][0].end_s, out[1][0].start_s, out[1][0].end_s) == (1.0, 2.9, 3.05, 4.4)


def test_roles_come_from_the_agents_greeting_and_stay_unknown_without_evidence():
    greet = Segment(speaker="unknown", start_s=0.0, end_s=3.0, text="您好，12345热线，工号1001，很高兴为您服务")
    ask = Segment(speaker="unknown", start_s=3.5, end_s=6.0, text="我要投诉，我们小区半夜施工")
    # The caller is diarized as speaker 0 here: content, not index order, decides.
    sure = assign_roles([(greet, 1), (ask, 0)], min_confidence=0.6)
    assert sure.roles == {1: "agent", 0: "caller"} and sure.confidence > 0.9
    plain_a = Segment(speaker="unknown", start_s=0.0, end_s=3.0, text="嗯嗯好的")
    plain_b = Segment(speaker="unknown", start_s=3.5, end_s=6.0, text="对对是的")
    unsure = assign_roles([(plain_a, 0), (plain_b, 1)], min_confidence=0.6)
    assert unsure.roles == {0: "unknown", 1: "unknown"} and unsure.confidence < 0.6


@needs_encoder
@pytest.mark.slow
def test_transcriber_names_agent_and_caller_on_a_mono_call(sample_calls):
    call_dir = next(d for d in sample_calls if d.name == "c012-parking-fees-protest")
    meta = CallMeta(**json.loads((call_dir / "meta.json").read_text())).model_copy(update={"channel_layout": "mono", "agent_channel": None})
    with wave.open(str(call_dir / "mono_16k.wav"), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 1).copy()
        rate = w.getframerate()
    transcriber = Transcriber(AsrSettings(model_dir=prepare_whisper_model(REPO_MODEL_DIR)))
    tr = transcriber.transcribe_call(meta, pcm, rate)
    assert {s.speaker for s in tr.segments} == {"agent", "caller"}
    truth = truth_of(call_dir)
    right = wrong = 0.0
    for seg in tr.segments:
        for r in truth:
            o = overlap_s(seg.start_s, seg.end_s, r["start_s"], r["end_s"])
            right, wrong = (right + o, wrong) if r["role"] == seg.speaker else (right, wrong + o)
    assert wrong / (right + wrong) < 0.1, (right, wrong)
    first_agent = next(s for s in tr.segments if s.speaker == "agent")
    assert first_agent.start_s < 2.0, "the agent answers the call"
