"""What `hotline status` and `hotline reconcile` tell an operator when the pipeline is not whole: a
stage with lag and nobody reading it, a worker killed with SIGKILL, a restart of the memory-only
development broker. Real broker, real worker processes, a real warehouse."""

from __future__ import annotations

import threading

from bench.load import replayed_transcript
from hotline.app.reconcile import format_report, reconcile
from hotline.app.services import stop_services
from hotline.app.status import format_status, pipeline_status
from hotline.broker import DevBroker, free_port, port_open
from hotline.bus import Publisher, StopFlag, ensure_topics
from hotline.contracts import DeadLetter
from hotline.settings import BrokerSettings, Settings
from hotline.warehouse.sink import run_sink

from fault_kit import kill9, logs, start, wait_for


def _stages(settings) -> dict:
    return {s.stage: s for s in pipeline_status(settings, sample_s=0).stages}


def test_status_says_when_nobody_reads_a_lagging_stage_and_when_its_worker_was_killed(settings):
    pub = Publisher.connect(settings.kafka)
    pub.publish(replayed_transcript("ops-1"), "ops-1")
    pub.flush()

    # No inspection worker was ever started: lag, and nobody to work it off.
    inspection = _stages(settings)["inspection"]
    assert inspection.total_lag == 1 and inspection.members == 0
    assert "no consumer attached" in inspection.problem and "`hotline inspect-worker`" in inspection.problem

    try:
        pid = start(settings, "sink")
        assert wait_for(lambda: _stages(settings)["sink"].total_lag == 0, 90), logs(settings, "sink")
        assert _stages(settings)["sink"].problem is None
        # Killed: it never leaves its group (the development broker keeps listing it), and lag builds up.
        kill9(settings, "sink")
        pub.publish(replayed_transcript("ops-2"), "ops-2")
        pub.flush()
        status = pipeline_status(settings, sample_s=0)
    finally:
        pub.close()
        stop_services(settings, ("sink",))
    sink = next(s for s in status.stages if s.stage == "sink")
    assert sink.total_lag >= 1
    assert f"no live consumer: sink (pid {pid}" in sink.problem and "is not running" in sink.problem
    assert "`hotline sink`" in sink.problem
    text = format_status(status)
    assert f"PROBLEM: no live consumer: sink (pid {pid}" in text and "PROBLEM: no consumer attached" in text


def test_after_the_development_broker_restarts_status_and_reconcile_say_it_lost_its_log(tmp_path):
    port = free_port()
    broker = DevBroker(BrokerSettings(port=port), log_path=tmp_path / "broker-1.log").start()
    s = Settings(
        paths={"data_dir": tmp_path},
        kafka={"bootstrap_servers": broker.bootstrap, "topic_prefix": "rst.", "client_id": "hotline-test"},
        warehouse={"database": tmp_path / "wh" / "hotline.duckdb", "snapshot": tmp_path / "wh" / "snapshot.duckdb"},
    )
    try:
        ensure_topics(s.kafka)
        pub = Publisher.connect(s.kafka)
        for name in ("unreadable-1", "unreadable-2"):
            pub.publish(DeadLetter(stage="ingest", call_id=name, reason="cannot decode", error_type="RecordingError"), name)
        pub.flush()
        pub.close()
        stop = StopFlag()
        sink = threading.Thread(target=run_sink, args=(s, stop), daemon=True)
        sink.start()
        try:
            stored = wait_for(lambda: (r := reconcile(s)).dead_lettered == 2 and r, 90)
        finally:
            stop.set()
            sink.join(timeout=30)
        assert stored and stored.summary()["in"] == 2
        before = pipeline_status(s, sample_s=0)
        assert (before.dead_letters, before.dead_letters_stored, before.dead_letters_note) == (2, 2, None)

        broker.stop()
        assert wait_for(lambda: not port_open("127.0.0.1", port), 10)
        broker = DevBroker(BrokerSettings(port=port), log_path=tmp_path / "broker-2.log").start()
        ensure_topics(s.kafka)

        after = pipeline_status(s, sample_s=0)
        report = reconcile(s)
    finally:
        broker.stop()
    # Not "0 on the topic (ingest 2)": both counts say where they come from, and why they differ.
    assert (after.dead_letters, after.dead_letters_stored) == (0, 2)
    assert "2 stored in the warehouse (ingest 2); 0 on the dead-letter topic" in format_status(after)
    assert "broker lost its log" in after.dead_letters_note and "development broker" in after.dead_letters_note
    # Reconcile does not blame retention for what a restarted memory-only broker forgot.
    assert set(report.unexplained) == {"unreadable-1", "unreadable-2"}
    text = format_report(report)
    assert "broker lost its log" in text and "retention" not in text
