"""The local judge in the loop, as the demo runs it: calls land first, the LLM judges them after.

A sample call goes through the real broker, the real ASR, inspection and sink processes with no LLM
configured, so it lands with its LLM items pending. Then `judge_pending_calls` (what `hotline judge`
runs) starts the local judge as a pid-tracked `llm-server` service with the real Qwen2.5-Coder-0.5B
and re-inspects the call; the sink replaces its inspection. The warehouse then holds real
judgements (judged or sent to a person, none pending), each judged item citing a turn of the call
verbatim, and `hotline status`'s progress query counts the call as no longer pending.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from hotline.app.demo import DEMO_VARIANT
from hotline.app.local_judge import judge_pending_calls
from hotline.app.services import hotline_command, log_dir, start_service, stop_services
from hotline.asr.model_files import prepare_whisper_model
from hotline.bus import Publisher
from hotline.ingest.stream import ingest_paths
from hotline.inspection.local_llm import llama_server_binary, model_id
from hotline.warehouse.reader import run_query

from test_end_to_end import _wait_for_accounting

pytestmark = [pytest.mark.llm, pytest.mark.slow]

MODEL = Path(__file__).resolve().parents[1] / "var" / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
WORKERS = ("asr-worker", "inspect-worker", "sink")


def llm_states(s) -> dict[str, int]:
    frame = run_query(s.warehouse, "access_llm_progress", scope_centre=None, scope_team=None)
    return dict(zip(frame["state"].to_list(), frame["calls"].to_list()))


def test_calls_land_pending_then_the_local_judge_judges_them(settings, sample_calls, tmp_path):
    if llama_server_binary() is None or not MODEL.is_file():
        pytest.skip("the local judge needs llama-server (ops/llm_standin.sh) and the 0.5B GGUF (`hotline models`)")
    from hotline.broker import free_port

    s = settings.model_copy(update={"llm": settings.llm.model_copy(update={
        "local_model_path": MODEL, "local_port": free_port(), "local_threads": 1, "local_ctx_size": 4096, "timeout_s": 600.0})})
    prepare_whisper_model(s.asr.model_dir)
    for name in WORKERS:
        start_service(s, name, hotline_command(name))
    try:
        pub = Publisher.connect(s.kafka)
        report = ingest_paths([sample_calls[0] / DEMO_VARIANT], s.ingest, pub, progress=False)
        pub.close()
        (call_id,) = report.sent
        acct = _wait_for_accounting(s, {call_id}, timeout_s=600)
        assert acct.landed == 1, f"logs in {log_dir(s)}"
        assert llm_states(s) == {"pending": 1}

        assert judge_pending_calls(s, build=False, timeout_s=120) == 1

        deadline = time.monotonic() + 120
        while llm_states(s).get("pending") and time.monotonic() < deadline:
            time.sleep(1.0)
        assert "pending" not in llm_states(s)
    finally:
        stopped = stop_services(s, ("llm-server", *WORKERS))
    assert "llm-server" in stopped  # it ran as a pid-tracked service, and `hotline stop` would end it

    judgements = run_query(s.warehouse, "access_call_llm", call_id=call_id, scope_centre=None, scope_team=None)
    assert judgements.height >= 3 and set(judgements["status"]) <= {"judged", "needs_review"}
    assert set(judgements["model"]) == {model_id(MODEL)}
    turns = run_query(s.warehouse, "access_call_turns", call_id=call_id, scope_centre=None, scope_team=None)["text"].to_list()
    for row in judgements.filter(judgements["status"] == "judged").iter_rows(named=True):
        value = json.loads(row["value"])
        quotes = [value["quote"]] if "quote" in value else [d["quote"] for d in value.get("demands", ())]
        assert all(q in turns for q in quotes), (row["name"], quotes)
    checks = run_query(s.warehouse, "access_call_checks", call_id=call_id, scope_centre=None, scope_team=None)
    llm_checks = checks.filter(checks["kind"] == "llm")
    assert llm_checks.height > 0 and "pending" not in set(llm_checks["status"])
    for row in llm_checks.iter_rows(named=True):
        if row["status"] in ("passed", "failed"):
            assert row["evidence"] and all(e["verified"] for e in row["evidence"]), row
