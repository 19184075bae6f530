"""Decode a call recording into 16-bit PCM, keeping its channels and native sample rate.

PyAV (FFmpeg) decodes whatever a call recorder writes: PCM/μ-law/A-law WAV, MP3, OGG, FLAC, M4A.
Resampling is left to the ASR stage; ingest forwards what the recorder produced.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import av
import numpy as np

from hotline.contracts import CallMeta
from hotline.settings import IngestSettings


class RecordingError(ValueError):
    """A recording that cannot be decoded: it goes to the dead-letter topic with this reason."""


@dataclass(frozen=True)
class Recording:
    pcm: np.ndarray  # int16, shape (n_samples, channels)
    sample_rate_hz: int

    @property
    def channels(self) -> int:
        return int(self.pcm.shape[1])

    @property
    def duration_s(self) -> float:
        return self.pcm.shape[0] / self.sample_rate_hz


def decode_recording(path: Path) -> Recording:
    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.audio:
                raise RecordingError("no audio stream in file")
            stream = container.streams.audio[0]
            channels = stream.codec_context.channels
            if channels not in (1, 2):
                raise RecordingError(f"{channels} channels: only mono or dual-channel (stereo) recordings are supported")
            rate = stream.codec_context.sample_rate
            if not rate:
                raise RecordingError("the file declares no sample rate")
            layout = "mono" if channels == 1 else "stereo"
            # Same rate, same layout: only the sample format changes (to interleaved int16).
            resampler = av.AudioResampler(format="s16", layout=layout, rate=rate)
            parts: list[np.ndarray] = []
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    parts.append(out.to_ndarray().reshape(-1, channels))
            for out in resampler.resample(None):
                parts.append(out.to_ndarray().reshape(-1, channels))
    except RecordingError:
        raise
    except (av.FFmpegError, OSError, ValueError, EOFError) as exc:
        raise RecordingError(f"cannot decode audio: {type(exc).__name__}: {exc}") from exc
    if not parts:
        raise RecordingError("no audio samples decoded (empty recording)")
    pcm = np.concatenate(parts).astype(np.int16, copy=False)
    if pcm.shape[0] == 0:
        raise RecordingError("no audio samples decoded (empty recording)")
    return Recording(pcm=np.ascontiguousarray(pcm), sample_rate_hz=int(rate))


# Hex digits of the recording's SHA-256 in a call id made from a file name (48 bits: a clash needs
# the same stem as well, so millions of recordings stay distinct).
CALL_ID_DIGEST_CHARS = 12
# Room left in CallMeta.call_id (128) for the digest.
CALL_ID_STEM_CHARS = 100


def recording_digest(path: Path) -> str:
    """SHA-256 of the file's bytes: what makes two recordings the same recording."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise RecordingError(f"cannot read the file: {exc.strerror or exc}") from exc
    return digest.hexdigest()


def call_id_for(path: Path, digest: str | None) -> str:
    """A call id from a file name, when no sidecar names one: the readable part of the stem plus the
    start of the recording's digest (of its path when it has no content to hash).

    The stem alone is no identity: `0001.wav` recurs in every day's folder, `a.flac` sits beside
    `a.mp3`, and a name in Chinese keeps no ASCII at all. The digest keeps a recording sent again
    on the same id, so it stays one call.
    """
    keep = [c if (c.isascii() and (c.isalnum() or c in "_.:-")) else "-" for c in path.stem]
    stem = "".join(keep).strip("-")[:CALL_ID_STEM_CHARS].rstrip("-") or "call"
    tag = digest or hashlib.sha256(str(path.absolute()).encode("utf-8", "surrogateescape")).hexdigest()
    return f"{stem}-{tag[:CALL_ID_DIGEST_CHARS]}"


def sidecar_for(path: Path) -> Path | None:
    """`<name>.json` beside the file, else `meta.json` in its folder (the sample-call layout)."""
    for candidate in (path.with_suffix(".json"), path.parent / "meta.json"):
        if candidate.is_file():
            return candidate
    return None


def read_meta(path: Path, channels: int | None, cfg: IngestSettings, digest: str | None) -> CallMeta:
    """Call metadata from the sidecar JSON, falling back to settings' defaults; a sidecar's call id wins."""
    fields: dict = {}
    sidecar = sidecar_for(path)
    if sidecar is not None:
        try:
            fields = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:  # not UTF-8, not JSON, nested past Python's limit
            raise RecordingError(f"unreadable metadata {sidecar.name}: {type(exc).__name__}: {str(exc)[:200]}") from exc
        if not isinstance(fields, dict):
            raise RecordingError(f"metadata {sidecar.name} is not a JSON object")
    if channels is not None:
        fields["channel_layout"] = "stereo" if channels == 2 else "mono"
    layout = fields.get("channel_layout", "mono")
    fields.setdefault("call_id", call_id_for(path, digest))
    fields.setdefault("centre_id", cfg.default_centre_id)
    fields.setdefault("team_id", cfg.default_team_id)
    fields.setdefault("agent_id", cfg.default_agent_id)
    fields.setdefault("started_at", datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).isoformat())
    if layout == "stereo":
        fields.setdefault("agent_channel", cfg.default_agent_channel)
    else:
        fields["agent_channel"] = None
    fields["source_uri"] = str(path)
    fields["recording_sha256"] = digest
    try:
        return CallMeta.model_validate(fields)
    except ValueError as exc:
        raise RecordingError(f"invalid call metadata: {exc}") from exc
