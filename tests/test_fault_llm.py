"""The LLM server goes down while calls flow, then comes back (issue 7), with real processes:
the llama-server stand-in, the `hotline inspect-worker` and `hotline sink` on the real broker.

"A minute" down is scaled to DOWN_S for CI. What is checked:

* while it is down, calls keep landing (nothing stuck), their LLM items pending with the
  "unreachable" reason, and the worker stays up;
* once it is back, the worker's next call reaches it without a restart, and ``rejudge_pending``
  asks it again about the calls that waited;
* reconcile: every call in landed exactly once (re-inspection replaces, never doubles).

The stand-in's output is never a judgement (settings.llm.stand_in), so "asked again" is shown by
what the stand-in path records, not by a verdict: the reason moves from "unreachable" to the
stand-in's, with the time it was asked and the tokens the server counted. Turning pending into
judged against a capable server is tested with the scripted endpoint in test_inspection_rejudge.py.
The stand-in decodes slowly on 2 shared cores, so only REJUDGE_LIMIT calls are asked again here
(the limit itself is part of the contract: oldest first, the rest stay pending for the next run).
"""

from __future__ import annotations

import time

import pytest

from hotline.app.reconcile import reconcile
from hotline.app.services import stop_services
from hotline.inspection.llm import STAND_IN_REASON, UNREACHABLE_REASON
from devtools.llm_standin import StandinServer, standin_binary, standin_model
from hotline.settings import LlmSettings
from hotline.warehouse.reader import run_query
from hotline.warehouse.rejudge import rejudge_pending

from fault_kit import alive, assert_nothing_lost_nothing_doubled, logs, publish_transcripts, start, wait_for, wait_until_all_landed

pytestmark = [pytest.mark.llm, pytest.mark.slow]

WORKERS = ("inspect-worker", "sink")
DOWN_S = 30.0  # "a minute", scaled for CI
REJUDGE_LIMIT = 1


def llm_reasons(settings, call_id: str) -> list[str]:
    frame = run_query(settings.warehouse, "access_call_llm", call_id=call_id, scope_centre=None, scope_team=None)
    return frame["reason"].to_list() if frame.height else []


def all_start_with(prefix: str):
    return lambda reasons: bool(reasons) and all(r.startswith(prefix) for r in reasons)


def test_llm_down_then_back_calls_land_pending_then_are_asked_again(settings, tmp_path):
    binary, model = standin_binary(), standin_model()
    if binary is None or model is None:
        pytest.skip("the LLM stand-in is not installed: run ops/llm_standin.sh")
    server = StandinServer(binary, model, log_path=tmp_path / "llama-server.log").start()
    # Replies capped at a few tokens: the stand-in's content is never recorded, and this test is about
    # reaching the server, so it need not wait for SmolLM2 to fill a schema (a cut reply is still
    # the stand-in's "pending", with the cut noted).
    s = settings.model_copy(update={"llm": LlmSettings(base_url=server.base_url, stand_in=True, max_retries=1, timeout_s=300,
                                                       max_tokens=24)})
    try:
        start(s, "sink")
        start(s, "inspect-worker")
        server.stop()  # the LLM goes down ...
        down_at = time.monotonic()
        ids = publish_transcripts(s, "llm-down-a", 2)
        # ... calls keep flowing during the outage, not only at its start.
        time.sleep(DOWN_S / 2)
        ids += publish_transcripts(s, "llm-down-b", 2)
        report = wait_until_all_landed(s, len(ids), 120)
        assert_nothing_lost_nothing_doubled(report, len(ids), s)
        for call_id in ids:
            assert all_start_with(UNREACHABLE_REASON)(llm_reasons(s, call_id)), llm_reasons(s, call_id)
        assert alive(s, "inspect-worker"), logs(s, "inspect-worker")
        time.sleep(max(0.0, DOWN_S - (time.monotonic() - down_at)))

        server.start()  # ... and comes back on the same port
        # The running worker reaches it by itself: its next call is asked (the stand-in's pending).
        ids += publish_transcripts(s, "llm-back", 1)
        assert wait_for(lambda: all_start_with(STAND_IN_REASON)(llm_reasons(s, "llm-back-000")), 600, every_s=1.0), logs(s, "inspect-worker")

        # The calls that waited are asked again, oldest first, up to the limit.
        assert rejudge_pending(s, limit=REJUDGE_LIMIT) == REJUDGE_LIMIT
        asked, waiting = ids[:REJUDGE_LIMIT], ids[REJUDGE_LIMIT:4]
        for call_id in asked:
            assert wait_for(lambda c=call_id: all_start_with(STAND_IN_REASON)(llm_reasons(s, c)), 120, every_s=1.0), llm_reasons(s, call_id)
            judgements = run_query(s.warehouse, "access_call_llm", call_id=call_id, scope_centre=None, scope_team=None)
            # Still pending: a stand-in's reply is never recorded as a judgement.
            assert set(judgements["status"]) == {"pending"} and judgements["value"].null_count() == judgements.height
        for call_id in waiting:
            assert all_start_with(UNREACHABLE_REASON)(llm_reasons(s, call_id))

        report = reconcile(s)
        assert_nothing_lost_nothing_doubled(report, len(ids), s)
        assert alive(s, "inspect-worker") and alive(s, "sink")
    finally:
        server.stop()
        stop_services(s, WORKERS)
