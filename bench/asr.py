"""ASR benchmark: CER on real Mandarin clips (16 kHz and telephone 8 kHz), CER and role error on the
project's sample calls, realtime factor, speed against plain faster-whisper, peak memory.

    .venv/bin/python -m bench.asr [--data DIR] [--samples DIR] [--speed-calls N]

Figures (the last line printed is one JSON object, also in bench/results/asr.json):
- cer_real_clips: corpus CER (total edits / total reference characters, jiwer) over
  ``DATA/mandarin_asr_samples`` (10-odd real clips, evaluation only, never copied into the repo);
  cer_real_clips_8k: the same clips band-limited to 300-3400 Hz and resampled to 8 kHz, then fed
  through the stage's own 8 kHz path. Null when ``DATA`` is absent.
- cer_sample_calls: corpus CER of the 12 scripted sample calls (stereo_16k), both roles;
  role_error_dual_channel: pyannote.metrics IdentificationErrorRate's confusion share (speech
  attributed to the wrong role, labels compared as they are, 0.25 s collar) on the same calls.
- der_mono_2party: DER (pyannote.metrics, collar 0.25 s) of the default mono diarizer on the sample
  calls' mono_16k.wav and DATA/diarization_mixes' two-party mixes (bench.diarization, which also
  scores the telephone band and the pyannote extra).
- rtf_cpu: processing seconds per audio second (call duration) with the stage's CPU default;
  speedup_vs_plain_faster_whisper: plain sequential faster-whisper (one model, cpu_threads=2,
  the stage's decoding options, channel after channel) over the stage on the first N sample
  calls, each call timed with both back to back; both CERs on those calls are reported too.
- peak_rss_mb: peak resident memory of the stage path (measured before the plain model loads).

Scoring normalisation, applied to reference and hypothesis alike: OpenCC Traditional->Simplified;
everything but letters and digits dropped; 幺->一 and 两->二 (how the numbers are spoken, not
which character is written); digit runs written as Chinese numerals: a run of five or more
digits, one starting with 0, or one followed by 年 (phone numbers, ids, years) is read digit by
digit (13800 -> 一三八零零), a shorter run as a cardinal number (12 -> 十二, 105 -> 一百零五),
and a decimal point between digits as 点.

Timings share 2 cores with whatever else runs; they are noisy.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import time
import warnings
import unicodedata
import wave
from pathlib import Path

import av
import jiwer
import numpy as np

from bench.report import DEFAULT_DATA, emit, peak_rss_mb
from hotline.asr.model_files import prepare_whisper_model
from hotline.asr.numbers import ID_CUES
from hotline.asr.resample import resample_channel
from hotline.asr.text_cleanup import to_simplified
from hotline.asr.transcriber import Transcriber
from hotline.contracts import CallMeta, TranscriptReady
from hotline.settings import AsrSettings, SamplesSettings

log = logging.getLogger("bench.asr")

REPO_ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = REPO_ROOT / "var" / "models" / "whisper-base"
SAMPLES_DIR = REPO_ROOT / "var" / "bench-samples"
TTS_PYTHON = REPO_ROOT / ".venv-tts" / "bin" / "python"
TELEPHONE_BAND_HZ = (300.0, 3400.0)
ROLE_COLLAR_S = 0.25

_DIGIT_NAMES = "零一二三四五六七八九"
_SPOKEN = str.maketrans({"幺": "一", "两": "二"})
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _cardinal(n: int) -> str:
    """0..9999 as read aloud: 10 -> 十, 12 -> 十二, 105 -> 一百零五, 2000 -> 二千."""
    if n == 0:
        return "零"
    out, pending_zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if pending_zero:
                out += "零"
            # 十二, not 一十二, at the start of a number.
            out += ("" if (unit == "十" and digit == 1 and not out) else _DIGIT_NAMES[digit]) + unit
            pending_zero = False
        elif out:
            pending_zero = True
    return out


def _spell_number(match: re.Match, text: str) -> str:
    whole, _, frac = match.group(0).partition(".")
    after = text[match.end() : match.end() + 1]
    # Read digit by digit the way numbers.py writes them: staff/phone numbers after their cue
    # word (工号1001 = 工号幺零零幺) and room numbers (501室 = 五零一室).
    digit_by_digit = (
        len(whole) >= 5 or (len(whole) > 1 and whole[0] == "0") or after == "年"
        or (len(whole) > 1 and (text[: match.start()].endswith(ID_CUES) or after in ("室", "房")))
    )
    head = "".join(_DIGIT_NAMES[int(d)] for d in whole) if digit_by_digit else _cardinal(int(whole))
    return head + ("点" + "".join(_DIGIT_NAMES[int(d)] for d in frac) if frac else "")


def normalise_for_cer(text: str) -> str:
    """The scoring form of a transcript (see the module docstring)."""
    text = unicodedata.normalize("NFKC", to_simplified(text))
    text = _NUMBER.sub(lambda m: _spell_number(m, text), text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in ("L", "N")).translate(_SPOKEN).lower()


def corpus_cer(refs: list[str], hyps: list[str]) -> float | None:
    pairs = [(normalise_for_cer(r), normalise_for_cer(h)) for r, h in zip(refs, hyps)]
    pairs = [(r, h) for r, h in pairs if r]
    if not pairs:
        return None
    # jiwer over the pairs as one corpus: total edits over total reference characters.
    return round(jiwer.cer([r for r, _ in pairs], [h for _, h in pairs]), 4)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, w.getnchannels())
        return pcm.astype(np.int16), w.getframerate()


def to_telephone(pcm: np.ndarray, rate_hz: int) -> tuple[np.ndarray, int]:
    """One channel band-limited to 300-3400 Hz (FFT mask) and resampled to 8 kHz by FFmpeg, int16."""
    x = pcm[:, 0].astype(np.float64)
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1.0 / rate_hz)
    spectrum[(freqs < TELEPHONE_BAND_HZ[0]) | (freqs > TELEPHONE_BAND_HZ[1])] = 0
    band = np.clip(np.fft.irfft(spectrum, n=len(x)), -32768, 32767).astype(np.int16)
    resampler = av.AudioResampler(format="s16", layout="mono", rate=8000)
    frame = av.AudioFrame.from_ndarray(band.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate_hz
    pieces = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    pieces += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(pieces).astype(np.int16).reshape(-1, 1), 8000


def _mono_meta(call_id: str) -> CallMeta:
    return CallMeta(
        call_id=re.sub(r"[^A-Za-z0-9_.:-]", "_", call_id)[:128], centre_id="bench", team_id="bench", agent_id="bench",
        started_at="2025-01-01T00:00:00+08:00", channel_layout="mono",
    )


def bench_real_clips(transcriber: Transcriber, data: Path) -> dict:
    root = data / "mandarin_asr_samples"
    manifest = root / "manifest.jsonl"
    if not manifest.is_file():
        log.warning("no %s: real-clip CER skipped", manifest)
        return {"cer_real_clips": None, "cer_real_clips_8k": None}
    clips = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    refs, hyps16, hyps8, audio_s, proc_s, per_clip = [], [], [], 0.0, 0.0, {}
    for clip in clips:
        pcm, rate = read_wav(root / clip["wav"])
        meta = _mono_meta(clip["key"])
        tr16 = transcriber.transcribe_call(meta, pcm, rate)
        tr8 = transcriber.transcribe_call(meta, *to_telephone(pcm, rate))
        hyp16, hyp8 = _text(tr16), _text(tr8)
        refs.append(clip["text"]), hyps16.append(hyp16), hyps8.append(hyp8)
        audio_s += tr16.duration_s
        proc_s += tr16.processing_s
        per_clip[clip["key"]] = {"quality": clip.get("reference_quality"), "cer": corpus_cer([clip["text"]], [hyp16]), "cer_8k": corpus_cer([clip["text"]], [hyp8]), "hyp": hyp16, "hyp_8k": hyp8}
        log.info("%s: %s | %s", clip["key"], normalise_for_cer(clip["text"]), normalise_for_cer(hyp16))
    gold = [i for i, c in enumerate(clips) if str(c.get("reference_quality", "")).startswith("gold")]
    return {
        "cer_real_clips": corpus_cer(refs, hyps16),
        "cer_real_clips_8k": corpus_cer(refs, hyps8),
        "cer_real_clips_gold_refs": corpus_cer([refs[i] for i in gold], [hyps16[i] for i in gold]),
        "real_clips": len(clips),
        "real_clips_audio_s": round(audio_s, 1),
        "rtf_real_clips": round(proc_s / audio_s, 4) if audio_s else None,
        "real_clips_detail": per_clip,
    }


def _text(tr: TranscriptReady, role: str | None = None) -> str:
    return "".join(s.text for s in tr.segments if role is None or s.speaker == role)


def load_sample_calls(samples_dir: Path) -> list[Path] | None:
    try:
        from devtools.samples.generate import make_samples

        return make_samples(SamplesSettings(out_dir=samples_dir, tts_python=TTS_PYTHON), progress=False)
    except Exception as exc:  # noqa: BLE001 - no TTS environment and no cache: report null, not a crash
        log.warning("sample calls unavailable (%s): sample-call figures skipped", exc)
        return None


def role_error(tr: TranscriptReady, turns: list[dict]) -> tuple[float, float]:
    """(confused seconds, reference seconds): speech given the wrong role, pyannote.metrics."""
    from pyannote.core import Annotation
    from pyannote.core import Segment as Span
    from pyannote.metrics.identification import IdentificationErrorRate

    ref, hyp = Annotation(), Annotation()
    for t in turns:
        ref[Span(t["start_s"], t["end_s"])] = t["role"]
    for i, s in enumerate(tr.segments):
        if s.end_s > s.start_s:
            hyp[Span(s.start_s, s.end_s), i] = s.speaker
    detail = IdentificationErrorRate(collar=ROLE_COLLAR_S)(ref, hyp, detailed=True)
    return detail["confusion"], detail["total"]


def bench_sample_calls(transcriber: Transcriber, calls: list[Path]) -> tuple[dict, list[tuple[Path, TranscriptReady]]]:
    refs, hyps, confused, total, audio_s, proc_s, done = [], [], 0.0, 0.0, 0.0, 0.0, []
    detail = {}
    for call_dir in calls:
        meta = CallMeta(**json.loads((call_dir / "meta.json").read_text()))
        truth = json.loads((call_dir / "truth.json").read_text())
        pcm, rate = read_wav(call_dir / "stereo_16k.wav")
        tr = transcriber.transcribe_call(meta, pcm, rate)
        done.append((call_dir, tr))
        for role in ("agent", "caller"):
            refs.append("".join(t["text"] for t in truth["turns"] if t["role"] == role))
            hyps.append(_text(tr, role))
        c, t = role_error(tr, truth["turns"])
        confused, total = confused + c, total + t
        audio_s += tr.duration_s
        proc_s += tr.processing_s
        detail[call_dir.name] = {"cer": corpus_cer(refs[-2:], hyps[-2:]), "role_confusion_s": round(c, 2), "rtf": round(tr.processing_s / tr.duration_s, 3)}
        log.info("%s: cer %.3f, %.1fs audio in %.1fs", call_dir.name, detail[call_dir.name]["cer"], tr.duration_s, tr.processing_s)
    return {
        "cer_sample_calls": corpus_cer(refs, hyps),
        "role_error_dual_channel": round(confused / total, 4) if total else None,
        "rtf_cpu": round(proc_s / audio_s, 4) if audio_s else None,
        "sample_calls": len(calls),
        "sample_calls_audio_s": round(audio_s, 1),
        "sample_calls_detail": detail,
    }, done


def bench_plain(cfg: AsrSettings, transcriber: Transcriber, done: list[tuple[Path, TranscriptReady]]) -> dict:
    """Plain faster-whisper on the same calls: one model, all threads, one channel after the other.

    The stage transcribes each call again right before the plain run, so both see similar load.
    """
    from faster_whisper import WhisperModel

    model = WhisperModel(str(cfg.model_dir), device="cpu", compute_type="int8", cpu_threads=cfg.cpu_threads, local_files_only=True)
    plain_s = stage_s = 0.0
    refs, plain_hyps, stage_hyps = [], [], []
    for call_dir, _ in done:
        truth = json.loads((call_dir / "truth.json").read_text())
        meta = json.loads((call_dir / "meta.json").read_text())
        pcm, rate = read_wav(call_dir / "stereo_16k.wav")
        tr = transcriber.transcribe_call(CallMeta(**meta), pcm, rate)
        started = time.perf_counter()
        texts = {}
        for channel in (0, 1):
            segments, _ = model.transcribe(
                resample_channel(pcm[:, channel], rate), language=cfg.language, beam_size=cfg.beam_size,
                vad_filter=cfg.vad_filter, word_timestamps=True, condition_on_previous_text=False,
            )
            texts["agent" if channel == meta["agent_channel"] else "caller"] = "".join(s.text for s in segments)
        plain_s += time.perf_counter() - started
        stage_s += tr.processing_s
        for role in ("agent", "caller"):
            refs.append("".join(t["text"] for t in truth["turns"] if t["role"] == role))
            plain_hyps.append(texts[role])
            stage_hyps.append(_text(tr, role))
    return {
        "speedup_vs_plain_faster_whisper": round(plain_s / stage_s, 3) if stage_s else None,
        "speed_calls": len(done),
        "plain_processing_s": round(plain_s, 2),
        "stage_processing_s": round(stage_s, 2),
        "cer_speed_calls_plain": corpus_cer(refs, plain_hyps),
        "cer_speed_calls_stage": corpus_cer(refs, stage_hyps),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="bench.asr", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared evaluation data (mandarin_asr_samples)")
    parser.add_argument("--samples", type=Path, default=SAMPLES_DIR, help="where the 12 sample calls are generated/cached")
    parser.add_argument("--speed-calls", type=int, default=3, help="sample calls timed again with plain faster-whisper")
    args = parser.parse_args(argv)
    # pyannote.metrics warns on every call that it takes the scored extent from the annotations.
    warnings.filterwarnings("ignore", message="'uem' was approximated", category=UserWarning)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # faster-whisper logs every file it opens at INFO.
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)

    started = time.perf_counter()
    cfg = AsrSettings(model_dir=prepare_whisper_model(MODEL_DIR))
    transcriber = Transcriber(cfg)
    result: dict = {"model": transcriber.model_name, "device": transcriber.device, "channel_workers": transcriber.channel_workers}
    result.update(bench_real_clips(transcriber, args.data))

    calls = load_sample_calls(args.samples)
    done: list[tuple[Path, TranscriptReady]] = []
    if calls:
        figures, done = bench_sample_calls(transcriber, calls)
        result.update(figures)
    else:
        result.update({"cer_sample_calls": None, "role_error_dual_channel": None, "rtf_cpu": None})
    from bench.diarization import der_mono_2party

    result["der_mono_2party"] = der_mono_2party(calls, args.data)
    result["peak_rss_mb"] = peak_rss_mb()
    if done and args.speed_calls > 0:
        result.update(bench_plain(cfg, transcriber, done[: args.speed_calls]))
    else:
        result["speedup_vs_plain_faster_whisper"] = None
    result["peak_rss_mb_with_plain_model"] = peak_rss_mb()
    result["bench_wall_s"] = round(time.perf_counter() - started, 1)
    return emit("asr", result)


if __name__ == "__main__":
    main()
