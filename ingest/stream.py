"""Stream recordings into Kafka as ordered chunks, as a call recorder does during a call."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from tqdm import tqdm

from hotline.bus import Publisher
from hotline.contracts import CALL_ID_COLLISION, AudioChunk, CallMeta, DeadLetter, validation_summary
from hotline.ingest.recording import Recording, RecordingError, call_id_for, decode_recording, read_meta, recording_digest
from hotline.settings import IngestSettings

log = logging.getLogger(__name__)

AUDIO_SUFFIXES = {".wav", ".mp3", ".flac", ".ogg", ".opus", ".m4a", ".aac", ".amr", ".au", ".gsm", ".wma"}


@dataclass(frozen=True)
class RejectedFile:
    path: Path
    call_id: str
    reason: str


@dataclass
class IngestReport:
    sent: list[str] = field(default_factory=list)
    rejected: list[RejectedFile] = field(default_factory=list)  # each one dead-lettered with its reason
    chunks: int = 0
    audio_s: float = 0.0

    @property
    def dead_lettered(self) -> dict[str, str]:
        """Call id -> reason, for each rejected file."""
        return {r.call_id: r.reason for r in self.rejected}


class CallIdCollision(RecordingError):
    """Another recording already holds this call id: sending this one would replace or lose one of them."""


@dataclass(frozen=True)
class _Prepared:
    meta: CallMeta
    rec: Recording


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
    """Send each recording as chunks keyed by call id. Each file is its own unit of failure: one that
    cannot be read, decoded or described by a valid message becomes a dead letter with the reason,
    and the next file is sent all the same. Only a broker failure ends the run.

    ``meta_overrides`` maps a file path (as given) to metadata fields that replace the sidecar's.
    """
    report = IngestReport()
    files = expand_paths(paths)
    # Call id -> (recording digest, file) of the recordings sent in this run.
    claimed: dict[str, tuple[str | None, Path]] = {}
    bar = tqdm(total=len(files), unit="call", desc="ingest", disable=not progress)
    for path in files:
        overrides = dict((meta_overrides or {}).get(str(path), {}))
        digest: str | None = None
        try:
            if not path.is_file():
                raise RecordingError("no such file")
            digest = recording_digest(path)
            prepared = _prepare(path, digest, cfg, overrides, publisher, claimed)
        except RecordingError as exc:
            call_id = overrides.get("call_id") or _best_call_id(path, cfg, digest)
            error_type = CALL_ID_COLLISION if isinstance(exc, CallIdCollision) else type(exc).__name__
            publisher.publish(
                DeadLetter(stage="ingest", call_id=call_id, reason=str(exc), error_type=error_type, source_uri=str(path),
                           recording_sha256=digest),
                key=call_id,
            )
            report.rejected.append(RejectedFile(path, call_id, str(exc)))
            log.error("ingest: %s dead-lettered as %s: %s", path, call_id, exc)
            bar.update(1)
            continue
        if prepared is not None:
            claimed[prepared.meta.call_id] = (digest, path)
            _send_paced(prepared.meta, prepared.rec, cfg, publisher, report)
            report.sent.append(prepared.meta.call_id)
        bar.update(1)
    publisher.flush()
    bar.close()
    return report


def _prepare(
    path: Path, digest: str, cfg: IngestSettings, overrides: Mapping, publisher: Publisher, claimed: Mapping[str, tuple[str | None, Path]]
) -> _Prepared | None:
    """Everything that can go wrong with one file, checked before its first chunk is sent (so no call
    is left half sent); None for a recording this run already sent. Raises RecordingError saying why."""
    try:
        rec = decode_recording(path)
        meta = read_meta(path, rec.channels, cfg, digest)
        if overrides:
            meta = CallMeta.model_validate(meta.model_dump() | overrides)
        earlier = claimed.get(meta.call_id)
        if earlier is not None:
            if earlier[0] == digest:
                log.info("ingest: %s is the recording already sent from %s as %s; not sent twice", path, earlier[1], meta.call_id)
                return None
            raise CallIdCollision(
                f"call id {meta.call_id} is already used in this run by {earlier[1]}, a different recording; "
                "give this file its own call_id in its sidecar"
            )
        # Chunks differ only in offset and audio, and the first is the largest: if it passes, all do.
        publisher.encode(next(chunk_recording(meta, rec, cfg.chunk_s)), meta.call_id)
    except RecordingError:
        raise
    except ValidationError as exc:
        raise RecordingError(f"the recording cannot be sent as {AudioChunk.__name__} messages: {validation_summary(exc)}") from exc
    except Exception as exc:  # noqa: BLE001 - whatever one file does, it must not stop the files after it
        log.debug("ingest: %s failed", path, exc_info=True)
        raise RecordingError(f"{type(exc).__name__}: {exc}") from exc
    return _Prepared(meta, rec)


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


def _best_call_id(path: Path, cfg: IngestSettings, digest: str | None) -> str:
    try:
        return read_meta(path, None, cfg, digest).call_id
    except (RecordingError, ValueError, OSError):
        return call_id_for(path, digest)
