"""Transcribe one whole call with faster-whisper into a ``TranscriptReady``.

Stereo calls are transcribed channel by channel, so each party's speech is recognised without
the other talking over it and every segment's role is exact. Mono calls are transcribed once and
handed to a ``SpeakerSeparator`` (none yet: speakers stay ``"unknown"``).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import ctranslate2
import numpy as np
from faster_whisper import WhisperModel

from hotline.bus import PoisonMessage
from hotline.contracts import CallMeta, Segment, Speaker, TranscriptReady
from hotline.settings import AsrSettings

from .model_files import ModelFilesError
from .resample import MIN_SAMPLE_RATE_HZ, resample_channel
from .segments import build_segments
from .speakers import NoSeparation, SpeakerSeparator, channels_are_duplicates, role_for_channel

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


class Transcriber:
    """Holds one loaded Whisper model; ``transcribe_call`` is safe to call repeatedly."""

    def __init__(self, cfg: AsrSettings, separator: SpeakerSeparator | None = None):
        self._cfg = cfg
        self._separator: SpeakerSeparator = separator or NoSeparation()
        model_dir = Path(cfg.model_dir)
        if not (model_dir / "model.bin").is_file():
            raise ModelFilesError(
                f"no Whisper model at {model_dir} (model.bin missing): prepare it with "
                "hotline.asr.model_files.prepare_whisper_model, or set asr.model_dir to a CTranslate2 Whisper directory"
            )
        self.device, self.compute_type = resolve_device(cfg)
        log.info("loading Whisper from %s on %s (%s, %d CPU threads)", model_dir, self.device, self.compute_type, cfg.cpu_threads)
        self._model = WhisperModel(
            str(model_dir),
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=cfg.cpu_threads,
            local_files_only=True,
        )
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
            segments: list[Segment] = []
            for channel in (0, 1):
                audio = resample_channel(pcm[:, channel], sample_rate_hz)
                speaker = role_for_channel(channel, meta.agent_channel)
                found, language = self._transcribe_audio(audio, speaker=speaker, channel=channel, duration_s=duration_s)
                segments.extend(found)
            segments.sort(key=lambda s: (s.start_s, s.channel or 0))
        else:
            audio = resample_channel(pcm[:, 0], sample_rate_hz)
            found, language = self._transcribe_audio(audio, speaker="unknown", channel=None, duration_s=duration_s)
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
        )

    def _transcribe_audio(self, audio: np.ndarray, *, speaker: Speaker, channel: int | None, duration_s: float) -> tuple[list[Segment], str]:
        """Segments of one channel, and the language they were decoded as."""
        cfg = self._cfg
        # "auto" lets Whisper detect the language (per channel) instead of forcing one.
        forced = None if cfg.language in ("", "auto") else cfg.language
        raw_segments, info = self._model.transcribe(
            audio,
            language=forced,
            beam_size=cfg.beam_size,
            vad_filter=cfg.vad_filter,
            initial_prompt=cfg.initial_prompt or None,
            word_timestamps=True,
            # Feeding a window's own output back as the next prompt is how Whisper gets stuck repeating itself.
            condition_on_previous_text=False,
        )
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

