"""Plotly figures of the hotspot page: pure functions from scoped frames to figures."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from hotline.dashboards.figures import LAYOUT, empty_figure
from hotline.dashboards.plain import plot_text, plot_texts
from hotline.warehouse.hotspots import describe_p


def category_district_heatmap(daily: pl.DataFrame, top_categories: int = 15, top_districts: int = 20) -> go.Figure:
    """Calls per category × district over the frame's days (``access_hotspot_daily_counts``)."""
    title = "诉求热力图（分类 × 区域）"
    if daily.is_empty():
        return empty_figure(title)
    cells = daily.group_by("category", "district").agg(pl.col("calls").sum())
    categories = cells.group_by("category").agg(pl.col("calls").sum()).sort("calls", "category", descending=[True, False])["category"].head(top_categories).to_list()
    districts = cells.group_by("district").agg(pl.col("calls").sum()).sort("calls", "district", descending=[True, False])["district"].head(top_districts).to_list()
    lookup = {(c, d): n for c, d, n in cells.iter_rows()}
    z = [[lookup.get((c, d), 0) for d in districts] for c in categories]
    fig = go.Figure(go.Heatmap(z=z, x=plot_texts(districts), y=plot_texts(categories), colorscale="YlOrRd", colorbar=dict(title="通话数"), hovertemplate="%{y} · %{x}：%{z} 通<extra></extra>"))
    layout = LAYOUT | {"height": max(340, 28 * len(categories) + 120)}
    fig.update_layout(title=title, xaxis=dict(title="区域", type="category"), yaxis=dict(title="分类", type="category", autorange="reversed"), **layout)
    return fig


def series_with_spikes(tested: pl.DataFrame, title: str) -> go.Figure:
    """One daily series (rows of ``spikes.score_series`` for one key) with its baseline and the
    flagged spikes, each spike's p-value in its hover text. ``title`` is plain text (it names the series)."""
    title = plot_text(title)
    if tested.is_empty():
        return empty_figure(title)
    rows = tested.sort("day")
    days = rows["day"].cast(pl.String).to_list()
    fig = go.Figure(
        [
            go.Bar(x=days, y=rows["calls"].to_list(), name="每日通话", marker_color="#9ecae1"),
            go.Scatter(x=days, y=rows["expected"].to_list(), mode="lines", name="基线（过去 28 天均值）", line=dict(dash="dot", color="#636363")),
        ]
    )
    spikes = rows.filter(pl.col("spike"))
    if not spikes.is_empty():
        fig.add_trace(
            go.Scatter(
                x=spikes["day"].cast(pl.String).to_list(),
                y=spikes["calls"].to_list(),
                mode="markers",
                marker=dict(color="#d62728", size=12, symbol="triangle-up"),
                name="异常峰值",
                text=[f"p = {p:.2g}（{describe_p(p)}）" for p in spikes["p_value"].to_list()],
                hovertemplate="%{x}：%{y} 通<br>%{text}<extra></extra>",
            )
        )
    fig.update_layout(title=title, xaxis=dict(title="日期", type="category"), yaxis_title="通话数", **LAYOUT)
    return fig
