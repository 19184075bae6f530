"""Per-agent/team/centre reports and routing analytics, on a real warehouse with known answers."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from hotline.contracts import CallInspected, CategorySuggestion, LlmJudgement
from devtools.samples.work_orders import assign_stories, sample_calls_from_scripts, sample_work_order_events
from hotline.settings import WarehouseSettings
from hotline.warehouse.reader import run_query
from hotline.warehouse.store import seed_warehouse
from test_warehouse_messages import DAY1, make_inspection, make_meta, make_transcript

# agent -> (team, [(score, greeting failed)])
PLAN = {
    "agent-1": ("team-a", [(60.0, True), (60.0, True), (60.0, True), (90.0, False)]),
    "agent-2": ("team-a", [(90.0, False)] * 4),
    "agent-3": ("team-b", [(70.0, True), (80.0, False)]),
}

SUBCATEGORY_TO_SUGGESTION = {
    "停水": "公用事业/供水", "停电": "公用事业/供电", "夜间施工噪音": "城乡建设/噪音扰民", "拖欠工资": "劳动和社会保障/拖欠工资",
    "社保": "劳动和社会保障/社保医保", "物业": "物业管理/物业服务", "交通": "交通运输/停车与交通秩序", "入学": "教育文体/入学",
    "表扬": "表扬建议/表扬",
}


def _with_sentiment(msg: CallInspected, label: str) -> CallInspected:
    judged = LlmJudgement(name="caller_sentiment", status="judged", reason="judged by LLM", value={"label": label, "quote": "太气人了", "reason": "x"}, model="m")
    return msg.model_copy(update={"llm": msg.llm + (judged,)})


def report_messages() -> list:
    """Three agents in two teams; agent-1 keeps failing the greeting (also used by the jobs tests)."""
    messages = []
    for agent, (team, calls) in PLAN.items():
        for n, (score, greeting_failed) in enumerate(calls):
            meta = make_meta(f"{agent}-call-{n}", started_at=DAY1 + timedelta(days=7 * (n % 2)), team=team, agent=agent)
            inspected = make_inspection(
                meta, score=score, defects=("greeting",) if greeting_failed else (),
                review_state="mandatory_review" if greeting_failed else "auto_pass",
            )
            if agent == "agent-1" and n < 2:
                inspected = _with_sentiment(inspected, "angry")
            elif agent == "agent-2":
                inspected = _with_sentiment(inspected, "satisfied")
            messages += [make_transcript(meta), inspected]
    return messages


@pytest.fixture
def cfg(tmp_path) -> WarehouseSettings:
    cfg = WarehouseSettings(database=tmp_path / "wh" / "hotline.duckdb", snapshot=tmp_path / "wh" / "snapshot.duckdb")
    seed_warehouse(cfg, report_messages())
    return cfg


def test_figures_roll_up_agent_team_centre(cfg):
    rollup = run_query(cfg, "access_org_rollup")
    assert rollup.group_by("level").len().sort("level").rows() == [("agent", 3), ("centre", 1), ("team", 2)]
    centre = rollup.filter(pl.col("level") == "centre").row(0, named=True)
    assert centre["calls"] == 10 and centre["name"] == "江州市12345政务服务便民热线中心"  # named from reference.yaml
    agent1 = rollup.filter(pl.col("agent_id") == "agent-1").row(0, named=True)
    assert agent1["avg_score"] == pytest.approx(67.5)
    assert agent1["team_median_agent_score"] == pytest.approx((67.5 + 90.0) / 2)
    assert agent1["vs_team_median"] == pytest.approx(67.5 - 78.75)
    assert agent1["calls_needing_review"] == 3 and agent1["defect_share"] == pytest.approx(0.75)
    assert agent1["negative_caller_share"] == pytest.approx(1.0)  # two judged, both angry; the rest unjudged
    team_a = rollup.filter((pl.col("level") == "team") & (pl.col("team_id") == "team-a")).row(0, named=True)
    assert team_a["calls"] == 8 and team_a["avg_score"] == pytest.approx((60 * 3 + 90 * 5) / 8)
    # Talk and silence from the transcripts: turns 0-3.5 (agent), 4-7.5 (caller), 8-11.5 (agent) of
    # 12 s. The 0.5 s gaps are pauses between turns, under the 3 s silence threshold
    # (hotline/conversation.py): no silence.
    assert agent1["agent_talk_share"] == pytest.approx(7.0 / 10.5)
    assert agent1["silence_share"] == 0.0
    assert run_query(cfg, "access_org_rollup", team="team-b")["calls"].max() == 2


def test_pass_rates_and_scores_compare_with_the_team_median(cfg):
    rates = run_query(cfg, "access_agent_item_pass_rates", agent="agent-1")
    greeting = rates.filter(pl.col("item_id") == "greeting").row(0, named=True)
    assert (greeting["applicable"], greeting["failed"], greeting["pass_rate"]) == (4, 3, 0.25)
    assert greeting["team_median_pass_rate"] == pytest.approx((0.25 + 1.0) / 2)
    assert rates["item_id"].to_list()[0] == "greeting"  # most frequent defect first
    assert "empathy" not in rates["item_id"].to_list()  # pending LLM items are not pass/fail

    weekly = run_query(cfg, "access_agent_scores_over_time", agent="agent-1")
    assert weekly["calls"].to_list() == [2, 2]
    assert weekly["avg_score"].to_list() == [60.0, 75.0]
    assert weekly["team_median_score"].to_list() == [pytest.approx(75.0), pytest.approx(82.5)]


def test_coaching_points_come_from_the_agents_own_failures_with_quotes(cfg):
    points = run_query(cfg, "access_agent_coaching", agent="agent-1")
    assert points["item_id"].to_list() == ["greeting"]
    examples = points["examples"].to_list()[0]
    assert len(examples) == 3
    assert {e["quote"] for e in examples} == {"您好，12345热线"}
    assert {e["call_id"] for e in examples} == {"agent-1-call-0", "agent-1-call-1", "agent-1-call-2"}
    assert run_query(cfg, "access_agent_coaching", agent="agent-2").is_empty()  # nothing failed, nothing to coach


def test_calls_needing_review(cfg):
    queue = run_query(cfg, "access_agent_calls_needing_review", team="team-a")
    assert sorted(queue["call_id"].to_list()) == ["agent-1-call-0", "agent-1-call-1", "agent-1-call-2"]


@pytest.fixture
def routed(tmp_path) -> WarehouseSettings:
    """The sample calls' work-order history, with inspections suggesting each call's category."""
    cfg = WarehouseSettings(database=tmp_path / "wh" / "hotline.duckdb", snapshot=tmp_path / "wh" / "snapshot.duckdb")
    messages: list = []
    for call in sample_calls_from_scripts():
        meta = make_meta(call.call_id, started_at=call.started_at)
        inspected = make_inspection(meta)
        suggestion = CategorySuggestion(category=SUBCATEGORY_TO_SUGGESTION[call.subcategory], score=0.9, method="test")
        messages.append(inspected.model_copy(update={"category": suggestion}))
    seed_warehouse(cfg, messages + sample_work_order_events())
    return cfg


def test_routing_figures_on_the_sample_history(routed):
    stories = assign_stories(sample_calls_from_scripts())
    kpis = run_query(routed, "access_routing_kpis").row(0, named=True)
    assert kpis["work_orders"] == 12 and kpis["reopened"] == 1
    assert kpis["open"] == 2 and kpis["overdue"] == 3  # two still open past due, one closed late
    assert kpis["rerouted_share"] == pytest.approx(3 / 11)  # two returned + one bounced, of 11 dispatched

    chains = run_query(routed, "access_routing_chains")
    by_story = {stories[c]: r for c, r in zip(chains["call_id"], chains.iter_rows(named=True))}
    assert set(by_story) == {"rerouted", "bounced"} and chains.height == 3
    assert by_story["bounced"]["route"].count(" → ") == 2 and not by_story["bounced"]["is_closed"]

    bounces = run_query(routed, "access_routing_bounces")
    assert bounces.filter(pl.col("kind") == "returned")["hops"].sum() == 3
    assert bounces.filter(pl.col("kind") == "transferred")["hops"].sum() == 1
    assert bounces["in_repeated_bounces"].max() == 1  # the bounced order: transferred, then returned

    overdue = run_query(routed, "access_routing_overdue")
    assert overdue.height == 3 and overdue["is_closed"].to_list() == [False, False, True]

    departments = run_query(routed, "access_routing_departments")
    water = departments.filter(pl.col("department") == "江州水务集团").row(0, named=True)
    assert water["received"] >= 2 and water["kind"] == "enterprise"
    assert departments["returned"].sum() == 3

    agreement = run_query(routed, "access_routing_agreement")
    assert agreement["work_orders"].sum() == 11  # the praise order is never dispatched
    # Rules suggest 江北区人力资源和社会保障局 for social insurance; the sample sent it to the
    # 社会保险服务中心: a real disagreement the query must show.
    social = agreement.filter(pl.col("suggested_category") == "劳动和社会保障/社保医保").row(0, named=True)
    assert social["final_agreement"] == 0.0
    assert 0.0 < agreement["first_dispatch_agreement"].mean() < 1.0
