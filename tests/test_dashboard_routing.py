"""The routing page and the call page's work-order history (AppTest, real warehouse, real users):
league table, agreement, bouncing chains, overdue orders, scoped to the orders of the user's calls."""

from __future__ import annotations

from hotline.dashboards.plain import markdown_text as t

from test_dashboard_hotspots import analytics  # noqa: F401
from test_dashboard_pages import all_text, metrics, run_app, warehouse  # noqa: F401

PAGE = "views/routing.py"


def table(at, column):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_the_league_table_agreement_chains_and_overdue_orders(analytics):
    at = run_app(PAGE, as_user="supervisor")
    shown = metrics(at)
    assert shown["工单"] == "117"  # water: 2 a day for 35 days and 12 more on the last; noise: 1 a day
    assert shown["超期"] == "35"  # every noise order closed past its 120-hour SLA
    league = table(at, "退转率(%)").set_index("部门")
    assert league.loc["江南区城市管理局", "退单"] == 35 and league.loc["江州水务集团", "退转率(%)"] == 0.0
    assert league.loc["江州水务集团", "满意率(%)"] == 100.0 and league.loc["江南区城市管理局", "满意率(%)"] == 0.0
    agreement = table(at, "首次派单一致(%)").set_index("建议分类")
    assert agreement.loc["公用事业/供水", "首次派单一致(%)"] == 100.0
    # Noise went where the rules say (江南区城市管理局) and still bounced: every order re-routed.
    assert agreement.loc["城乡建设/噪音扰民", "首次派单一致(%)"] == 100.0
    assert agreement.loc["城乡建设/噪音扰民", "改派(%)"] == 100.0 and agreement.loc["公用事业/供水", "改派(%)"] == 0.0
    chains = table(at, "流转路径")
    assert len(chains) == 35 and set(chains["流转路径"]) == {"江南区城市管理局 → 江北区城市管理局 → 江南区城市管理局"}
    assert chains["通话"].str.startswith("call?call_id=n-").all()
    bounces = table(at, "其中反复退转")
    assert set(zip(bounces["从"], bounces["到"])) == {("江南区城市管理局", "热线中心（退单）"), ("江北区城市管理局", "江南区城市管理局")}
    overdue = table(at, "超期(小时)")
    assert len(overdue) == 35 and (overdue["超期(小时)"] > 0).all()
    assert len(at.get("plotly_chart")) == 3


def test_a_team_lead_sees_only_the_orders_of_their_teams_calls(analytics):
    at = run_app(PAGE, as_user="teamlead")  # team-a: the water calls, all dispatched straight
    assert metrics(at)["工单"] == "82" and metrics(at)["超期"] == "0"
    assert set(table(at, "退转率(%)")["部门"]) == {"江州水务集团"}
    assert not any("流转路径" in df.value.columns for df in at.dataframe)
    assert any("没有超期工单" in c.value for c in at.caption)


def test_the_call_page_shows_the_calls_work_order_history(analytics):
    at = run_app("views/call.py", as_user="supervisor", call_id="n-03")
    text = all_text(at)
    # Work-order fields come from outside: the page shows them as text (markdown escaped, dashboards/plain.py).
    assert f"**{t('WO-n-03')}** · 投诉 · {t('城乡建设/噪音扰民')} · 江南区 — 已办结，超期，回访不满意" in text
    assert "建议派往 江南区城市管理局" in text and "与建议一致" in text
    events = table(at, "事件")
    assert list(events["事件"]) == ["创建", "派单", "退单", "派单", "转办", "办结", "回访"]
    assert events["说明"].iloc[2] == "非本单位职责"
    # The team lead of team-a cannot reach team-b's order through the call page.
    at = run_app("views/call.py", as_user="teamlead", call_id="n-03")
    assert not any("事件" in df.value.columns for df in at.dataframe) and "WO-n-03" not in all_text(at)
