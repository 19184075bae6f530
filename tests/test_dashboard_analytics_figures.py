"""The analytics pages' figures and the printable report: pure functions, checked without a browser."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from hotline.dashboards import hotspot_figures, report_figures, routing_figures
from hotline.dashboards.printable import report_html
from hotline.warehouse.reports import ReportFigures
from hotline.warehouse.spikes import score_series


def test_a_spike_is_drawn_with_its_p_value():
    days = [date(2025, 3, 1) + timedelta(days=d) for d in range(30)]
    daily = pl.DataFrame({"k": ["x"] * 30, "day": days, "calls": [2] * 29 + [20]})
    fig = hotspot_figures.series_with_spikes(score_series(daily, ["k"]), "t")
    spikes = next(t for t in fig.data if t.name == "异常峰值")
    assert list(spikes.y) == [20] and spikes.text[0].startswith("p = ")
    assert hotspot_figures.series_with_spikes(daily.clear(), "t").layout.annotations[0].text == "暂无数据"


def test_the_heat_map_puts_each_count_in_its_cell():
    daily = pl.DataFrame({"category": ["a", "a", "b"], "district": ["x", "y", "x"], "day": [date(2025, 3, 1)] * 3, "calls": [3, 1, 5]})
    heat = hotspot_figures.category_district_heatmap(daily).data[0]
    cells = {(c, d): heat.z[i][j] for i, c in enumerate(heat.y) for j, d in enumerate(heat.x)}
    assert cells == {("a", "x"): 3, ("a", "y"): 1, ("b", "x"): 5, ("b", "y"): 0}


def test_the_league_splits_kept_from_bounced_work():
    deps = pl.DataFrame({"department": ["d1", "d2"], "received": [10, 4], "returned": [1, 3], "transferred_away": [1, 0], "overdue": [0, 2]})
    kept, bounced, _ = routing_figures.department_league(deps).data
    assert dict(zip(kept.y, kept.x)) == {"d1": 8, "d2": 1} and dict(zip(bounced.y, bounced.x)) == {"d1": 2, "d2": 3}


def test_an_agents_pass_rates_sit_beside_the_team_median():
    rates = pl.DataFrame({"item_id": ["g"], "name": ["开场白"], "pass_rate": [0.25], "team_median_pass_rate": [0.625], "failed": [3], "fatal": [False]})
    bars, median = report_figures.item_pass_rates(rates).data
    assert list(bars.x) == [25.0] and list(median.x) == [62.5]
    assert list(report_figures.frequent_defects(rates).data[0].x) == [3]


def test_the_printable_report_holds_the_tables_and_the_charts_once_with_values_escaped():
    rollup = pl.DataFrame({"level": ["agent"], "centre_id": ["c"], "team_id": ["t"], "agent_id": ["a<1>"], "name": ["<b>张三</b>"], "calls": [4],
                           "avg_score": [67.5], "team_median_agent_score": [78.75]})
    empty = pl.DataFrame({"agent_id": [], "team_id": []}, schema={"agent_id": pl.String, "team_id": pl.String})
    figures = ReportFigures(rollup=rollup, pass_rates=empty, coaching=empty, review=empty)
    charts = [report_figures.members_vs_median(rollup, "agent"), report_figures.scores_over_time(pl.DataFrame(), None)]
    page = report_html(figures, period="2025-03-01 至 2025-03-31", agent="a<1>", charts=charts)
    assert "&lt;b&gt;张三&lt;/b&gt;" in page and "<b>张三</b>" not in page
    assert page.count('class="chart"') == 2 and page.count("plotly.js v") == 1  # the library inlined once, offline
    assert "2025-03-01 至 2025-03-31" in page and page.rstrip().endswith("</html>")
