"""Transcribe one whole call with faster-whisper into a ``TranscriptReady``.

Stereo calls are transcribed channel by channel, so each party's speech is recognised without
the other talking over it and every segment's role is exact. The two channels are decoded at the
same time on two model replicas: a small Whisper does not keep two cores busy from one decoding
loop (VAD, features and word alignment run between the matrix work), two loops do. On CUDA the
batched pipeline decodes many VAD chunks of a channel in one pass. Mono calls are cut in a pause
near the middle (``mono_split``) so both replicas work, rejoined on one timeline and handed to a
``SpeakerSeparator`` (``asr.diarization``: agent/caller from a diarizer and what each voice says). Every transcript carries its
conversation metrics (``hotline.conversation``).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import ctranslate2
import numpy as np
from faster_whisper import BatchedInferencePipeline, WhisperModel

from hotline.bus import PoisonMessage
from hotline.contracts import CallMeta, Segment, Speaker, TranscriptReady
from hotline.conversation import measure_conversation
from hotline.settings import AsrSettings

from .loudness import level_audio
from .model_files import ModelFilesError
from .mono_split import find_split_sample
from .resample import MIN_SAMPLE_RATE_HZ, WHISPER_RATE_HZ, resample_channel
from .segments import build_segments, shift_segments
from .speakers import SpeakerSeparator, build_separator, channels_are_duplicates, role_for_channel

log = logging.getLogger(__name__)


def resolve_device(cfg: AsrSettings) -> tuple[str, str]:
    """(device, compute_type) with "auto" resolved: float16 on a GPU, int8 on CPU."""
    device = cfg.device
    if device == "auto":
        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    compute_type = cfg.compute_type
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return device, compute_type


def resolve_batch_size(cfg: AsrSettings, device: str) -> int:
    """Batch size for the batched pipeline; 1 means plain sequential decoding."""
    if cfg.batch_size == 0:
        return 16 if device == "cuda" else 1
    return cfg.batch_size


class Transcriber:
    """Holds one loaded Whisper model; ``transcribe_call`` is safe to call repeatedly."""

    def __init__(self, cfg: AsrSettings, separator: SpeakerSeparator | None = None):
        self._cfg = cfg
        # Mono calls: the configured diarizer + role assignment (asr.diarization; "none" keeps "unknown").
        self._separator: SpeakerSeparator = separator or build_separator(cfg)
        model_dir = Path(cfg.model_dir)
        if not (model_dir / "model.bin").is_file():
            raise ModelFilesError(
                f"no Whisper model at {model_dir} (model.bin missing): prepare it with "
                "hotline.asr.model_files.prepare_whisper_model, or set asr.model_dir to a CTranslate2 Whisper directory"
            )
        self.device, self.compute_type = resolve_device(cfg)
        self.batch_size = resolve_batch_size(cfg, self.device)
        # Two replicas share the configured threads; each replica serves one channel at a time.
        self.channel_workers = 2 if cfg.parallel_channels else 1
        # 0 is CTranslate2's "choose for me"; pass it through.
        threads = max(1, cfg.cpu_threads // self.channel_workers) if cfg.cpu_threads > 0 else 0
        log.info(
            "loading Whisper from %s on %s (%s, %d replica(s) x %d CPU threads, batch %d)",
            model_dir, self.device, self.compute_type, self.channel_workers, threads, self.batch_size,
        )
        self._model = WhisperModel(
            str(model_dir),
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=threads,
            num_workers=self.channel_workers,
            local_files_only=True,
        )
        self._batched = BatchedInferencePipeline(self._model) if self.batch_size > 1 else None
        self._pool = ThreadPoolExecutor(max_workers=self.channel_workers, thread_name_prefix="asr-channel") if self.channel_workers > 1 else None
        self.model_name = f"{model_dir.name}:{self.compute_type}"

    def transcribe_call(self, meta: CallMeta, pcm: np.ndarray, sample_rate_hz: int, *, incomplete: bool = False) -> TranscriptReady:
        """``pcm``: int16, shape (n_samples, channels). Raises ``PoisonMessage`` for audio that can never be transcribed."""
        started = time.perf_counter()
        pcm = _validated_pcm(meta, pcm, sample_rate_hz)
        duration_s = pcm.shape[0] / sample_rate_hz

        if pcm.shape[1] == 2 and channels_are_duplicates(pcm):
            log.warning("%s: both channels carry the same audio; transcribing it once as mono", meta.call_id)
            pcm = pcm[:, :1]
        if pcm.shape[1] == 2:
            if meta.agent_channel is None:
                log.warning("%s: stereo call without agent_channel; speakers stay unknown", meta.call_id)

            def transcribe_channel(channel: int) -> tuple[list[Segment], str]:
                audio = resample_channel(pcm[:, channel], sample_rate_hz)
                speaker = role_for_channel(channel, meta.agent_channel)
                return self._transcribe_audio(audio, speaker=speaker, channel=channel, duration_s=duration_s)

            if self._pool is not None:
                results = list(self._pool.map(transcribe_channel, (0, 1)))
            else:
                results = [transcribe_channel(channel) for channel in (0, 1)]
            segments = [seg for found, _ in results for seg in found]
            language = results[0][1]
            segments.sort(key=lambda s: (s.start_s, s.channel or 0))
        else:
            audio = resample_channel(pcm[:, 0], sample_rate_hz)
            found, language = self._transcribe_mono(audio, duration_s)
            segments = list(self._separator.label_segments(meta, audio, found))

        return TranscriptReady(
            meta=meta,
            is_final=True,
            incomplete=incomplete,
            duration_s=round(duration_s, 3),
            language=language,
            asr_model=self.model_name,
            segments=tuple(segments),
            processing_s=round(time.perf_counter() - started, 3),
            metrics=measure_conversation(segments, duration_s, silence_threshold_s=self._cfg.silence_threshold_s),
        )

    def _transcribe_mono(self, audio: np.ndarray, duration_s: float) -> tuple[list[Segment], str]:
        """One stream: cut at a pause near the middle so both replicas work, then rejoin the timelines."""
        cut = find_split_sample(audio) if self._pool is not None else None
        if cut is None:
            return self._transcribe_audio(audio, speaker="unknown", channel=None, duration_s=duration_s)
        pieces = ((0, audio[:cut]), (cut, audio[cut:]))

        def transcribe_piece(piece: tuple[int, np.ndarray]) -> tuple[list[Segment], str]:
            start, samples = piece
            found, language = self._transcribe_audio(samples, speaker="unknown", channel=None, duration_s=len(samples) / WHISPER_RATE_HZ)
            return shift_segments(found, start / WHISPER_RATE_HZ, duration_s), language

        results = list(self._pool.map(transcribe_piece, pieces))
        return [seg for found, _ in results for seg in found], results[0][1]

    def _transcribe_audio(self, audio: np.ndarray, *, speaker: Speaker, channel: int | None, duration_s: float) -> tuple[list[Segment], str]:
        """Segments of one channel, and the language they were decoded as."""
        cfg = self._cfg
        if cfg.loudness_target_dbfs is not None:
            audio = level_audio(audio, cfg.loudness_target_dbfs)
        # "auto" lets Whisper detect the language (per channel) instead of forcing one.
        forced = None if cfg.language in ("", "auto") else cfg.language
        options = dict(
            language=forced,
            beam_size=cfg.beam_size,
            vad_filter=cfg.vad_filter,
            initial_prompt=cfg.initial_prompt or None,
            hotwords=" ".join(cfg.hotwords) or None,
            word_timestamps=True,
            temperature=list(cfg.temperatures),
            # Feeding a window's own output back as the next prompt is how Whisper gets stuck repeating itself.
            condition_on_previous_text=False,
        )
        if self._batched is not None:
            raw_segments, info = self._batched.transcribe(audio, batch_size=self.batch_size, **options)
        else:
            raw_segments, info = self._model.transcribe(audio, **options)
        # faster-whisper decodes lazily: consuming the generator is where the time goes.
        segments = build_segments(raw_segments, speaker=speaker, channel=channel, duration_s=duration_s)
        return segments, forced or info.language


def _validated_pcm(meta: CallMeta, pcm: np.ndarray, sample_rate_hz: int) -> np.ndarray:
    def poison(why: str) -> PoisonMessage:
        return PoisonMessage(why, call_id=meta.call_id)

    if not isinstance(pcm, np.ndarray) or pcm.dtype != np.int16:
        raise poison(f"recording of {meta.call_id} is not int16 PCM ({getattr(pcm, 'dtype', type(pcm))})")
    if pcm.ndim == 1:
        pcm = pcm.reshape(-1, 1)
    if pcm.ndim != 2 or pcm.shape[1] not in (1, 2):
        raise poison(f"recording of {meta.call_id} has shape {pcm.shape}; expected (samples, 1 or 2 channels)")
    if pcm.shape[0] == 0:
        raise poison(f"empty recording: {meta.call_id} has no audio samples")
    if sample_rate_hz < MIN_SAMPLE_RATE_HZ:
        raise poison(f"recording of {meta.call_id} is sampled at {sample_rate_hz} Hz; speech needs at least {MIN_SAMPLE_RATE_HZ} Hz")
    return pcm

