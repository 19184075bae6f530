"""Workers killed with SIGKILL mid-stream, and an LLM that hangs or is gone: after each, every call
that entered has landed exactly once (reconcile: nothing lost, nothing doubled).

Real `hotline` processes on the real broker; hand-built transcripts stand in for the ASR stage,
so no Whisper time is spent.
"""

from __future__ import annotations

import socket
import threading

import pytest

from hotline.app.services import stop_services
from hotline.broker import free_port
from hotline.settings import LlmSettings
from hotline.warehouse.reader import run_query

from fault_kit import (
    GroupProgress, alive, assert_nothing_lost_nothing_doubled, committed_part, kill9, logs, publish_transcripts, start,
    wait_for, wait_until_all_landed,
)

WORKERS = ("inspect-worker", "sink")


@pytest.fixture
def workers(settings):
    yield settings
    stop_services(settings, WORKERS)


def test_inspection_worker_killed_mid_stream_loses_and_doubles_nothing(workers):
    s = workers
    n = 40
    publish_transcripts(s, "kill-insp", n)
    start(s, "sink")
    start(s, "inspect-worker")
    # Killed once it has committed some transcripts but not all: the rest is uncommitted work.
    mid = wait_for(lambda: (p := committed_part(s, "inspection"))[0] > 0 and p[1] > 0 and p, 120, every_s=0.1)
    assert mid, f"inspection never got going; log: {logs(s, 'inspect-worker')}"
    kill9(s, "inspect-worker")
    start(s, "inspect-worker")
    report = wait_until_all_landed(s, n, 180)
    assert_nothing_lost_nothing_doubled(report, n, s)
    assert alive(s, "inspect-worker") and alive(s, "sink")


def test_sink_killed_mid_batch_recovers_the_warehouse_and_doubles_nothing(settings):
    # Small batches: the sink is always between a DuckDB write and its offset commit somewhere.
    s = settings.model_copy(update={"warehouse": settings.warehouse.model_copy(update={"batch_max_messages": 2})})
    n = 40
    try:
        start(s, "inspect-worker")
        start(s, "sink")
        # The sink must have a warehouse to lose first: let a few calls land.
        publish_transcripts(s, "kill-sink-a", 4)
        assert wait_until_all_landed(s, 4, 120).landed == 4, logs(s, "sink")
        kill9(s, "sink")
        # Then a backlog for it (transcripts, inspections, alerts), written two messages a transaction.
        publish_transcripts(s, "kill-sink-b", n - 4)
        assert wait_for(lambda: committed_part(s, "inspection") == (n, 0), 120), logs(s, "inspect-worker")
        progress = GroupProgress(s, "sink")
        try:
            before = progress.committed()
            start(s, "sink")
            mid = wait_for(lambda: progress.committed() > before + 4, 120, every_s=0.02)
        finally:
            progress.close()
        assert mid, f"sink never got going; log: {logs(s, 'sink')}"
        kill9(s, "sink")
        assert committed_part(s, "sink")[1] > 0, "the sink had finished before it was killed: nothing was tested"
        start(s, "sink")
        report = wait_until_all_landed(s, n, 180)
        assert_nothing_lost_nothing_doubled(report, n, s)
        turns = run_query(s.warehouse, "access_call_turns", call_id="kill-sink-b-000", scope_centre=None, scope_team=None)
        assert turns.height == 5 and sorted(turns["turn_no"].to_list()) == list(range(5))
    finally:
        stop_services(s, WORKERS)


class HangingLlm:
    """Accepts connections and reads requests, never answers: an LLM request stays in flight."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.got_request = threading.Event()
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._conns.append(conn)
            conn.settimeout(5)
            try:
                if conn.recv(4096):
                    self.got_request.set()
            except OSError:
                pass

    def close(self) -> None:
        self.sock.close()
        for c in self._conns:
            c.close()


def test_inspection_killed_while_llm_request_in_flight_then_llm_down_calls_land_pending(settings):
    hanging = HangingLlm()
    n = 6
    s_hang = settings.model_copy(update={"llm": LlmSettings(base_url=f"http://127.0.0.1:{hanging.port}/v1", model="m",
                                                              timeout_s=120, max_retries=0)})
    # Nothing listens on this port: the LLM is down for the rest of the test.
    s_down = settings.model_copy(update={"llm": LlmSettings(base_url=f"http://127.0.0.1:{free_port()}/v1", model="m",
                                                              timeout_s=5, max_retries=1)})
    try:
        publish_transcripts(settings, "llm-fault", n)
        start(s_hang, "sink")
        start(s_hang, "inspect-worker")
        assert hanging.got_request.wait(120), logs(s_hang, "inspect-worker")
        kill9(s_hang, "inspect-worker")
        hanging.close()
        start(s_down, "inspect-worker")
        report = wait_until_all_landed(s_down, n, 180)
        assert_nothing_lost_nothing_doubled(report, n, s_down)
        # The LLM items were never guessed: pending, with the reason, so they can be asked again later.
        llm = run_query(s_down.warehouse, "access_call_llm", call_id="llm-fault-000", scope_centre=None, scope_team=None)
        assert llm.height > 0 and set(llm["status"].to_list()) == {"pending"}
        assert all("failed after" in r or "Connect" in r for r in llm["reason"].to_list()), llm["reason"].to_list()
    finally:
        hanging.close()
        stop_services(settings, WORKERS)
