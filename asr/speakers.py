"""Who spoke: exact roles from a stereo recording's channels, and the seam for mono diarization.

A dual-channel recorder puts the agent on one channel and the caller on the other, so roles are
known exactly from ``CallMeta.agent_channel``; nothing is inferred. A mono recording mixes both
parties; telling them apart needs a diarization model, which plugs in as a ``SpeakerSeparator``.
Until one is configured, mono segments stay ``"unknown"`` rather than guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from hotline.contracts import CallMeta, Segment, Speaker


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
