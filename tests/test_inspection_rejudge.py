"""Calls inspected while the LLM was down are asked again once it answers (warehouse/rejudge.py).

Real broker, real sink, real DuckDB snapshot; the LLM endpoint is the scripted HTTP server of
tests/llm_kit.py (the llama-server stand-in runs the same path in tests/test_fault_llm.py).
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from llm_kit import ScriptedServer, completion

from hotline.broker import free_port
from hotline.bus import Publisher, StopFlag
from hotline.contracts import CallMeta, Segment, TranscriptReady
from hotline.inspection.llm import STAND_IN_REASON, UNREACHABLE_REASON, LlmClient
from hotline.inspection.llm_prompts import PROMPT_VERSION
from hotline.inspection.scorecard import load_scorecard
from hotline.inspection.worker import InspectionKit, inspect_call
from hotline.settings import InspectionSettings, LlmSettings, Settings
from hotline.warehouse.reader import run_internal, run_query
from hotline.warehouse.rejudge import find_pending_transcripts, rejudge_pending
from hotline.warehouse.sink import run_sink

SCORECARD = load_scorecard()
SEGMENTS = (
    Segment(speaker="agent", start_s=0.4, end_s=3.0, text="您好，12345热线，请问有什么可以帮您？"),
    Segment(speaker="caller", start_s=3.5, end_s=10.0, text="我家住在朝阳区幸福路18号，已经停水两天了，我真的很着急。"),
    Segment(speaker="agent", start_s=10.5, end_s=15.0, text="理解您的心情，地址是朝阳区幸福路18号对吗？我马上帮您联系供水公司。"),
    Segment(speaker="agent", start_s=17.5, end_s=21.0, text="好的，工单已经派发，今天之内会有人联系您。感谢您的来电，再见。"),
)
# Evidence is a turn number (turn n is SEGMENTS[n - 1]): 2 is the caller's, 3 the agent's.
GOOD = {
    "caller_sentiment": {"label": "anxious", "turn": 2},
    "demand_summary": {"summary": "幸福路18号停水两天", "category": "其他", "district": "朝阳区"},
    **{f"item_{i.id}": {"verdict": "failed", "turn": 3} for i in SCORECARD.llm_items},
    "demands": {"demands": [{"summary": "停水两天要求恢复供水", "category": "", "district": "朝阳区", "street": "", "address": "幸福路18号",
                             "urgency": "high", "requested_action": "恢复供水", "todos": [], "turn": 2}]},
}


@pytest.fixture(scope="module")
def kit() -> InspectionKit:
    """The scorecard and embedding model, loaded once for the module (the first embedding takes ~10 s)."""
    return InspectionKit.load(Settings())


def answer_good(payload, n):
    return 200, completion(GOOD[payload["response_format"]["json_schema"]["name"]])


def transcript(call_id: str) -> TranscriptReady:
    meta = CallMeta(call_id=call_id, centre_id="c1", team_id="t1", agent_id="a1",
                    started_at=datetime(2025, 3, 1, 9, tzinfo=timezone.utc), channel_layout="stereo", agent_channel=0)
    return TranscriptReady(meta=meta, duration_s=22, language="zh", asr_model="test", segments=SEGMENTS, processing_s=0.1)


def land_while_llm_down(settings, call_ids: list[str]) -> None:
    """Inspect with nothing listening on the LLM port, publish transcript + inspection, let the sink store them."""
    down = LlmSettings(base_url=f"http://127.0.0.1:{free_port()}/v1", model="m", max_retries=0, timeout_s=2)
    pub = Publisher.connect(settings.kafka)
    with LlmClient(down) as client:
        for call_id in call_ids:
            t = transcript(call_id)
            inspected, _ = inspect_call(t, scorecard=SCORECARD, categoriser=None, llm=client, settings=InspectionSettings())
            pub.publish(t, call_id)
            pub.publish(inspected, call_id)
    pub.flush()
    pub.close()
    drain_sink(settings)


def drain_sink(settings) -> None:
    run_sink(settings, StopFlag(), idle_exit_s=2.0)


def llm_rows(settings, call_id: str):
    admin = {"scope_centre": None, "scope_team": None}
    return (run_query(settings.warehouse, "access_call_llm", call_id=call_id, **admin),
            run_query(settings.warehouse, "access_call_checks", call_id=call_id, **admin))


def with_llm(settings, **llm):
    return settings.model_copy(update={"llm": LlmSettings(model="scripted", max_retries=0, timeout_s=10, **llm)})


def test_pending_calls_are_judged_once_the_llm_answers_and_never_doubled(settings, kit):
    land_while_llm_down(settings, ["rj-1", "rj-2"])
    judgements, checks = llm_rows(settings, "rj-1")
    assert set(judgements["status"]) == {"pending"} and all(r.startswith(UNREACHABLE_REASON) for r in judgements["reason"])
    score_before = run_query(settings.warehouse, "access_call", call_id="rj-1", scope_centre=None, scope_team=None)["score"][0]

    # Still down: the run stops at the first call and publishes nothing.
    still_down = with_llm(settings, base_url=f"http://127.0.0.1:{free_port()}/v1")
    assert rejudge_pending(still_down, kit=kit) == 0

    with ScriptedServer(answer_good) as srv:
        assert rejudge_pending(with_llm(settings, base_url=srv.base_url), limit=1, kit=kit) == 1
        drain_sink(settings)
        assert rejudge_pending(with_llm(settings, base_url=srv.base_url), kit=kit) == 1  # the other call
        drain_sink(settings)
        assert rejudge_pending(with_llm(settings, base_url=srv.base_url), kit=kit) == 0  # nothing left to ask
    judgements, checks = llm_rows(settings, "rj-1")
    assert set(judgements["name"]) == {"caller_sentiment", "demand_summary", "demands"}
    assert set(judgements["status"]) == {"judged"} and set(judgements["model"]) == {"scripted"}
    assert set(judgements["prompt_version"]) == {PROMPT_VERSION}
    llm_checks = checks.filter(checks["kind"] == "llm")
    assert llm_checks.height == len(SCORECARD.llm_items) and set(llm_checks["status"]) == {"failed"}
    # The rule items and the score were recomputed with the LLM's verdicts (all failed here).
    detail = run_query(settings.warehouse, "access_call", call_id="rj-1", scope_centre=None, scope_team=None)
    assert detail["score"][0] < score_before and detail["review_state"][0] != "auto_pass"
    # Re-inspection replaced the call's rows: nothing doubled.
    assert run_internal(settings.warehouse, "reconcile_duplicates").height == 0
    assert checks.height == len(SCORECARD.items)


def test_a_stand_in_is_asked_but_never_turns_pending_into_judged(settings, kit):
    land_while_llm_down(settings, ["rj-s"])
    with ScriptedServer(answer_good) as srv:
        stand_in = with_llm(settings, base_url=srv.base_url, stand_in=True)
        assert rejudge_pending(stand_in, kit=kit) == 1
        asked = len(srv.requests)
        drain_sink(settings)
        # Asked (the reason moved from "unreachable" to the stand-in's), still pending.
        judgements, checks = llm_rows(settings, "rj-s")
        assert set(judgements["status"]) == {"pending"} and all(r.startswith(STAND_IN_REASON) for r in judgements["reason"])
        assert set(checks.filter(checks["kind"] == "llm")["status"]) == {"pending"}
        # Asking the stand-in again would change nothing: it is not asked again ...
        assert rejudge_pending(stand_in, kit=kit) == 0 and len(srv.requests) == asked
        # ... but a capable endpoint would be.
        assert [t.call_id for t in find_pending_transcripts(settings, since=None, limit=None, stand_in_endpoint=False)] == ["rj-s"]


def test_rebuilt_transcript_is_the_one_that_was_inspected(settings):
    land_while_llm_down(settings, ["rj-t"])
    [rebuilt] = find_pending_transcripts(settings, since=None, limit=None, stand_in_endpoint=False)
    original = transcript("rj-t")
    assert rebuilt.meta == original.meta and rebuilt.segments == original.segments
    assert find_pending_transcripts(settings, since=datetime(2026, 1, 1, tzinfo=timezone.utc), limit=None, stand_in_endpoint=False) == []


def test_rejudge_is_scheduled_only_for_a_capable_endpoint():
    from hotline.warehouse.jobs import default_jobs

    def jobs(**llm):
        s = Settings(llm=llm)
        return default_jobs(s, s.jobs)

    assert "rejudge" not in jobs()
    assert "rejudge" not in jobs(base_url="http://vllm:8000/v1", stand_in=True)
    func, trigger = jobs(base_url="http://vllm:8000/v1", rejudge_every_min=15)["rejudge"]
    assert trigger == {"trigger": "interval", "minutes": 15} and callable(func)
