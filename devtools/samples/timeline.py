"""Place rendered turns on a two-channel call timeline, as a stereo call recorder would capture them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .scripts import Role

AGENT_CHANNEL = 0
CALLER_CHANNEL = 1

_LEAD_IN_S = (0.4, 0.9)  # pick-up to greeting
_GAP_S = (0.3, 1.0)  # natural turn-taking gap
_OVERLAP_S = (0.15, 0.35)  # a caller occasionally starts before the agent has quite finished
_OVERLAP_PROBABILITY = 0.15
_TAIL_S = 0.8
# Line hiss so silence is not digital zero (VAD and energy thresholds see a realistic floor).
_NOISE_DBFS = -62.0


@dataclass(frozen=True)
class PlacedTurn:
    role: Role
    start_s: float
    end_s: float


@dataclass(frozen=True)
class CallAudio:
    # (2, samples): channel 0 agent, channel 1 caller.
    channels: np.ndarray
    rate_hz: int
    turns: tuple[PlacedTurn, ...]

    @property
    def duration_s(self) -> float:
        return self.channels.shape[1] / self.rate_hz


def lay_out_call(
    roles: Sequence[Role],
    audio: Sequence[np.ndarray],
    pauses_before_s: Sequence[float | None],
    rate_hz: int,
    rng: np.random.Generator,
) -> CallAudio:
    """Lay turns out in order with drawn gaps (or the scripted pause) and mix them into their channels."""
    starts: list[int] = []
    cursor = 0
    previous_overlapped = False
    for i, (role, clip, pause) in enumerate(zip(roles, audio, pauses_before_s)):
        # Draw every random number on every turn, so one turn's branch never shifts the others.
        gap_s = rng.uniform(*_GAP_S)
        overlap_s = rng.uniform(*_OVERLAP_S)
        overlaps = rng.random() < _OVERLAP_PROBABILITY
        if i == 0:
            start = round(rng.uniform(*_LEAD_IN_S) * rate_hz) if pause is None else round(pause * rate_hz)
        elif pause is not None:
            start = cursor + round(pause * rate_hz)
        elif (
            overlaps
            and role == "caller"
            and roles[i - 1] != role
            and not previous_overlapped
            and len(audio[i - 1]) > 2 * rate_hz
            and len(clip) > 1.5 * rate_hz  # a barge-in is a sentence, not a quick "是的"
        ):
            start = cursor - round(overlap_s * rate_hz)
        else:
            start = cursor + round(gap_s * rate_hz)
        previous_overlapped = i > 0 and start < cursor
        starts.append(start)
        cursor = start + len(clip)
    total = cursor + round(_TAIL_S * rate_hz)
    channels = np.zeros((2, total), np.float32)
    placed = []
    for role, clip, start in zip(roles, audio, starts):
        ch = AGENT_CHANNEL if role == "agent" else CALLER_CHANNEL
        channels[ch, start : start + len(clip)] += clip
        placed.append(PlacedTurn(role=role, start_s=start / rate_hz, end_s=(start + len(clip)) / rate_hz))
    channels += rng.normal(0.0, 10 ** (_NOISE_DBFS / 20), channels.shape).astype(np.float32)
    return CallAudio(channels=channels, rate_hz=rate_hz, turns=tuple(placed))


def mix_to_mono(channels: np.ndarray) -> np.ndarray:
    """Sum the two parties into one channel, scaled down only if the sum would clip."""
    mono = channels.sum(axis=0, keepdims=True)
    peak = float(np.abs(mono).max()) if mono.size else 0.0
    if peak > 0.98:
        mono *= 0.98 / peak
    return mono
