"""Work orders that disagree with the call (issue 4): the caller's demand type from their own words,
a complaint recorded as a 咨询 (downgrade), and a demand no work order covers. Inspections and work
orders go through a real broker and the real sink into a real DuckDB file; the named query reads
them scoped like every dashboard query."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from hotline.bus import StopFlag
from hotline.contracts import CallMeta, CallSentiment, Demand, Evidence, Segment, TranscriptReady, WorkOrderEvent
from hotline.inspection.demand_type import classify_demand_type
from hotline.inspection.llm import LlmClient
from hotline.inspection.scorecard import load_scorecard
from hotline.inspection.worker import inspect_call
from devtools.samples.scripts import load_scripts
from devtools.samples.work_orders import sample_work_order_events
from hotline.settings import InspectionSettings, LlmSettings
from hotline.warehouse.access import User, run_scoped
from hotline.warehouse.reader import run_query
from hotline.warehouse.sink import run_sink
from test_warehouse_messages import make_inspection, make_meta, make_transcript
from test_warehouse_sink import IDLE_EXIT_S, publish


def turns(*lines: tuple[str, str]) -> list[Segment]:
    return [Segment(speaker=who, start_s=i * 5.0, end_s=i * 5.0 + 4.0, text=text) for i, (who, text) in enumerate(lines)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lines", "expected", "quote"),
    [
        ((("agent", "您好，12345热线"), ("caller", "你好，我要投诉我们小区的物业，电梯坏了一个星期")), "投诉", "我要投诉我们小区的物业"),
        ((("caller", "我不是来投诉的，我是想表扬一下社区的王书记"),), "表扬", "我是想表扬一下社区的王书记"),
        ((("caller", "请问孩子上小学要准备哪些材料"),), "咨询", "请问孩子上小学要准备哪些材料"),
        ((("caller", "我要举报隔壁工厂晚上偷排废水"),), "举报", "我要举报隔壁工厂晚上偷排废水"),
        ((("caller", "路灯坏了半个月，一直没人修"),), "投诉", "一直没人修"),
        # The agent's words do not make the caller's demand a complaint.
        ((("agent", "您是要投诉吗"), ("caller", "我家的水管爆了")), None, None),
    ],
)
def test_demand_type_comes_from_the_callers_words(lines, expected, quote):
    segments = turns(*lines)
    kind, evidence = classify_demand_type(segments)
    assert kind == expected
    if quote is None:
        assert evidence == ()
    else:
        assert evidence[0].quote == quote and evidence[0].speaker == "caller" and evidence[0].verified


def test_an_angry_caller_without_a_type_word_is_a_complaint_with_the_sentiment_quote():
    segments = turns(("caller", "我家的水管爆了三天了"))
    quote = Evidence(quote="我家的水管爆了三天了", speaker="caller", start_s=0.0, end_s=4.0, verified=True)
    angry = CallSentiment(method="test", overall="angry", evidence=(quote,))
    assert classify_demand_type(segments, angry) == ("投诉", (quote,))
    assert classify_demand_type(segments, angry.model_copy(update={"overall": "neutral"})) == (None, ())


COMPLAINT = Evidence(quote="我要投诉", speaker="caller", start_s=4.0, end_s=5.0, verified=True)
PARKING = Evidence(quote="门口天天有车乱停", speaker="caller", start_s=12.0, end_s=14.0, verified=True)


def order_event(meta: CallMeta, order: str, kind: str, minutes: int, *, recorded_type: str, category: str) -> WorkOrderEvent:
    return WorkOrderEvent(
        event_id=f"{order}-{kind}", work_order_id=order, call_id=meta.call_id, kind=kind, category=category, recorded_type=recorded_type,
        department="江北区城市管理局" if kind == "dispatched" else None, occurred_at=meta.started_at + timedelta(minutes=minutes),
    )


def test_downgrade_and_omitted_demand_are_found_with_the_callers_words(settings):
    wrong, right, other_team = make_meta("call-wrong"), make_meta("call-right"), make_meta("call-other", team="team-b")
    demands = (
        Demand(summary="工地半夜施工", category="城乡建设/噪音扰民", source="rules", demand_type="投诉", type_evidence=(COMPLAINT,), evidence=(COMPLAINT,)),
        Demand(summary="门口车辆乱停", category="交通运输/停车与交通秩序", source="rules", evidence=(PARKING,)),
    )
    messages = []
    for meta in (wrong, right, other_team):
        messages += [make_transcript(meta), make_inspection(meta).model_copy(update={"demands": demands})]
    # call-wrong: one order, recorded as a 咨询, covering only the noise.
    messages += [order_event(wrong, "WO-1", "created", 5, recorded_type="咨询", category="城乡建设/噪音扰民"),
                 order_event(wrong, "WO-1", "dispatched", 20, recorded_type="咨询", category="城乡建设/噪音扰民")]
    # call-right: a 投诉 order for the noise and a second order for the parking.
    messages += [order_event(right, "WO-2", "created", 5, recorded_type="投诉", category="城乡建设/噪音扰民"),
                 order_event(right, "WO-3", "created", 6, recorded_type="投诉", category="交通运输")]
    messages += [order_event(other_team, "WO-4", "created", 5, recorded_type="求助", category="城乡建设")]
    publish(settings, messages)
    assert run_sink(settings, StopFlag(), idle_exit_s=IDLE_EXIT_S) == len(messages)

    cfg = settings.warehouse
    stored = run_query(cfg, "access_call_demands", call_id="call-wrong", scope_centre=None, scope_team=None)
    assert stored["demand_type"].to_list() == ["投诉", None]
    assert json.loads(stored["type_evidence"][0])[0]["quote"] == "我要投诉" and json.loads(stored["type_evidence"][1]) == []

    found = run_query(cfg, "access_routing_discrepancies", scope_centre=None, scope_team=None, date_from=None, date_to=None, limit=None)
    rows = {(r["call_id"], r["discrepancy"]): r for r in found.iter_rows(named=True)}
    assert set(rows) == {("call-wrong", "downgraded"), ("call-wrong", "omitted_demand"), ("call-other", "downgraded"), ("call-other", "omitted_demand")}
    down = rows[("call-wrong", "downgraded")]
    assert (down["work_order_id"], down["recorded_type"], down["found_type"], down["quote"]) == ("WO-1", "咨询", "投诉", "我要投诉")
    omitted = rows[("call-wrong", "omitted_demand")]
    assert (omitted["found_category"], omitted["quote"], omitted["recorded_category"]) == ("交通运输/停车与交通秩序", "门口天天有车乱停", "城乡建设")

    def run(name, params):
        return run_query(cfg, name, **params)

    lead = User(username="lead", display_name="组长", role="team_lead", centre_id="centre-01", team_id="team-a")
    seen = run_scoped(lead, "access_routing_discrepancies", run, {"date_from": None, "date_to": None, "limit": None})
    assert set(seen["call_id"]) == {"call-wrong"}
    elsewhere = User(username="sup", display_name="质检", role="qa_supervisor", centre_id="centre-99")
    assert run_scoped(elsewhere, "access_routing_discrepancies", run, {"date_from": None, "date_to": None, "limit": None}).is_empty()


def script_transcript(call_id: str) -> TranscriptReady:
    script = next(c for c in load_scripts().calls if c.call_id == call_id)
    meta = CallMeta(call_id=call_id, centre_id="centre-01", team_id="team-a", agent_id=script.agent_id, caller_number=script.caller_number,
                    started_at=script.started_at, channel_layout="stereo", agent_channel=0)
    segments, t = [], 0.0
    for turn in script.turns:
        dur = max(len(turn.text) / 4.0, 0.5)
        segments.append(Segment(speaker="agent" if turn.role == "agent" else "caller", start_s=round(t, 2), end_s=round(t + dur, 2), text=turn.text))
        t += dur + 0.6
    return TranscriptReady(meta=meta, is_final=True, duration_s=t, language="zh", asr_model="script", segments=tuple(segments),
                           processing_s=0.0, transcribed_at=meta.started_at + timedelta(minutes=5))


def test_the_sample_history_plants_a_downgrade_the_inspection_finds(settings):
    """The sample work-order history records one complaint as a 咨询; inspecting that call's own
    words (rules, no LLM) and storing both shows it as downgraded."""
    events = sample_work_order_events()
    planted = {e.call_id for e in events if e.kind == "created" and e.recorded_type == "咨询"} - {"c008-school-enrolment"}
    assert planted == {"c006-property"}
    transcript = script_transcript("c006-property")
    inspected, _ = inspect_call(transcript, scorecard=load_scorecard(), categoriser=None, llm=LlmClient(LlmSettings()), settings=InspectionSettings())
    assert inspected.demands[0].demand_type == "投诉" and "投诉" in inspected.demands[0].type_evidence[0].quote
    messages = [transcript, inspected, *(e for e in events if e.call_id == "c006-property")]
    publish(settings, messages)
    assert run_sink(settings, StopFlag(), idle_exit_s=IDLE_EXIT_S) == len(messages)
    found = run_query(settings.warehouse, "access_routing_discrepancies", scope_centre=None, scope_team=None, date_from=None, date_to=None, limit=None)
    assert found.select("call_id", "discrepancy", "recorded_type", "found_type").rows() == [("c006-property", "downgraded", "咨询", "投诉")]
    assert "投诉" in found["quote"][0]
    assert found["detail"][0] == "来电人投诉，工单记为咨询"
