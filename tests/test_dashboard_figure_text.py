"""Outside strings used as plotly labels are shown as text (issue 19 item 11, for charts): plotly
renders a subset of HTML (<a href>, <b>, <br>, <span style>, ...) in titles, tick labels, legends,
Sankey nodes and hover text, so a department, district, category, agent or team name that carries
markup would be a link or styled text in the browser. Every figure function is given such a name
wherever it takes one, and the figure's JSON (what st.plotly_chart hands plotly.js) is checked."""

from __future__ import annotations

import json
from datetime import date, timedelta

import plotly.graph_objects as go
import polars as pl
import pytest

from hotline.dashboards import call_figures, figures, hotspot_figures, report_figures, routing_figures
from hotline.dashboards.plain import plot_text
from hotline.warehouse.spikes import score_series

HOSTILE = '<a href="http://evil.example/x">点我</a><b>粗</b><br><img src=x onerror=alert(1)>&lt;i&gt;'
SHOWN = plot_text(HOSTILE)
DAYS = [date(2026, 3, 1) + timedelta(days=i) for i in range(30)]


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def figure_strings(fig: go.Figure) -> list[str]:
    return _strings(json.loads(fig.to_json()))


FIGURES = {
    "categories_bar": lambda: figures.categories_bar(pl.DataFrame({"category": [HOSTILE, "市政设施"], "calls": [3, 1]})),
    "defects_by_item": lambda: figures.defects_by_item(pl.DataFrame({"item_id": ["g"], "name": [HOSTILE], "failed": [2], "fatal": [True]})),
    "alerts_by_kind": lambda: figures.alerts_by_kind(pl.DataFrame({"kind": [HOSTILE, "media_exposure"]})),
    "agreement_by_item": lambda: figures.agreement_by_item(pl.DataFrame(
        {"item_id": ["g"], "item_name": [HOSTILE], "agreement": [0.5], "confirmed": [1], "decisions": [2]})),
    "sentiment_curve": lambda: call_figures.sentiment_curve(pl.DataFrame({"start_s": [1.0], "label": [HOSTILE], "margin": [0.3]})),
    "category_district_heatmap": lambda: hotspot_figures.category_district_heatmap(pl.DataFrame(
        {"category": [HOSTILE, "供水"], "district": ["江北区", HOSTILE], "day": [DAYS[0]] * 2, "calls": [3, 1]})),
    "series_with_spikes": lambda: hotspot_figures.series_with_spikes(
        score_series(pl.DataFrame({"k": ["x"] * 30, "day": DAYS, "calls": [2] * 29 + [20]}), ["k"]), f"每日诉求量：{HOSTILE}"),
    "scores_over_time (agent)": lambda: report_figures.scores_over_time(pl.DataFrame(
        {"agent_id": [HOSTILE], "period": ["2026-03"], "avg_score": [80.0], "team_median_score": [75.0]}), HOSTILE),
    "scores_over_time (all)": lambda: report_figures.scores_over_time(pl.DataFrame(
        {"agent_id": [HOSTILE], "period": ["2026-03"], "avg_score": [80.0], "team_median_score": [75.0]})),
    "members_vs_median (team)": lambda: report_figures.members_vs_median(pl.DataFrame(
        {"level": ["team"], "team_id": [HOSTILE], "agent_id": [None], "avg_score": [80.0], "team_median_agent_score": [None]}), "team"),
    "members_vs_median (agent)": lambda: report_figures.members_vs_median(pl.DataFrame(
        {"level": ["agent"], "team_id": ["t"], "agent_id": [HOSTILE], "avg_score": [80.0], "team_median_agent_score": [78.0]}), "agent"),
    "item_pass_rates": lambda: report_figures.item_pass_rates(pl.DataFrame(
        {"item_id": ["g"], "name": [HOSTILE], "pass_rate": [0.25], "team_median_pass_rate": [0.6], "failed": [3], "fatal": [False]})),
    "frequent_defects": lambda: report_figures.frequent_defects(pl.DataFrame(
        {"item_id": ["g"], "name": [HOSTILE], "pass_rate": [0.25], "failed": [3], "fatal": [False]})),
    "department_league": lambda: routing_figures.department_league(pl.DataFrame(
        {"department": [HOSTILE], "received": [10], "returned": [1], "transferred_away": [1], "overdue": [2]})),
    "agreement_bars": lambda: routing_figures.agreement_bars(pl.DataFrame(
        {"suggested_category": [HOSTILE], "with_suggestion": [4], "first_dispatch_agreement": [0.5], "final_agreement": [0.75]})),
    "bounce_flows": lambda: routing_figures.bounce_flows(pl.DataFrame(
        {"from_department": [HOSTILE, "城管局"], "to_department": ["城管局", HOSTILE], "hops": [3, 1]})),
}


@pytest.mark.parametrize("name", FIGURES)
def test_a_hostile_label_is_escaped_in_the_figure(name):
    strings = figure_strings(FIGURES[name]())
    assert any(SHOWN in s for s in strings), f"{name}: the label is not in the figure at all"
    tags = [s for s in strings if any(tag in s.lower() for tag in ("<a", "<b>", "<br", "<img", "<i>"))]
    # The figure's own markup (a hover template's <br>, <extra>) is the page's, not the label's.
    assert [s for s in tags if "evil" in s or "粗" in s or "onerror" in s] == [], name


def test_plot_text_escapes_only_what_plotly_reads_as_markup():
    assert plot_text(HOSTILE) == ('&lt;a href="http://evil.example/x"&gt;点我&lt;/a&gt;&lt;b&gt;粗&lt;/b&gt;&lt;br&gt;'
                                  "&lt;img src=x onerror=alert(1)&gt;&amp;lt;i&amp;gt;")
    assert plot_text("江北区 A&B 1<2") == "江北区 A&amp;B 1&lt;2"
    assert plot_text(None) is None and plot_text(12) == "12"


def test_unescaped_the_same_label_would_be_markup():
    """The check above can fail: a figure built from the raw label carries the tags."""
    raw = go.Figure(go.Bar(x=[1], y=[HOSTILE]))
    assert any("<a href" in s for s in figure_strings(raw))
