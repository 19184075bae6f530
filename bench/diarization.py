"""Mono diarization benchmark: DER (pyannote.metrics) of the configured separator's diarizer, and its speed.

    .venv/bin/python -m bench.diarization [--method embedded|pyannote] [--data DIR] [--samples DIR] [--sample-calls N]

Files, each scored as recorded (16 kHz mono) and through a telephone band:
- the project's 12 sample calls (``mono_16k.wav``, reference turns from ``truth.json``, two
  parties); "tel": band-limited to 300-3400 Hz at 8 kHz (bench.asr.to_telephone) and back to 16 kHz.
- ``DATA/diarization_mixes`` (evaluation only, skipped when absent): the two-party mixes
  (``conv_real_aishell_2spk``, ``conv_espeak_2spk``) and the four-speaker one, with their
  ``_tel`` versions (band-pass, 8 kHz, white noise at 15 dB SNR).

Figures (last line printed is one JSON object, also in bench/results/diarization[-METHOD].json):
- der_mono_2party: DER over all two-party files at 16 kHz (sample calls + two-party mixes), total
  error seconds over total reference seconds, collar 0.25 s, overlapped speech scored;
  der_mono_2party_tel: the same through the telephone band; per-file detail with missed speech,
  false alarm and confusion, collar 0 and 0.25 s.
- der_sample_calls / der_mixes: the two groups apart; n_speakers_found per file.
- rtf_separator: diarizer seconds per audio second (VAD + embeddings + clustering, no ASR).
- with ``--roles``: role_error_mono: the whole mono path (Whisper base, this diarizer, role
  assignment from content) on the sample calls' mono_16k.wav: share of reference speech given the
  wrong role (bench.asr.role_error: pyannote.metrics confusion, 0.25 s collar; "unknown" counts
  as wrong), and role_unknown_calls: calls whose roles stayed "unknown".

Timings share 2 cores with whatever else runs; they are noisy.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
import warnings
import wave
from pathlib import Path

import numpy as np

from bench.report import DEFAULT_DATA, emit, peak_rss_mb
from hotline.asr.diarization import SpeakerTurn
from hotline.asr.resample import resample_channel

log = logging.getLogger("bench.diarization")

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO_ROOT / "var" / "bench-samples"
COLLAR_S = 0.25
MIX_NAMES = ("conv_real_aishell_2spk", "conv_espeak_2spk", "conv_real_4spk")


def read_mono_16k(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        rate, channels = w.getframerate(), w.getnchannels()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, channels)
    return resample_channel(pcm[:, 0], rate)


def telephone_16k(audio_16k: np.ndarray) -> np.ndarray:
    from bench.asr import to_telephone

    pcm = np.clip(audio_16k * 32767, -32768, 32767).astype(np.int16)
    tel, rate = to_telephone(pcm.reshape(-1, 1), 16000)
    return resample_channel(tel.reshape(-1), rate)


def score(ref: list[tuple[float, float, str]], hyp: list[SpeakerTurn], collar: float) -> dict:
    from pyannote.core import Annotation
    from pyannote.core import Segment as Span
    from pyannote.metrics.diarization import DiarizationErrorRate

    r, h = Annotation(), Annotation()
    for i, (start, end, who) in enumerate(ref):
        r[Span(start, end), i] = who
    for i, t in enumerate(hyp):
        if t.end_s > t.start_s:
            h[Span(t.start_s, t.end_s), i] = f"spk{t.speaker}"
    d = DiarizationErrorRate(collar=collar)(r, h, detailed=True)
    return {k: round(float(d[k]), 3) for k in ("missed detection", "false alarm", "confusion", "total")}


def list_files(samples: list[Path] | None, data: Path) -> list[dict]:
    files = []
    for call_dir in samples or []:
        truth = json.loads((call_dir / "truth.json").read_text())
        ref = [(t["start_s"], t["end_s"], t["role"]) for t in truth["turns"]]
        files.append({"name": call_dir.name, "group": "sample_calls", "path": call_dir / "mono_16k.wav", "ref": ref, "speakers": 2, "tel": None})
    mixes = data / "diarization_mixes"
    if mixes.is_dir():
        for name in MIX_NAMES:
            if not (mixes / f"{name}.wav").is_file():
                continue
            ref_json = json.loads((mixes / f"{name}.ref.json").read_text())
            ref = [(s["start"], s["end"], s["speaker"]) for s in ref_json["segments"]]
            files.append({"name": name, "group": "mixes", "path": mixes / f"{name}.wav", "ref": ref,
                          "speakers": len(ref_json["speakers"]), "tel": mixes / f"{name}_tel.wav"})
    else:
        log.warning("%s absent: mixes skipped", mixes)
    return files


def build_diarizer(method: str, max_speakers: int):
    from hotline.asr.speakers import build_diarizer as build
    from hotline.settings import AsrSettings

    return build(AsrSettings(diarization=method, max_speakers=max_speakers))


def run(method: str, samples: list[Path] | None, data: Path, max_speakers: int, variants: tuple[str, ...] = ("16k", "tel")) -> dict:
    diarizer = build_diarizer(method, max_speakers)
    files = list_files(samples, data)
    detail: dict = {}
    totals: dict = {}
    audio_s = proc_s = 0.0
    for f in files:
        clean = read_mono_16k(f["path"])
        for variant in variants:
            if variant == "16k":
                audio = clean
            else:
                audio = read_mono_16k(f["tel"]) if f["tel"] else telephone_16k(clean)
            started = time.perf_counter()
            hyp = diarizer.diarize(audio)
            spent = time.perf_counter() - started
            audio_s += len(audio) / 16000
            proc_s += spent
            found = len({t.speaker for t in hyp})
            s0, s25 = score(f["ref"], hyp, 0.0), score(f["ref"], hyp, COLLAR_S)
            detail[f"{f['name']}:{variant}"] = {
                "der": _rate(s25), "der_collar0": _rate(s0), "missed_s": s25["missed detection"],
                "false_alarm_s": s25["false alarm"], "confusion_s": s25["confusion"],
                "speakers_ref": f["speakers"], "speakers_found": found, "rtf": round(spent / (len(audio) / 16000), 4),
            }
            log.info("%s:%s DER %.3f (%d speakers found)", f["name"], variant, _rate(s25), found)
            keys = [f"{f['group']}:{variant}"]
            if f["speakers"] == 2:
                keys.append(f"2party:{variant}")
            for key in keys:
                acc = totals.setdefault(key, [0.0, 0.0])
                acc[0] += s25["missed detection"] + s25["false alarm"] + s25["confusion"]
                acc[1] += s25["total"]

    def der(key: str) -> float | None:
        acc = totals.get(key)
        return round(acc[0] / acc[1], 4) if acc and acc[1] else None

    return {
        "method": method,
        "der_mono_2party": der("2party:16k"),
        "der_mono_2party_tel": der("2party:tel"),
        "der_sample_calls": der("sample_calls:16k"),
        "der_sample_calls_tel": der("sample_calls:tel"),
        "der_mixes": der("mixes:16k"),
        "der_mixes_tel": der("mixes:tel"),
        "rtf_separator": round(proc_s / audio_s, 4) if audio_s else None,
        "audio_s": round(audio_s, 1),
        "collar_s": COLLAR_S,
        "detail": detail,
    }


def run_roles(method: str, samples: list[Path], max_speakers: int) -> dict:
    from bench.asr import MODEL_DIR, read_wav, role_error
    from hotline.asr.model_files import prepare_whisper_model
    from hotline.asr.transcriber import Transcriber
    from hotline.contracts import CallMeta
    from hotline.settings import AsrSettings

    transcriber = Transcriber(AsrSettings(model_dir=prepare_whisper_model(MODEL_DIR), diarization=method, max_speakers=max_speakers))
    confused = total = 0.0
    unknown = []
    for call_dir in samples:
        meta = CallMeta(**json.loads((call_dir / "meta.json").read_text())).model_copy(update={"channel_layout": "mono", "agent_channel": None})
        turns = json.loads((call_dir / "truth.json").read_text())["turns"]
        pcm, rate = read_wav(call_dir / "mono_16k.wav")
        tr = transcriber.transcribe_call(meta, pcm, rate)
        c, t = role_error(tr, turns)
        confused, total = confused + c, total + t
        if not {s.speaker for s in tr.segments} & {"agent", "caller"}:
            unknown.append(call_dir.name)
        log.info("%s: roles wrong for %.1f of %.1f s", call_dir.name, c, t)
    return {"role_error_mono": round(confused / total, 4) if total else None, "role_unknown_calls": unknown}


def der_mono_2party(samples: list[Path] | None, data: Path = DEFAULT_DATA) -> float | None:
    """The default separator's DER on the two-party mono files (the figure bench.asr reports)."""
    if not samples and not (data / "diarization_mixes").is_dir():
        return None
    return run("embedded", samples, data, max_speakers=3, variants=("16k",))["der_mono_2party"]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="bench.diarization", description=__doc__.split("\n\n")[0])
    parser.add_argument("--method", choices=("embedded", "pyannote"), default="embedded")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared evaluation data (diarization_mixes)")
    parser.add_argument("--samples", type=Path, default=SAMPLES_DIR, help="where the 12 sample calls are generated/cached")
    parser.add_argument("--max-speakers", type=int, default=3, help="as asr.max_speakers: 2 plus an evident third voice")
    parser.add_argument("--roles", action="store_true", help="also transcribe the mono sample calls and score their roles")
    parser.add_argument("--sample-calls", type=int, default=0, help="score only the first N sample calls (0: all); pyannote on 1 thread is slow")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", message="'uem' was approximated", category=UserWarning)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)

    from bench.asr import load_sample_calls

    samples = load_sample_calls(args.samples)
    if samples and args.sample_calls > 0:
        samples = samples[: args.sample_calls]
    result = run(args.method, samples, args.data, args.max_speakers)
    if args.roles and samples:
        result.update(run_roles(args.method, samples, args.max_speakers))
    result["peak_rss_mb"] = peak_rss_mb()
    return emit("diarization" if args.method == "embedded" else f"diarization-{args.method}", result)


def _rate(s: dict) -> float:
    return round((s["missed detection"] + s["false alarm"] + s["confusion"]) / s["total"], 4) if s["total"] else 0.0


if __name__ == "__main__":
    main()
