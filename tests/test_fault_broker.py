"""The broker goes away and comes back: workers do not crash, and resume.

Only this much can be tested here. The development broker keeps everything in memory, so a
restart loses every topic and committed offset: "nothing lost across a broker restart" is a
property of a real Kafka cluster (replicated, durable logs; offsets in __consumer_offsets) and
must be tested against one. What is tested: both workers survive the outage without exiting,
and calls sent to the restarted broker are inspected and landed exactly once.
"""

from __future__ import annotations

import time

from hotline.app.services import stop_services
from hotline.broker import DevBroker, free_port, port_open
from hotline.bus import ensure_topics
from hotline.settings import BrokerSettings, Settings

from fault_kit import alive, assert_nothing_lost_nothing_doubled, logs, publish_transcripts, start, wait_for, wait_until_all_landed

WORKERS = ("inspect-worker", "sink")
OUTAGE_S = 5.0


def test_workers_survive_a_broker_restart_and_resume(tmp_path):
    port = free_port()
    broker = DevBroker(BrokerSettings(port=port), log_path=tmp_path / "broker-1.log").start()
    s = Settings(
        paths={"data_dir": tmp_path},
        kafka={"bootstrap_servers": broker.bootstrap, "topic_prefix": "brk.", "client_id": "hotline-test"},
        warehouse={"database": tmp_path / "wh" / "hotline.duckdb", "snapshot": tmp_path / "wh" / "snapshot.duckdb"},
    )
    try:
        ensure_topics(s.kafka)
        for name in WORKERS:
            start(s, name)
        publish_transcripts(s, "before", 3)
        assert wait_until_all_landed(s, 3, 120).landed == 3, {w: logs(s, w) for w in WORKERS}

        broker.stop()
        assert wait_for(lambda: not port_open("127.0.0.1", port), 10)
        time.sleep(OUTAGE_S)  # the outage itself, not a wait for anything
        assert all(alive(s, w) for w in WORKERS), {w: logs(s, w) for w in WORKERS}

        broker = DevBroker(BrokerSettings(port=port), log_path=tmp_path / "broker-2.log").start()
        ensure_topics(s.kafka)
        ids = publish_transcripts(s, "after", 3)
        report = wait_until_all_landed(s, len(ids), 180)
        # The restarted broker knows only the calls sent to it; the warehouse still holds the earlier ones.
        assert_nothing_lost_nothing_doubled(report, len(ids), s)
        assert set(report.unexplained) == {f"before-{i:03d}" for i in range(3)}
        assert all(alive(s, w) for w in WORKERS), {w: logs(s, w) for w in WORKERS}
    finally:
        stop_services(s, WORKERS)
        broker.stop()
