"""The agent and team reports page (AppTest, real warehouse snapshot, real users): drill-down from
centre to team to agent to call, the figures it shows, scope for a team lead, the audited report."""

from __future__ import annotations

import json

import pytest

from hotline.warehouse import audit
from hotline.warehouse.store import seed_warehouse
from test_dashboard_pages import metrics, run_app, warehouse  # noqa: F401
from test_warehouse_reports import report_messages

PAGE = "views/reports.py"


@pytest.fixture
def reports(warehouse, tmp_path):  # noqa: F811
    """agent-1 and agent-2 in team-a (the demo team lead's), agent-3 in team-b; agent-1 fails the greeting."""
    seed_warehouse(warehouse, report_messages())
    return tmp_path / "access.sqlite3"


def table(at, column):
    """The table that has this column (AppTest does not expose a dataframe's key)."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_the_centre_level_lists_the_teams_with_links_down(reports):
    at = run_app(PAGE, as_user="supervisor")
    assert metrics(at)["通话"] == "10"
    teams = table(at, "下钻")
    assert sorted(teams["下钻"]) == ["reports?centre=centre-01&team=team-a", "reports?centre=centre-01&team=team-b"]
    assert len(at.get("plotly_chart")) == 3


def test_drill_down_to_an_agent_shows_coaching_with_quotes_and_calls_to_review(reports):
    at = run_app(PAGE, as_user="supervisor", team="team-a")
    agents = table(at, "下钻")
    assert sorted(agents["下钻"]) == [
        "reports?centre=centre-01&team=team-a&agent=agent-1",
        "reports?centre=centre-01&team=team-a&agent=agent-2",
    ]
    vs_median = dict(zip(agents["下钻"].str.rsplit("=", n=1).str[-1], agents["与班组中位数差"]))
    assert vs_median["agent-1"] == pytest.approx(67.5 - 78.75, abs=0.1)
    at.selectbox(key="r_agent").select("agent-1").run()
    assert not at.exception
    assert at.query_params["agent"] == "agent-1"  # the level is in the address: it can be linked to
    shown = metrics(at)
    assert shown["平均得分"] == "67.5" and shown["通话"] == "4"
    text = "\n".join(m.value for m in at.markdown)
    assert "未通过 3 / 4 次" in text and "「您好，12345热线」" in text
    assert "(call?call_id=agent-1-call-0)" in text
    queue = table(at, "待人工判定项")
    assert sorted(queue["通话"]) == [f"call?call_id=agent-1-call-{n}" for n in range(3)]
    assert len(at.get("plotly_chart")) == 3  # trend vs median, pass rates, defects


def test_a_team_lead_sees_only_their_team_even_with_another_team_in_the_address(reports):
    at = run_app(PAGE, as_user="teamlead", team="team-b")
    assert any("team\\-b" in w.value and "权限" in w.value for w in at.warning)  # shown as text: escaped
    assert at.selectbox(key="r_team").options == ["全部", "team-a"]
    assert metrics(at)["通话"] == "8"  # team-a's calls only: team-b's two are not counted
    teams = table(at, "下钻")
    assert list(teams["下钻"]) == ["reports?centre=centre-01&team=team-a"]
    denied = audit.read_log(reports, action="view_denied").to_dicts()
    assert denied[0]["username"] == "teamlead" and json.loads(denied[0]["detail"])["team"] == "team-b"
    # A hand-typed agent of the other team is refused as well.
    at = run_app(PAGE, as_user="teamlead", team="team-a", agent="agent-3")
    assert any("agent\\-3" in w.value for w in at.warning)
    assert at.selectbox(key="r_agent").options == ["全部", "agent-1", "agent-2"]


def test_policy_analysts_are_not_offered_the_reports(reports):
    at = run_app(as_user="analyst")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def test_the_printable_report_is_audited_before_it_is_offered(reports):
    at = run_app(PAGE, as_user="teamlead", team="team-a", agent="agent-1")
    assert not at.get("download_button")
    at.button(key="report_prepare").click().run()
    assert not at.exception and at.get("download_button")
    exported = audit.read_log(reports, action="export").to_dicts()
    assert len(exported) == 1 and exported[0]["username"] == "teamlead"
    detail = json.loads(exported[0]["detail"])
    assert (detail["what"], detail["agent"], detail["team"]) == ("report", "agent-1", "team-a")
