"""The call page's insight panels (AppTest, real warehouse): the caller's sentiment curve, the
demands as work-order draft lines and the routing suggestion with its reason, masked for analysts."""

from __future__ import annotations

import json

from hotline.contracts import CallSentiment, Demand, Evidence, RoutingSuggestion, TurnSentiment
from hotline.warehouse.store import seed_warehouse
from test_dashboard_pages import all_text, run_app, warehouse  # noqa: F401
from test_warehouse_messages import make_inspection, make_meta, make_transcript


def insightful_call() -> list:
    meta = make_meta("call-insight", team="team-b")
    sentiment = CallSentiment(
        method="e5-prototypes", overall="angry", trend="worsening", first_third_valence=-0.5, last_third_valence=-2.0,
        turns=(TurnSentiment(start_s=4.0, end_s=7.5, label="anxious", margin=0.2), TurnSentiment(start_s=12.0, end_s=15.5, label="angry", margin=0.4)),
        evidence=(Evidence(quote="我家楼下的路灯坏了一个星期了", speaker="caller", start_s=4.0, end_s=7.5, verified=True),),
    )
    demand = Demand(
        summary="路灯损坏一周未修，来电人电话13912345678", category="城乡建设/市政设施", district="江北区", address="幸福路十八号",
        urgency="high", requested_action="尽快修复路灯", todos=("派单至江北区城市管理局", "三日内回访"), source="rules",
    )
    routing = RoutingSuggestion(department="江北区城市管理局", rule_id="r-12", catalogue_version="2025.1", category="城乡建设/市政设施", district="江北区", reason="市政设施属区城管局职责，事发地在江北区")
    inspected = make_inspection(meta).model_copy(update={"sentiment": sentiment, "demands": (demand,), "routing": routing})
    return [make_transcript(meta, turns=4), inspected]


def test_sentiment_demands_and_routing_are_shown_with_the_call(warehouse):  # noqa: F811
    seed_warehouse(warehouse, insightful_call())
    at = run_app("views/call.py", as_user="supervisor", call_id="call-insight")
    text = all_text(at)
    assert "**愤怒** · 走向：恶化（前三分之一 -0.5 → 后三分之一 -2.0）" in text
    curve = json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith("sentiment_curve")).proto.spec)["data"][0]
    assert (curve["x"], curve["y"]) == ([4.0, 12.0], [-0.5, -2.0])  # anxious, then angry
    assert "路灯损坏一周未修，来电人电话13912345678" in text and "紧急程度 高" in text and "（机器提取，待人工确认）" in text
    assert "待办：派单至江北区城市管理局；三日内回访" in text
    assert "建议派往 **江北区城市管理局**" in text and "市政设施属区城管局职责" in text


def test_an_analyst_sees_the_demand_with_numbers_and_doors_masked(warehouse):  # noqa: F811
    seed_warehouse(warehouse, insightful_call())
    at = run_app("views/call.py", as_user="analyst", call_id="call-insight")
    text = all_text(at).replace("\\", "")  # markdown escapes the brackets of the placeholders
    assert "13912345678" not in text and "来电人电话[号码]" in text
    assert "十八号" not in text and "幸福路[门牌]" in text


def test_a_team_lead_of_another_team_sees_none_of_it(warehouse):  # noqa: F811
    seed_warehouse(warehouse, insightful_call())
    at = run_app("views/call.py", as_user="teamlead", call_id="call-insight")  # team-a's lead
    text = all_text(at)
    assert "路灯损坏" not in text and "江北区城市管理局" not in text and not at.get("plotly_chart")
