"""Sentiment, demands and routing suggestions of CallInspected through a real broker into a real
DuckDB file: stored once, replaced as a whole by a newer inspection, read by the views and the
named queries (scoped variants included)."""

from __future__ import annotations

import json
from datetime import timedelta

import polars as pl
from polars.testing import assert_frame_equal

from hotline.bus import StopFlag
from hotline.contracts import CallInspected, CallMeta, CallSentiment, Demand, Evidence, LlmJudgement, RoutingSuggestion, TurnSentiment, WorkOrderEvent
from hotline.warehouse.access import User, run_scoped
from hotline.warehouse.reader import open_snapshot, query_frame, run_query
from hotline.warehouse.sink import run_sink
from test_warehouse_messages import make_inspection, make_meta, make_transcript
from test_warehouse_sink import IDLE_EXIT_S, publish

QUOTE = Evidence(quote="路灯坏了一个星期了", speaker="caller", start_s=4.0, end_s=7.5, verified=True)


def make_insightful_inspection(meta: CallMeta, *, demands: int = 2, department: str = "江北区城市管理局") -> CallInspected:
    """An inspection carrying the optional insights: caller sentiment, demands, a routing suggestion."""
    base = make_inspection(meta)
    sentiment = CallSentiment(
        method="e5-prototypes-v1",
        overall="anxious",
        turns=(
            TurnSentiment(start_s=4.0, end_s=7.5, label="anxious", margin=0.12),
            TurnSentiment(start_s=12.0, end_s=15.5, label="neutral", margin=0.03),
        ),
        first_third_valence=-0.5,
        last_third_valence=0.0,
        trend="improving",
        evidence=(QUOTE,),
    )
    lines = [
        Demand(
            summary="幸福路十八号路灯损坏一周，要求尽快修复", category="城乡建设/市政设施/路灯", district="江北区", street="幸福街道",
            address="幸福路十八号", urgency="normal", requested_action="维修路灯", todos=("派单至城管", "三日内回访"), source="rules",
            evidence=(QUOTE,),
        ),
        Demand(summary="希望今后定期巡查路灯", source="rules", todos=()),
    ][:demands]
    routing = RoutingSuggestion(
        department=department, rule_id="rule-streetlight", catalogue_version="2025.03", category="城乡建设/市政设施/路灯",
        district="江北区", reason="路灯维护属区城管局职责，事发地在江北区",
    )
    return base.model_copy(update={"sentiment": sentiment, "demands": tuple(lines), "routing": routing})


def work_order(meta: CallMeta, kind: str, minutes: int, department: str | None = None) -> WorkOrderEvent:
    return WorkOrderEvent(
        event_id=f"{meta.call_id}-{kind}", work_order_id=f"WO-{meta.call_id}", call_id=meta.call_id, kind=kind, department=department,
        category="城乡建设/市政设施/路灯", recorded_type="投诉", district="江北区", occurred_at=meta.started_at + timedelta(minutes=minutes),
    )


def dump(settings) -> dict[str, pl.DataFrame]:
    con = open_snapshot(settings.warehouse)
    try:
        return {
            "inspections": con.sql("SELECT * FROM inspections ORDER BY call_id").pl(),
            "sentiment_turns": con.sql("SELECT * FROM sentiment_turns ORDER BY call_id, turn_no").pl(),
            "demands": con.sql("SELECT * FROM demands ORDER BY call_id, idx").pl(),
        }
    finally:
        con.close()


def test_insights_land_once_and_the_queries_show_them(settings):
    meta, plain = make_meta("call-rich"), make_meta("call-plain", team="team-b")
    # The plain call predates the insights: its sentiment and demand come from judged LLM items.
    judged = make_inspection(plain).model_copy(update={"llm": (
        LlmJudgement(name="caller_sentiment", status="judged", reason="ok", value={"label": "angry", "quote": "太慢了"}, model="qwen"),
        LlmJudgement(name="demand_summary", status="judged", reason="ok", value={"summary": "投诉维修太慢", "category": "市政设施", "district": "江南区"}, model="qwen"),
    )})
    messages = [
        make_transcript(meta), make_insightful_inspection(meta), make_transcript(plain), judged,
        work_order(meta, "created", 10), work_order(meta, "dispatched", 30, "江北区住房和城乡建设局"),
    ]
    publish(settings, messages)
    assert run_sink(settings, StopFlag(), idle_exit_s=IDLE_EXIT_S) == len(messages)
    first = dump(settings)

    row = first["inspections"].filter(pl.col("call_id") == "call-rich").row(0, named=True)
    assert (row["sentiment_overall"], row["sentiment_trend"], row["sentiment_method"]) == ("anxious", "improving", "e5-prototypes-v1")
    assert row["sentiment_evidence"][0]["quote"] == QUOTE.quote
    assert (row["routing_department"], row["routing_rule_id"], row["routing_catalogue_version"]) == ("江北区城市管理局", "rule-streetlight", "2025.03")

    cfg = settings.warehouse
    sentiment = run_query(cfg, "access_call_sentiment", call_id="call-rich", scope_centre=None, scope_team=None)
    assert sentiment.select("turn_no", "label", "margin").rows() == [(0, "anxious", 0.12), (1, "neutral", 0.03)]
    assert set(sentiment["overall"]) == {"anxious"} and set(sentiment["source"]) == {"inspection"}
    assert set(sentiment["trend"]) == {"improving"}
    fallback = run_query(cfg, "access_call_sentiment", call_id="call-plain", scope_centre=None, scope_team=None)
    assert fallback.select("overall", "source", "sentiment_quote", "turn_no").rows() == [("angry", "llm", "太慢了", None)]

    demands = run_query(cfg, "access_call_demands", call_id="call-rich", scope_centre=None, scope_team=None)
    assert demands["summary"].to_list() == ["幸福路十八号路灯损坏一周，要求尽快修复", "希望今后定期巡查路灯"]
    assert json.loads(demands["todos"][0]) == ["派单至城管", "三日内回访"] and json.loads(demands["todos"][1]) == []
    assert json.loads(demands["evidence"][0])[0]["quote"] == QUOTE.quote
    assert demands.select("district", "street", "address", "urgency", "source", "machine_extracted").row(0) == (
        "江北区", "幸福街道", "幸福路十八号", "normal", "rules", True)
    plain_demands = run_query(cfg, "access_call_demands", call_id="call-plain", scope_centre=None, scope_team=None)
    assert plain_demands.select("summary", "district", "source").rows() == [("投诉维修太慢", "江南区", "llm_judgement")]

    routing = run_query(cfg, "access_call_routing", call_id="call-rich", scope_centre=None, scope_team=None)
    assert routing.select("department", "rule_id", "dispatched_department", "agrees_with_dispatch").rows() == [
        ("江北区城市管理局", "rule-streetlight", "江北区住房和城乡建设局", False)]
    assert run_query(cfg, "access_call_routing", call_id="call-plain", scope_centre=None, scope_team=None).is_empty()

    # The views read the stored fields: call_facts gets the demand's district and the sentiment.
    con = open_snapshot(cfg)
    try:
        facts = dict(((r[0], r[1:]) for r in con.sql("SELECT call_id, demand_summary, caller_sentiment FROM call_facts").fetchall()))
        suggestion = con.sql("SELECT suggested_department, suggestion_source, routing_rule_id FROM routing_suggestions").fetchall()
    finally:
        con.close()
    assert facts == {"call-rich": ("幸福路十八号路灯损坏一周，要求尽快修复", "anxious"), "call-plain": ("投诉维修太慢", "angry")}
    assert suggestion == [("江北区城市管理局", "catalogue", "rule-streetlight")]

    # Scoped variants: the team lead of team-b sees nothing of team-a's call, the admin sees it all.
    lead = User("lead-b", "班组长乙", "team_lead", centre_id="centre-01", team_id="team-b")
    admin = User("admin", "管理员", "admin")
    runner = lambda name, params: query_frame(con_scoped, name, **params)  # noqa: E731
    con_scoped = open_snapshot(cfg)
    try:
        # The admin gets exactly the rows checked above (read with the scope unrestricted).
        for name, everything in (("access_call_sentiment", sentiment), ("access_call_demands", demands), ("access_call_routing", routing)):
            assert run_scoped(lead, name, runner, {"call_id": "call-rich"}).is_empty(), name
            assert_frame_equal(run_scoped(admin, name, runner, {"call_id": "call-rich"}), everything)
        assert run_scoped(lead, "access_call_demands", runner, {"call_id": "call-plain"})["source"].to_list() == ["llm_judgement"]
        # A policy analyst reads demands with house numbers masked.
        analyst = User("analyst", "分析员", "policy_analyst", centre_id="centre-01")
        masked = run_scoped(analyst, "access_call_demands", runner, {"call_id": "call-rich"})
        assert masked["address"][0] != "幸福路十八号" and masked.height == 2
        # The cockpit's district filter narrows to calls whose demand the inspection located there.
        assert run_scoped(admin, "access_calls", runner, {"district": "江北区"})["call_id"].to_list() == ["call-rich"]
        assert run_scoped(admin, "access_calls", runner, {"district": "江南区"}).is_empty()
        assert run_scoped(admin, "access_calls", runner)["call_id"].len() == 2
    finally:
        con_scoped.close()

    # A replay changes nothing.
    publish(settings, messages)
    assert run_sink(settings, StopFlag(), idle_exit_s=IDLE_EXIT_S) == len(messages)
    again = dump(settings)
    for table, frame in first.items():
        assert_frame_equal(again[table], frame, check_row_order=True)

    # A newer inspection replaces the insights as a whole: one demand left, no sentiment turns.
    newer = make_insightful_inspection(meta, demands=1).model_copy(update={"sentiment": None, "inspected_at": meta.started_at + timedelta(hours=1)})
    publish(settings, [newer])
    assert run_sink(settings, StopFlag(), idle_exit_s=IDLE_EXIT_S) == 1
    after = dump(settings)
    assert after["demands"].filter(pl.col("call_id") == "call-rich").height == 1
    assert after["sentiment_turns"].is_empty()
    assert after["inspections"].filter(pl.col("call_id") == "call-rich")["sentiment_overall"].to_list() == [None]
