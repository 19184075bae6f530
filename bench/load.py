"""Load: calls at a fixed rate through inspection and the sink, on real processes and a real broker.

The ASR stage is replaced by replaying stored transcripts (the sample calls' ground-truth turns
under var/test-samples, or a built-in call when those are absent), each under a fresh call id, so
the rest of the pipeline is loaded without spending the 2 cores on Whisper. The transcript's
publish time stands for "call end"; latency runs from there to the inspection being visible in
the warehouse snapshot (so it includes the snapshot interval, warehouse.snapshot_min_interval_s).
The clock starts once a warm-up call has landed (workers started, models loaded).

    .venv/bin/python -m bench.load --minutes 10 --rate 30

Prints the figures; the last line is the JSON written to bench/results/load.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from bench.report import emit, peak_rss_mb
from hotline.app.services import hotline_command, running_pid, start_service, stop_services
from hotline.broker import DevBroker, free_port
from hotline.bus import Publisher, ensure_topics
from hotline.contracts import AudioChunk, CallMeta, Segment, TranscriptReady
from hotline.settings import BrokerSettings, Settings

log = logging.getLogger(__name__)

STORED_TRANSCRIPTS = Path(__file__).resolve().parents[1] / "var" / "test-samples"
WORKERS = ("inspect-worker", "sink")

BUILTIN_SEGMENTS = (
    Segment(speaker="agent", start_s=0.4, end_s=3.0, text="您好，12345热线，请问有什么可以帮您？"),
    Segment(speaker="caller", start_s=3.5, end_s=10.0, text="我家住在幸福路18号，楼下的路灯坏了一个多月了，晚上出门很不安全。"),
    Segment(speaker="agent", start_s=10.5, end_s=15.0, text="好的，您说的是幸福路18号的路灯不亮，我这边给您登记，转交城管部门处理。"),
    Segment(speaker="caller", start_s=15.5, end_s=18.0, text="好的，谢谢。"),
    Segment(speaker="agent", start_s=18.5, end_s=21.0, text="感谢您的来电，再见。"),
)


def stored_segment_sets(folder: Path = STORED_TRANSCRIPTS) -> list[tuple[Segment, ...]]:
    """Transcripts to replay: the sample calls' turns, or the built-in call."""
    sets = []
    for truth in sorted(folder.glob("*/truth.json")):
        turns = json.loads(truth.read_text(encoding="utf-8"))["turns"]
        sets.append(tuple(Segment(speaker=t["role"], start_s=t["start_s"], end_s=t["end_s"], text=t["text"]) for t in turns))
    return sets or [BUILTIN_SEGMENTS]


def call_meta(call_id: str) -> CallMeta:
    return CallMeta(call_id=call_id, centre_id="centre-01", team_id="team-01", agent_id="agent-01",
                    started_at=datetime.now(timezone.utc), channel_layout="stereo", agent_channel=0)


def replayed_transcript(call_id: str, segments: tuple[Segment, ...] = BUILTIN_SEGMENTS) -> TranscriptReady:
    """A final transcript as the ASR worker would publish it."""
    return TranscriptReady(meta=call_meta(call_id), is_final=True, duration_s=segments[-1].end_s if segments else 0.0,
                           language="zh", asr_model="replayed", segments=segments, processing_s=0.0)


def entry_chunk(call_id: str, seconds: float = 0.1) -> AudioChunk:
    """A recorder's single, last chunk of silence: marks a call as entered on the audio topic."""
    return AudioChunk(meta=call_meta(call_id), seq=0, is_last=True, sample_rate_hz=8000, channels=1,
                      offset_s=0.0, audio=b"\x00\x00" * int(8000 * seconds))


def process_peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory of another process (VmHWM), while it runs."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def landed_calls(settings: Settings) -> set[str]:
    from hotline.warehouse.reader import SnapshotMissing, run_internal

    try:
        frame = run_internal(settings.warehouse, "accounting", limit=10_000_000)
    except SnapshotMissing:
        return set()
    return {r["call_id"] for r in frame.iter_rows(named=True) if r["outcome"] == "inspected"}


def lag_is_growing(samples: list[tuple[float, int]], rate_per_min: float) -> bool:
    """Lag grows when the last quarter of the run sits clearly above its second quarter."""
    if len(samples) < 8:
        return False
    q = len(samples) // 4
    early = statistics.mean(n for _, n in samples[q:2 * q])
    late = statistics.mean(n for _, n in samples[-q:])
    return late > early + max(5.0, 0.25 * rate_per_min)


def warm_up(settings: Settings, publisher: Publisher, timeout_s: float = 300.0) -> float:
    """Send one call and wait until it lands: the workers have started, joined their groups and
    loaded their models, so the measured latencies are the pipeline's, not its start-up's."""
    t0 = time.monotonic()
    call_id = f"warmup-{uuid.uuid4().hex[:8]}"
    publisher.publish(replayed_transcript(call_id), call_id)
    publisher.flush()
    while call_id not in landed_calls(settings):
        if time.monotonic() - t0 > timeout_s:
            raise TimeoutError(f"the warm-up call did not land within {timeout_s:.0f}s (see {settings.paths.under('log')})")
        time.sleep(0.5)
    return time.monotonic() - t0


def run_load(settings: Settings, minutes: float, rate_per_min: float, drain_s: float = 300.0) -> dict:
    from hotline.app.reconcile import reconcile
    from hotline.app.status import pipeline_status

    segment_sets = stored_segment_sets()
    for name in WORKERS:
        start_service(settings, name, hotline_command(name))
    pids = {name: running_pid(settings, name) for name in WORKERS}
    publisher = Publisher.connect(settings.kafka)
    try:
        warm_up_s = warm_up(settings, publisher)
    except BaseException:
        publisher.close()
        stop_services(settings, WORKERS)
        raise
    sent: dict[str, float] = {}
    landed_at: dict[str, float] = {}
    lag_samples: list[tuple[float, int]] = []
    rss: dict[str, float] = {}
    stop_push = threading.Event()
    t0 = time.monotonic()
    push_s = minutes * 60

    def push() -> None:
        interval = 60.0 / rate_per_min
        i = 0
        while not stop_push.is_set() and time.monotonic() - t0 < push_s:
            due = t0 + i * interval
            stop_push.wait(max(0.0, due - time.monotonic()))
            call_id = f"load-{uuid.uuid4().hex[:12]}"
            publisher.publish(replayed_transcript(call_id, segment_sets[i % len(segment_sets)]), call_id)
            publisher.flush()
            sent[call_id] = time.monotonic()
            i += 1

    pusher = threading.Thread(target=push, daemon=True)
    pusher.start()
    try:
        next_lag = time.monotonic()
        while True:
            now = time.monotonic()
            for c in landed_calls(settings) - landed_at.keys():
                landed_at[c] = now
            for name, pid in pids.items():
                if pid is not None and (m := process_peak_rss_mb(pid)) is not None:
                    rss[name] = m
            if now >= next_lag and now - t0 < push_s:
                st = pipeline_status(settings, sample_s=0)
                lag_samples.append((now - t0, sum(s.total_lag for s in st.stages if s.stage in ("inspection", "sink"))))
                next_lag = now + 10.0
            pushing = pusher.is_alive()
            if not pushing and set(sent) <= landed_at.keys():
                break
            if not pushing and now - t0 > push_s + drain_s:
                break
            time.sleep(0.5)
    finally:
        stop_push.set()
        pusher.join(timeout=10)
        publisher.close()
        stop_services(settings, WORKERS)

    report = reconcile(settings)
    latencies = sorted(landed_at[c] - sent[c] for c in sent if c in landed_at)
    in_window = [c for c, t in landed_at.items() if c in sent and t - t0 <= push_s]
    rss["load-generator"] = peak_rss_mb()
    growing = lag_is_growing(lag_samples, rate_per_min)
    return {
        "minutes": minutes,
        "offered_calls_per_min": rate_per_min,
        # Start-up until the first call landed; not part of the measured window.
        "warm_up_s": round(warm_up_s, 1),
        "sent": len(sent),
        "landed": len(latencies),
        # Calls landed while calls were being pushed, per minute: what the pipeline kept up with.
        "sustained_calls_per_min": round(len(in_window) / minutes, 2),
        "lag_growing": growing,
        "lag_samples": [[round(t, 1), n] for t, n in lag_samples],
        "latency_p50_s": round(statistics.median(latencies), 2) if latencies else None,
        "latency_p95_s": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 2) if latencies else None,
        "lost": report.entered - report.landed - report.dead_lettered,
        "duplicated": len(report.duplicates),
        "reconcile": report.summary(),
        "peak_rss_mb": rss,
        "transcripts": "replayed (ASR stage replaced)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=30.0, help="calls per minute offered")
    parser.add_argument("--drain", type=float, default=300.0, help="seconds to wait for the backlog after pushing")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("kafka").setLevel(logging.ERROR)  # its event-loop timing warnings are noise here
    with tempfile.TemporaryDirectory(prefix="hotline-load-") as tmp:
        root = Path(tmp)
        broker = DevBroker(BrokerSettings(port=free_port()), log_path=root / "broker.log")
        broker.start()
        try:
            settings = Settings(
                paths={"data_dir": root},
                kafka={"bootstrap_servers": broker.bootstrap, "topic_prefix": f"load{uuid.uuid4().hex[:6]}."},
                warehouse={"database": root / "wh" / "hotline.duckdb", "snapshot": root / "wh" / "snapshot.duckdb"},
            )
            ensure_topics(settings.kafka)
            result = run_load(settings, args.minutes, args.rate, args.drain)
            if broker.proc is not None and (m := process_peak_rss_mb(broker.proc.pid)) is not None:
                result["peak_rss_mb"]["broker"] = m
        finally:
            broker.stop()
    for key in ("sustained_calls_per_min", "lag_growing", "latency_p50_s", "latency_p95_s", "lost", "duplicated",
                "peak_rss_mb", "warm_up_s"):
        print(f"{key}: {result[key]}")
    print("lag (s into the run: messages waiting for inspection + sink): "
          + ", ".join(f"{t:.0f}s {n}" for t, n in result["lag_samples"]))
    emit("load", result)


if __name__ == "__main__":
    main()
