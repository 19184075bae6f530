"""Stream recordings into Kafka as ordered chunks, as a call recorder does during a call."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from hotline.bus import Publisher
from hotline.contracts import AudioChunk, CallMeta, DeadLetter
from hotline.ingest.recording import Recording, RecordingError, call_id_for, decode_recording, read_meta
from hotline.settings import IngestSettings

log = logging.getLogger(__name__)

AUDIO_SUFFIXES = {".wav", ".mp3", ".flac", ".ogg", ".opus", ".m4a", ".aac", ".amr", ".au", ".gsm", ".wma"}


@dataclass
class IngestReport:
    sent: list[str] = field(default_factory=list)
    dead_lettered: dict[str, str] = field(default_factory=dict)  # call id -> reason
    chunks: int = 0
    audio_s: float = 0.0


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders searched recursively for audio files."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in AUDIO_SUFFIXES))
        else:
            out.append(p)
    return out


def chunk_recording(meta: CallMeta, rec: Recording, chunk_s: float) -> Iterator[AudioChunk]:
    step = max(1, int(round(chunk_s * rec.sample_rate_hz)))
    n = rec.pcm.shape[0]
    starts = range(0, n, step)
    last_seq = len(starts) - 1
    for seq, start in enumerate(starts):
        yield AudioChunk(
            meta=meta,
            seq=seq,
            is_last=seq == last_seq,
            sample_rate_hz=rec.sample_rate_hz,
            channels=rec.channels,
            offset_s=start / rec.sample_rate_hz,
            audio=rec.pcm[start : start + step].tobytes(),
        )


def ingest_paths(
    paths: Iterable[Path],
    cfg: IngestSettings,
    publisher: Publisher,
    *,
    meta_overrides: Mapping[str, Mapping] | None = None,
    progress: bool = True,
) -> IngestReport:
    """Send each recording as chunks keyed by call id; an undecodable one becomes a dead letter.

    ``meta_overrides`` maps a file path (as given) to metadata fields that replace the sidecar's.
    """
    report = IngestReport()
    files = expand_paths(paths)
    bar = tqdm(total=len(files), unit="call", desc="ingest", disable=not progress)
    for path in files:
        overrides = dict((meta_overrides or {}).get(str(path), {}))
        try:
            if not path.is_file():
                raise RecordingError("no such file")
            rec = decode_recording(path)
            meta = read_meta(path, rec.channels, cfg)
            if overrides:
                meta = CallMeta.model_validate(meta.model_dump() | overrides)
        except (RecordingError, ValueError) as exc:
            call_id = overrides.get("call_id") or _best_call_id(path, cfg)
            publisher.publish(
                DeadLetter(stage="ingest", call_id=call_id, reason=str(exc), error_type=type(exc).__name__, source_uri=str(path)),
                key=call_id,
            )
            report.dead_lettered[call_id] = str(exc)
            log.error("ingest: %s dead-lettered as %s: %s", path, call_id, exc)
            bar.update(1)
            continue
        _send_paced(meta, rec, cfg, publisher, report)
        report.sent.append(meta.call_id)
        bar.update(1)
    publisher.flush()
    bar.close()
    return report


def _send_paced(meta: CallMeta, rec: Recording, cfg: IngestSettings, publisher: Publisher, report: IngestReport) -> None:
    t0 = time.monotonic()
    for chunk in chunk_recording(meta, rec, cfg.chunk_s):
        if cfg.realtime_factor > 0:
            # A live recorder can only send a chunk once that much of the call has happened.
            due = t0 + chunk.offset_s / cfg.realtime_factor
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        publisher.publish(chunk, key=meta.call_id)
        report.chunks += 1
    report.audio_s += rec.duration_s


def _best_call_id(path: Path, cfg: IngestSettings) -> str:
    try:
        return read_meta(path, None, cfg).call_id if path.exists() else call_id_for(path)
    except (RecordingError, ValueError, OSError):
        return call_id_for(path)
