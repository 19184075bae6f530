"""Who spoke: exact roles from a stereo recording's channels, and the seam for mono diarization.

A dual-channel recorder puts the agent on one channel and the caller on the other, so roles are
known exactly from ``CallMeta.agent_channel``; nothing is inferred. A mono recording mixes both
parties; telling them apart needs a diarizer (``asr.diarization``: numpy, the default; or
pyannote, an extra) and a role assignment from what each voice says (``asr.roles``), joined by
``DiarizingSeparator``. With ``asr.diarization = "none"``, or when the roles are uncertain, mono
segments stay ``"unknown"`` rather than guessed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from hotline.contracts import CallMeta, Segment, Speaker
from hotline.settings import AsrSettings

from .diarization import EmbeddedDiarizer, SpeakerTurn
from .roles import assign_roles
from .speaker_encoder import SpeakerEncoder
from .speaker_split import split_by_speaker

log = logging.getLogger(__name__)


def role_for_channel(channel: int, agent_channel: int | None) -> Speaker:
    if agent_channel is None:
        return "unknown"
    return "agent" if channel == agent_channel else "caller"


class SpeakerSeparator(Protocol):
    """Labels the segments of a mono call with speakers (diarization + role assignment)."""

    def label_segments(self, meta: CallMeta, audio_16k: np.ndarray, segments: Sequence[Segment]) -> tuple[Segment, ...]: ...


class NoSeparation:
    """The default for mono calls: keep every segment ``"unknown"``."""

    def label_segments(self, meta: CallMeta, audio_16k: np.ndarray, segments: Sequence[Segment]) -> tuple[Segment, ...]:
        return tuple(segments)


class Diarizer(Protocol):
    """Who spoke when in 16 kHz mono audio; speaker indices carry no role."""

    def diarize(self, audio_16k: np.ndarray) -> list[SpeakerTurn]: ...


class DiarizingSeparator:
    """Diarize, give each word to the voice speaking at its time, then name the voices agent/caller."""

    def __init__(self, diarizer: Diarizer, *, role_min_confidence: float):
        self.diarizer = diarizer
        self.role_min_confidence = role_min_confidence

    def label_segments(self, meta: CallMeta, audio_16k: np.ndarray, segments: Sequence[Segment]) -> tuple[Segment, ...]:
        if not segments:
            return ()
        turns = self.diarizer.diarize(audio_16k)
        labelled = split_by_speaker(segments, turns)
        assignment = assign_roles(labelled, min_confidence=self.role_min_confidence)
        log.info("%s: %d voices, roles %s (confidence %.2f)", meta.call_id, len({t.speaker for t in turns}), assignment.roles, assignment.confidence)
        return tuple(
            seg.model_copy(update={"speaker": assignment.roles.get(who, "unknown") if who is not None else "unknown"})
            for seg, who in labelled
        )


def build_diarizer(cfg: AsrSettings) -> Diarizer:
    """The configured diarizer; pyannote (an extra, needs torch) is imported only when selected."""
    if cfg.diarization == "pyannote":
        from .diarization_pyannote import PyannoteDiarizer

        return PyannoteDiarizer(cfg.pyannote_segmentation_path, cfg.pyannote_embedding_path, max_speakers=cfg.max_speakers)
    return EmbeddedDiarizer(SpeakerEncoder(cfg.speaker_encoder_path), max_speakers=cfg.max_speakers)


def build_separator(cfg: AsrSettings) -> SpeakerSeparator:
    if cfg.diarization == "none":
        return NoSeparation()
    return DiarizingSeparator(build_diarizer(cfg), role_min_confidence=cfg.role_min_confidence)


def channels_are_duplicates(pcm: np.ndarray) -> bool:
    """True when a 2-channel recording carries the same mix on both channels.

    Some recorders write mono calls as stereo; transcribing both channels would double every
    sentence and label the same voice as agent and caller.
    """
    if pcm.ndim != 2 or pcm.shape[1] != 2:
        return False
    # Every 4th frame is plenty to tell one mix from two voices, at a quarter of the memory.
    left = pcm[::4, 0].astype(np.int32)
    right = pcm[::4, 1].astype(np.int32)
    energy = float(np.abs(left).sum() + np.abs(right).sum())
    if energy == 0.0:
        return True
    # Tolerate small differences (dither, one-LSB rounding) but not two different voices.
    return float(np.abs(left - right).sum()) / energy < 0.01
