"""Plotly figures of the agent and team reports: pure functions from a scoped query's frame to a figure."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from hotline.dashboards.figures import LAYOUT, empty_figure
from hotline.dashboards.plain import plot_text, plot_texts


def scores_over_time(scores: pl.DataFrame, agent: str | None = None) -> go.Figure:
    """Average score per period (``access_agent_scores_over_time``): one agent beside their team's
    median agent, or, without an agent, one line per agent."""
    title = "得分趋势" + (f"（{plot_text(agent)} 与班组中位数）" if agent else "（各坐席）")
    shown = scores.filter(pl.col("agent_id") == agent) if agent else scores
    if shown.is_empty():
        return empty_figure(title)
    traces = []
    if agent:
        periods = shown["period"].cast(pl.String).to_list()
        traces.append(go.Scatter(x=periods, y=shown["avg_score"].to_list(), mode="lines+markers", name=f"{plot_text(agent)} 平均分"))
        traces.append(go.Scatter(x=periods, y=shown["team_median_score"].to_list(), mode="lines", name="班组中位数", line=dict(dash="dot")))
    else:
        for (name,), rows in shown.sort("period").group_by(["agent_id"], maintain_order=True):
            traces.append(go.Scatter(x=rows["period"].cast(pl.String).to_list(), y=rows["avg_score"].to_list(), mode="lines+markers", name=plot_text(name)))
    fig = go.Figure(traces)
    fig.update_layout(title=title, xaxis=dict(title="周期", type="category"), yaxis_title="平均得分", **LAYOUT)
    return fig


def members_vs_median(rollup: pl.DataFrame, level: str) -> go.Figure:
    """Average score of each team (level 'team') or agent (level 'agent') of an ``access_org_rollup``
    frame; for agents, the team's median agent as a line to compare with."""
    title = "各班组平均分" if level == "team" else "各坐席平均分（虚线：班组中位数）"
    rows = rollup.filter((pl.col("level") == level) & pl.col("avg_score").is_not_null())
    if rows.is_empty():
        return empty_figure(title)
    key = "team_id" if level == "team" else "agent_id"
    names = plot_texts(rows[key])
    fig = go.Figure(go.Bar(x=names, y=rows["avg_score"].to_list(), name="平均分", text=[f"{v:.1f}" for v in rows["avg_score"].to_list()]))
    if level == "agent":
        fig.add_trace(go.Scatter(x=names, y=rows["team_median_agent_score"].to_list(), mode="lines", name="班组中位数", line=dict(dash="dot")))
    fig.update_layout(title=title, xaxis=dict(title="班组" if level == "team" else "坐席", type="category"), yaxis_title="平均得分", **LAYOUT)
    return fig


def item_pass_rates(rates: pl.DataFrame, top: int = 15) -> go.Figure:
    """Pass rate of each item (``access_agent_item_pass_rates`` of one agent) beside the team's median
    agent; most failed first."""
    title = "各质检项通过率（◆ 班组中位数）"
    if rates.is_empty():
        return empty_figure(title)
    shown = rates.head(top).reverse()
    names = plot_texts(shown["name"])
    fig = go.Figure(
        [
            go.Bar(x=(shown["pass_rate"] * 100).to_list(), y=names, orientation="h", name="通过率 (%)"),
            go.Scatter(x=(shown["team_median_pass_rate"] * 100).to_list(), y=names, mode="markers", marker=dict(symbol="diamond", size=10), name="班组中位数 (%)"),
        ]
    )
    fig.update_layout(title=title, xaxis=dict(title="通过率 (%)", range=[0, 105]), yaxis_title="质检项", **LAYOUT)
    return fig


def frequent_defects(rates: pl.DataFrame, top: int = 10) -> go.Figure:
    """Most frequent defects: failures per item summed over the agents of the frame."""
    title = "最常见缺陷"
    failed = rates.group_by("item_id").agg(pl.col("name").first(), pl.col("fatal").any(), pl.col("failed").sum()).filter(pl.col("failed") > 0)
    if failed.is_empty():
        return empty_figure(title)
    shown = failed.sort("failed", "item_id", descending=[True, False]).head(top).reverse()
    colours = ["#d62728" if fatal else "#ff7f0e" for fatal in shown["fatal"].to_list()]
    fig = go.Figure(go.Bar(x=shown["failed"].to_list(), y=plot_texts(shown["name"]), orientation="h", marker_color=colours, name="未通过次数"))
    fig.update_layout(title=title, xaxis_title="未通过次数", yaxis_title="质检项", **LAYOUT)
    return fig
