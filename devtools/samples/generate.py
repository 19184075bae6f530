"""Generate the sample calls: stereo/mono WAVs at 16 and 8 kHz, recorder metadata and ground truth.

One folder per call, ``<out_dir>/<call_id>/``:

- ``stereo_16k.wav``, ``stereo_8k.wav``: agent on channel 0 (left), caller on channel 1 (right)
- ``mono_16k.wav``, ``mono_8k.wav``: the two channels summed
- ``meta.json``: the fields of ``hotline.contracts.CallMeta`` except ``source_uri``
- ``truth.json``: turns with times, category, address, department, planted defects, caller
  sentiment and risk quotes (see devtools/samples/README.md)

Output is deterministic: the layout's random numbers are seeded from the call id, and the
synthesized utterances are cached under ``<out_dir>/.tts_cache/``.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from hotline.contracts import CallMeta
from hotline.settings import SamplesSettings

from .resample import resample_audio
from .scripts import CallScript, ScriptBook, load_scripts
from .timeline import AGENT_CHANNEL, CallAudio, lay_out_call, mix_to_mono
from .tts import TTS_SAMPLE_RATE_HZ, TtsRequest, synthesize_requests
from .voices import AGENT_VOICE, CALLER_VOICE, Voice, render_voice
from .wavfile import read_wav, write_wav

log = logging.getLogger(__name__)

RATE_16K = 16_000
RATE_8K = 8_000
CACHE_DIR_NAME = ".tts_cache"
_VOICES: dict[str, Voice] = {"agent": AGENT_VOICE, "caller": CALLER_VOICE}


def make_samples(
    cfg: SamplesSettings,
    out_dir: Path | None = None,
    limit: int | None = None,
    only: Sequence[str] | None = None,
    progress: bool = True,
) -> list[Path]:
    """Write the scripted sample calls; returns one directory per call, in script order.

    ``limit`` keeps the first N scripts (after ``only``); ``only`` selects call ids.
    Needs the TTS environment (``cfg.tts_python``, built by ops/setup_tts.sh) unless every
    utterance is already cached.
    """
    out_dir = Path(out_dir if out_dir is not None else cfg.out_dir)
    book = load_scripts()
    calls = _select(book, limit, only)
    requests = [_VOICES[t.role].request(t.text) for call in calls for t in call.turns]
    tts_paths = synthesize_requests(requests, out_dir / CACHE_DIR_NAME, cfg.tts_python, progress=progress)
    written = []
    for call in tqdm(calls, desc="writing calls", unit="call", disable=not progress):
        written.append(_write_call(book, call, tts_paths, out_dir / call.call_id))
    log.info("wrote %d sample calls under %s", len(written), out_dir)
    return written


def _select(book: ScriptBook, limit: int | None, only: Sequence[str] | None) -> list[CallScript]:
    calls = list(book.calls)
    if only:
        known = {c.call_id for c in calls}
        unknown = sorted(set(only) - known)
        if unknown:
            raise ValueError(f"unknown call ids {unknown}; known: {sorted(known)}")
        calls = [c for c in calls if c.call_id in set(only)]
    if limit is not None:
        calls = calls[: max(limit, 0)]
    return calls


def _write_call(book: ScriptBook, call: CallScript, tts_paths: dict[TtsRequest, Path], call_dir: Path) -> Path:
    clips = []
    for turn in call.turns:
        voice = _VOICES[turn.role]
        path = tts_paths[voice.request(turn.text)]
        tts_audio, rate = read_wav(path)
        if rate != TTS_SAMPLE_RATE_HZ:
            raise ValueError(f"{path}: cached utterance at {rate} Hz, expected {TTS_SAMPLE_RATE_HZ}; delete the cache")
        clips.append(render_voice(tts_audio[0], voice, RATE_16K))
    rng = np.random.default_rng(zlib.crc32(call.call_id.encode("utf-8")))
    audio = lay_out_call(
        [t.role for t in call.turns], clips, [t.pause_before_s for t in call.turns], RATE_16K, rng
    )
    call_dir.mkdir(parents=True, exist_ok=True)
    stereo_8k = resample_audio(audio.channels, RATE_16K, RATE_8K)
    write_wav(call_dir / "stereo_16k.wav", audio.channels, RATE_16K)
    write_wav(call_dir / "stereo_8k.wav", stereo_8k, RATE_8K)
    write_wav(call_dir / "mono_16k.wav", mix_to_mono(audio.channels), RATE_16K)
    write_wav(call_dir / "mono_8k.wav", mix_to_mono(stereo_8k), RATE_8K)
    _write_json(call_dir / "meta.json", _meta(book, call))
    _write_json(call_dir / "truth.json", _truth(call, audio))
    return call_dir


def _meta(book: ScriptBook, call: CallScript) -> dict:
    meta = CallMeta(
        call_id=call.call_id,
        centre_id=book.centre_id,
        team_id=book.agents[call.agent_id].team_id,
        agent_id=call.agent_id,
        caller_number=call.caller_number,
        started_at=call.started_at,
        channel_layout="stereo",
        agent_channel=AGENT_CHANNEL,
    )
    return meta.model_dump(mode="json", exclude={"source_uri"})


def _truth(call: CallScript, audio: CallAudio) -> dict:
    turns = [
        {"role": t.role, "text": t.text, "start_s": round(p.start_s, 3), "end_s": round(p.end_s, 3)}
        for t, p in zip(call.turns, audio.turns)
    ]
    risk_quotes = []
    for risk in call.risks:
        turn = next(t for t in turns if t["role"] == "caller" and risk.quote in t["text"])
        risk_quotes.append({"kind": risk.kind, "quote": risk.quote, "start_s": turn["start_s"], "end_s": turn["end_s"]})
    return {
        "call_id": call.call_id,
        "duration_s": round(audio.duration_s, 3),
        "turns": turns,
        "category": call.category,
        "subcategory": call.subcategory,
        "district": call.district,
        "street": call.street,
        "address": call.address,
        "department": call.department,
        "defects": list(call.defects),
        "caller_sentiment": call.caller_sentiment,
        "risks": [r.kind for r in call.risks],
        "risk_quotes": risk_quotes,
    }


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
