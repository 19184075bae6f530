"""What the fault tests share: real `hotline` worker processes, kill -9, and waiting on conditions."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import wave

import numpy as np

from bench.adversarial import wait_for  # noqa: F401 (the fault tests import it from here)
from bench.load import replayed_transcript
from hotline.app.reconcile import ReconcileReport, reconcile
from hotline.app.services import hotline_command, log_dir, running_pid, start_service
from hotline.app.status import pipeline_status
from hotline.bus import Publisher, StopFlag
from hotline.contracts import AudioChunk, CallMeta
from hotline.inspection.worker import run_inspection_worker
from hotline.warehouse.sink import run_sink


def run_inspection_and_sink(settings, until, timeout_s: float = 120.0, every_s: float = 0.5):
    """The inspection worker and the sink in threads of this process until ``until()`` holds; its last value."""
    stop = StopFlag()
    threads = [threading.Thread(target=run_inspection_worker, args=(settings, stop), daemon=True),
               threading.Thread(target=run_sink, args=(settings, stop), daemon=True)]
    for t in threads:
        t.start()
    try:
        return wait_for(until, timeout_s, every_s=every_s)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)


def start(settings, name: str) -> int:
    return start_service(settings, name, hotline_command(name))


def kill9(settings, name: str) -> None:
    """SIGKILL a worker (no clean-up runs, nothing is committed on the way out) and reap it."""
    pid = running_pid(settings, name)
    assert pid is not None, f"{name} is not running; log: {logs(settings, name)}"
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def alive(settings, name: str) -> bool:
    pid = running_pid(settings, name)
    if pid is None:
        return False
    waited, _ = os.waitpid(pid, os.WNOHANG)
    return waited == 0


def logs(settings, name: str) -> str:
    path = log_dir(settings) / f"{name}.log"
    return path.read_text(errors="replace")[-3000:] if path.is_file() else "(no log)"


def publish_transcripts(settings, prefix: str, n: int) -> list[str]:
    pub = Publisher.connect(settings.kafka)
    ids = [f"{prefix}-{i:03d}" for i in range(n)]
    for call_id in ids:
        pub.publish(replayed_transcript(call_id), call_id)
    pub.flush()
    pub.close()
    return ids


class GroupProgress:
    """Offsets a stage group has committed, read cheaply (one OffsetFetch) so a test can poll it fast."""

    def __init__(self, settings, stage: str):
        from kafka.admin import KafkaAdminClient
        from kafka.structs import TopicPartition

        from hotline.bus import _client_config
        from hotline.app.status import STAGE_GROUPS, _group_name

        g = next(g for g in STAGE_GROUPS if g.stage == stage)
        self.group = _group_name(settings.kafka, g)
        self.parts = [TopicPartition(settings.kafka.topic(t), p) for t in g.topics for p in range(settings.kafka.partitions)]
        self.admin = KafkaAdminClient(**_client_config(settings.kafka))

    def committed(self) -> int:
        offsets = self.admin.list_group_offsets({self.group: self.parts}).get(self.group, {})
        return sum(om.offset for om in offsets.values() if om is not None and om.offset > 0)

    def by_partition(self) -> dict[int, int]:
        """Committed offset per partition number, summed over the stage's input topics."""
        offsets = self.admin.list_group_offsets({self.group: self.parts}).get(self.group, {})
        out: dict[int, int] = {}
        for tp, om in offsets.items():
            out[tp.partition] = out.get(tp.partition, 0) + (om.offset if om is not None and om.offset > 0 else 0)
        return out

    def close(self) -> None:
        self.admin.close()


def committed_part(settings, stage: str) -> tuple[int, int]:
    """(messages the stage has committed, messages still waiting) on its input topics."""
    st = next(s for s in pipeline_status(settings, sample_s=0).stages if s.stage == stage)
    return st.processed, st.total_lag


def wait_until_all_landed(settings, n: int, timeout_s: float) -> ReconcileReport:
    return wait_for(lambda: (r := reconcile(settings)).landed + r.dead_lettered >= n and r, timeout_s, every_s=1.0) or reconcile(settings)


def assert_nothing_lost_nothing_doubled(report: ReconcileReport, n: int, settings,
                                        workers: tuple[str, ...] = ("inspect-worker", "sink")) -> None:
    assert report.summary() == {"in": n, "landed": n, "dead_lettered": 0, "stuck": 0, "duplicates": 0}, (
        report.summary(), report.stuck[:5], {w: logs(settings, w) for w in workers})


def sample_call_chunks(call_dir, call_id: str, seconds: float, chunk_s: float = 3.0):
    """The first ``seconds`` of a sample call (stereo, 8 kHz) as the recorder would stream it."""
    fields = json.loads((call_dir / "meta.json").read_text())
    meta = CallMeta(**{**fields, "call_id": call_id})
    with wave.open(str(call_dir / "stereo_8k.wav"), "rb") as w:
        rate, channels = w.getframerate(), w.getnchannels()
        pcm = np.frombuffer(w.readframes(int(seconds * rate)), dtype="<i2").reshape(-1, channels)
    step = int(chunk_s * rate)
    starts = list(range(0, len(pcm), step))
    return [AudioChunk(meta=meta, seq=i, is_last=i == len(starts) - 1, sample_rate_hz=rate, channels=channels,
                       offset_s=s / rate, audio=pcm[s:s + step].tobytes()) for i, s in enumerate(starts)]


def final_transcripts(settings) -> dict[str, int]:
    """How many final transcripts each call has on the transcript topic (partials left out): more than
    one means a call was transcribed again after a worker died (at-least-once at the topic level)."""
    from hotline.contracts import TranscriptReady
    from hotline.app.reconcile import scan_topics

    counts: dict[str, int] = {}
    for r in scan_topics(settings.kafka, (TranscriptReady.topic,))[TranscriptReady.topic]:
        t = TranscriptReady.decode(r.value)
        if t.is_final:
            counts[t.call_id] = counts.get(t.call_id, 0) + 1
    return counts
