"""Sample-call generation: real synthesis through the TTS environment, checked against the scripts."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest
import yaml

from hotline.contracts import CallMeta
from devtools.samples.generate import make_samples
from devtools.samples.scripts import ScriptBook, load_scripts
from devtools.samples.tts import TtsRequest, synthesize_requests
from hotline.settings import SamplesSettings

REPO_ROOT = Path(__file__).resolve().parents[1]
TTS_PYTHON = REPO_ROOT / ".venv-tts" / "bin" / "python"
# Short calls that between them plant a long silence, a missing closing and a risk quote.
CALL_IDS = ("c007-traffic-light", "c012-parking-fees-protest")
WAV_FILES = {
    "stereo_16k.wav": (2, 16_000),
    "stereo_8k.wav": (2, 8_000),
    "mono_16k.wav": (1, 16_000),
    "mono_8k.wav": (1, 8_000),
}

needs_tts = pytest.mark.skipif(
    not TTS_PYTHON.is_file(), reason=f"TTS environment absent ({TTS_PYTHON}); build it with ops/setup_tts.sh"
)


def read_wav(path: Path) -> tuple[np.ndarray, int, int]:
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2, f"{path.name} is not 16-bit PCM"
        n, rate = w.getnchannels(), w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2")
    return pcm.reshape(-1, n).T.astype(np.float32) / 32768.0, rate, n


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2))) if x.size else 0.0


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[SamplesSettings, list[Path]]:
    if not TTS_PYTHON.is_file():
        pytest.skip(f"TTS environment absent ({TTS_PYTHON}); build it with ops/setup_tts.sh")
    out = tmp_path_factory.mktemp("samples")
    cfg = SamplesSettings(out_dir=out, tts_python=TTS_PYTHON)
    return cfg, make_samples(cfg, only=CALL_IDS, progress=False)


def scripts_by_id() -> dict:
    return {c.call_id: c for c in load_scripts().calls}


@needs_tts
def test_writes_one_folder_per_selected_call_with_all_files(generated):
    cfg, dirs = generated
    assert [d.name for d in dirs] == list(CALL_IDS)
    for d in dirs:
        assert d.parent == cfg.out_dir
        durations = []
        for name, (channels, rate) in WAV_FILES.items():
            audio, got_rate, got_channels = read_wav(d / name)
            assert (got_channels, got_rate) == (channels, rate), name
            durations.append(audio.shape[1] / rate)
        assert max(durations) - min(durations) < 0.002
        assert 25.0 <= durations[0] <= 70.0


@needs_tts
def test_meta_is_callmeta_without_source_uri(generated):
    _, dirs = generated
    for d in dirs:
        meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
        assert set(meta) == set(CallMeta.model_fields) - {"source_uri"}
        parsed = CallMeta.model_validate(meta)
        assert parsed.call_id == d.name
        assert parsed.centre_id == "centre-01"
        assert parsed.channel_layout == "stereo" and parsed.agent_channel == 0
        assert parsed.started_at.utcoffset() is not None


@needs_tts
def test_truth_turns_are_the_script_in_order_inside_the_audio(generated):
    _, dirs = generated
    scripts = scripts_by_id()
    for d in dirs:
        truth = json.loads((d / "truth.json").read_text(encoding="utf-8"))
        audio, rate, _ = read_wav(d / "stereo_16k.wav")
        duration = audio.shape[1] / rate
        script = scripts[d.name]
        assert [(t["role"], t["text"]) for t in truth["turns"]] == [(t.role, t.text) for t in script.turns]
        starts = [t["start_s"] for t in truth["turns"]]
        assert starts == sorted(starts)
        for t in truth["turns"]:
            assert 0.0 <= t["start_s"] < t["end_s"] <= duration
        assert truth["duration_s"] == pytest.approx(duration, abs=0.002)


@needs_tts
def test_each_party_speaks_on_its_own_channel(generated):
    _, dirs = generated
    for d in dirs:
        truth = json.loads((d / "truth.json").read_text(encoding="utf-8"))
        audio, rate, _ = read_wav(d / "stereo_16k.wav")
        turns = truth["turns"]
        for i, turn in enumerate(turns):
            # Judge only the part of the turn that no neighbouring turn overlaps.
            start = max([turn["start_s"]] + [t["end_s"] for t in turns[:i]])
            end = min([turn["end_s"]] + [t["start_s"] for t in turns[i + 1 :]])
            assert end - start > 0.2, f"turn {i} of {d.name} is almost entirely overlapped"
            span = slice(int(start * rate), int(end * rate))
            own, other = (0, 1) if turn["role"] == "agent" else (1, 0)
            assert rms(audio[own, span]) > 10 * rms(audio[other, span]), f"{d.name} turn {i} ({turn['role']})"
            assert rms(audio[own, span]) > 0.02


@needs_tts
def test_mono_is_the_sum_of_the_channels(generated):
    _, dirs = generated
    for d in dirs:
        stereo, _, _ = read_wav(d / "stereo_16k.wav")
        mono, _, _ = read_wav(d / "mono_16k.wav")
        scale = min(1.0, 0.98 / float(np.abs(stereo.sum(axis=0)).max()))
        assert np.abs(mono[0] - scale * stereo.sum(axis=0)).max() < 3 / 32768


@needs_tts
def test_truth_lists_the_planted_defects_and_risks(generated):
    _, dirs = generated
    scripts = scripts_by_id()
    for d in dirs:
        truth = json.loads((d / "truth.json").read_text(encoding="utf-8"))
        script = scripts[d.name]
        assert truth["defects"] == list(script.defects)
        assert truth["risks"] == [r.kind for r in script.risks]
        for quote in truth["risk_quotes"]:
            holders = [t for t in truth["turns"] if t["role"] == "caller" and quote["quote"] in t["text"]]
            assert [(t["start_s"], t["end_s"]) for t in holders] == [(quote["start_s"], quote["end_s"])]
        audio, rate, _ = read_wav(d / "stereo_16k.wav")
        turns = truth["turns"]
        gaps = [(b["start_s"] - a["end_s"], a, b) for a, b in zip(turns, turns[1:])]
        long_gaps = [(g, a, b) for g, a, b in gaps if g > 10.0]
        if "long_silence" in truth["defects"]:
            assert long_gaps and all(b["role"] == "agent" for _, _, b in long_gaps)
            _, before, after = long_gaps[0]
            silence = audio[:, int(before["end_s"] * rate) : int(after["start_s"] * rate)]
            assert rms(silence) < 0.003
        else:
            assert not long_gaps
        if "closing" in truth["defects"]:
            assert "再见" not in [t for t in turns if t["role"] == "agent"][-1]["text"]


@needs_tts
def test_second_run_is_byte_identical(generated):
    cfg, dirs = generated
    before = {p: p.read_bytes() for d in dirs for p in sorted(d.iterdir())}
    again = make_samples(cfg, only=CALL_IDS, progress=False)
    assert again == dirs
    assert {p: p.read_bytes() for d in again for p in sorted(d.iterdir())} == before


@needs_tts
def test_synthesis_is_deterministic_without_the_cache(tmp_path):
    request = TtsRequest(text="跟您确认一下，地址是江北区临江路八十八号，对吗？")
    first = synthesize_requests([request], tmp_path / "a", TTS_PYTHON, progress=False)[request]
    second = synthesize_requests([request], tmp_path / "b", TTS_PYTHON, progress=False)[request]
    assert first != second and first.read_bytes() == second.read_bytes()
    with wave.open(str(first)) as w:
        assert w.getframerate() == 24_000 and w.getnframes() > 24_000


def test_scripts_cover_the_brief():
    book = load_scripts()
    calls = book.calls
    assert 10 <= len(calls) <= 14
    assert {c.subcategory for c in calls} >= {"夜间施工噪音", "停水", "停电", "拖欠工资", "社保", "物业", "交通", "入学", "表扬"}
    planted = {d for c in calls for d in c.defects}
    assert planted == {"greeting", "closing", "forbidden_phrase", "address_repeat", "long_silence"}
    assert {r.kind for c in calls for r in c.risks} == {"self_harm", "violence_threat", "mass_gathering"}
    assert any(not c.defects and not c.risks for c in calls)
    assert {a.team_id for a in book.agents.values()} == {"team-01", "team-02"} and len(book.agents) == 4
    assert len({c.started_at.date() for c in calls}) >= 3


def test_a_truth_that_contradicts_the_dialogue_is_rejected():
    raw = yaml.safe_load((REPO_ROOT / "devtools" / "samples" / "scripts.yaml").read_text(encoding="utf-8"))
    call = next(c for c in raw["calls"] if c["call_id"] == "c002-water-outage")
    call["defects"] = []  # its agent answers "喂，请讲。": the missing greeting is planted
    with pytest.raises(ValueError, match="greeting"):
        ScriptBook.model_validate(raw)
    call["defects"] = ["greeting"]
    call["turns"][1]["caller"] = "我家停水了，水管编号是A12。"
    with pytest.raises(ValueError, match="spoken Chinese form"):
        ScriptBook.model_validate(raw)


def test_selection_rejects_unknown_ids_and_limit_zero_needs_no_tts(tmp_path):
    cfg = SamplesSettings(out_dir=tmp_path, tts_python=tmp_path / "missing-python")
    with pytest.raises(ValueError, match="unknown call ids"):
        make_samples(cfg, only=["no-such-call"], progress=False)
    assert make_samples(cfg, limit=0, progress=False) == []
