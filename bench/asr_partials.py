"""What partial transcripts cost: CPU seconds and CER per call with partials off, on, and on with the final reusing them.

    .venv/bin/python -m bench.asr_partials [--calls c012-parking-fees-protest ...] [--interval 20] [--chunk 3]

Each call is streamed as the recorder would (``--chunk`` seconds per chunk); with partials on, a
partial is tried after every chunk as the ASR worker does (``PartialTranscripts``: due every
``--interval`` seconds of new audio, only the new audio decoded), then the final pass decodes the
whole call ("on", as with partials off) or only what the partials left ("reuse",
``asr.final_reuses_partials``). CPU seconds are the process's (all decoder threads), measured
with ``time.process_time``; wall seconds too. CER: the final transcript against truth.json (both
roles, text only, Traditional->Simplified and punctuation dropped; jiwer). The last line printed is one JSON object, also in
bench/results/asr_partials.json. Timings share 2 cores with whatever else runs: they are noisy.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
import wave
from pathlib import Path

import re

import jiwer
import numpy as np

from bench.report import emit
from hotline.asr.assembler import ArrivedAudio, AssembledCall, RecordPosition
from hotline.asr.model_files import prepare_whisper_model
from hotline.asr.partials import PartialTranscripts
from hotline.asr.text_cleanup import to_simplified
from hotline.asr.transcriber import Transcriber
from hotline.contracts import CallMeta
from hotline.settings import AsrSettings

log = logging.getLogger("bench.asr_partials")

REPO_ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = REPO_ROOT / "var" / "models" / "whisper-base"
SAMPLES_DIR = REPO_ROOT / "var" / "test-samples"
DEFAULT_CALLS = ("c012-parking-fees-protest", "c002-water-outage")


def read_call(call_dir: Path) -> tuple[CallMeta, np.ndarray, int]:
    with wave.open(str(call_dir / "stereo_8k.wav"), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, w.getnchannels()).astype(np.int16)
        rate = w.getframerate()
    return CallMeta(**json.loads((call_dir / "meta.json").read_text())), pcm, rate


def normalise(text: str) -> str:
    return re.sub(r"[^\w]|_", "", to_simplified(text))


def measure_call(transcriber: Transcriber, meta: CallMeta, pcm: np.ndarray, rate: int, interval_s: float | None, chunk_s: float,
                 reference: str, reuse: bool = False) -> dict:
    cpu0, wall0 = time.process_time(), time.perf_counter()
    partials = 0
    tracker = PartialTranscripts(transcriber, interval_s=interval_s or 1.0)
    if interval_s:
        step = int(chunk_s * rate)
        for end in range(step, len(pcm), step):  # the last chunk completes the call: no partial after it
            if tracker.due(meta.call_id, end, rate) and tracker.transcribe(ArrivedAudio(meta, pcm[:end], rate)) is not None:
                partials += 1
    partial_cpu = time.process_time() - cpu0
    if reuse:
        call = AssembledCall(meta, pcm, rate, incomplete=False, missing_seqs=(), last_position=RecordPosition("bench", 0, 0))
        final = tracker.finish(call)
    else:
        final = transcriber.transcribe_call(meta, pcm, rate)
    return {
        "cer": round(jiwer.cer(reference, normalise("".join(s.text for s in final.segments))), 4),
        "partials": partials,
        "cpu_s": round(time.process_time() - cpu0, 2),
        "partials_cpu_s": round(partial_cpu, 2),
        "wall_s": round(time.perf_counter() - wall0, 2),
        "final_processing_s": final.processing_s,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", nargs="*", default=list(DEFAULT_CALLS))
    ap.add_argument("--interval", type=float, default=20.0)
    ap.add_argument("--chunk", type=float, default=3.0)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    prepare_whisper_model(MODEL_DIR)
    transcriber = Transcriber(AsrSettings(model_dir=MODEL_DIR))
    rows = []
    for name in args.calls:
        meta, pcm, rate = read_call(SAMPLES_DIR / name)
        truth = json.loads((SAMPLES_DIR / name / "truth.json").read_text())
        reference = normalise("".join(t["text"] for t in truth["turns"]))
        off = measure_call(transcriber, meta, pcm, rate, None, args.chunk, reference)
        on = measure_call(transcriber, meta, pcm, rate, args.interval, args.chunk, reference)
        reuse = measure_call(transcriber, meta, pcm, rate, args.interval, args.chunk, reference, reuse=True)
        rows.append({"call": name, "duration_s": round(len(pcm) / rate, 1), "off": off, "on": on, "reuse": reuse,
                     "extra_cpu_s": round(on["cpu_s"] - off["cpu_s"], 2), "extra_cpu_s_reuse": round(reuse["cpu_s"] - off["cpu_s"], 2)})
        print(f"{name}: {rows[-1]['duration_s']}s audio; off {off['cpu_s']} CPU s CER {off['cer']}; on {on['cpu_s']} CPU s "
              f"({on['partials']} partials, {on['partials_cpu_s']} CPU s in them) CER {on['cer']}; reuse {reuse['cpu_s']} CPU s CER {reuse['cer']}",
              flush=True)
    total = {mode: sum(r[mode]["cpu_s"] for r in rows) for mode in ("off", "on", "reuse")}
    emit("asr_partials", {
        "interval_s": args.interval, "chunk_s": args.chunk, "calls": rows,
        "extra_cpu_s_per_call": round((total["on"] - total["off"]) / len(rows), 2),
        "cpu_ratio_on_over_off": round(total["on"] / total["off"], 2),
        "extra_cpu_s_per_call_reuse": round((total["reuse"] - total["off"]) / len(rows), 2),
        "cpu_ratio_reuse_over_off": round(total["reuse"] / total["off"], 2),
        "note": "process CPU seconds on 2 shared cores; noisy",
    })


if __name__ == "__main__":
    main()
