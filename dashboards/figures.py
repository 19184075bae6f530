"""Plotly figures for the dashboard: pure functions from a query's frame to a figure.

No Streamlit here, so every chart can be built and checked in a test without a browser. Every
string that came from outside (categories, names, departments, districts, ids) goes into a figure
through plain.plot_text: plotly renders HTML in labels, legends and hover text.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from hotline.dashboards.labels import ALERT_KIND, label
from hotline.dashboards.plain import plot_text, plot_texts

_LAYOUT = dict(
    margin=dict(l=10, r=10, t=40, b=10),
    height=340,
    font=dict(family="Noto Sans CJK SC, Microsoft YaHei, sans-serif"),
    legend=dict(orientation="h", yanchor="top", y=-0.25, xanchor="left", x=0),
)


def _day_labels(frame: pl.DataFrame) -> list[str]:
    return frame["day"].cast(pl.String).to_list()


# One tick per day: a date axis would invent hourly ticks between two days.
_DAY_AXIS = dict(title="日期", type="category")


def empty_figure(title: str) -> go.Figure:
    """A titled figure that says there is nothing to draw (kept the same size as a chart)."""
    return _empty(title)


# The shared look, for the figure modules of the other pages.
LAYOUT = _LAYOUT


def _empty(title: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text="暂无数据", showarrow=False, font=dict(size=16), xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_layout(title=title, xaxis=dict(visible=False), yaxis=dict(visible=False), **_LAYOUT)
    return fig


def calls_per_day(daily: pl.DataFrame) -> go.Figure:
    """Calls landed and inspected per day (frame of the ``access_daily`` query)."""
    title = "每日通话量"
    if daily.is_empty():
        return _empty(title)
    days = _day_labels(daily)
    fig = go.Figure(
        [
            go.Bar(x=days, y=daily["calls"].to_list(), name="入库通话"),
            go.Bar(x=days, y=daily["inspected"].to_list(), name="已质检"),
        ]
    )
    fig.update_layout(title=title, barmode="group", xaxis=_DAY_AXIS, yaxis_title="通话数", **_LAYOUT)
    return fig


def score_per_day(daily: pl.DataFrame) -> go.Figure:
    """Average score and share of calls with defects per day (``access_daily``)."""
    title = "每日平均得分"
    scored = daily.filter(pl.col("avg_score").is_not_null())
    if scored.is_empty():
        return _empty(title)
    days = _day_labels(scored)
    fig = go.Figure(
        [
            go.Scatter(x=days, y=scored["avg_score"].to_list(), mode="lines+markers", name="平均得分"),
            go.Scatter(
                x=days,
                y=(scored["defect_share"] * 100).to_list(),
                mode="lines+markers",
                name="缺陷通话占比 (%)",
                yaxis="y2",
                line=dict(dash="dot"),
            ),
        ]
    )
    fig.update_layout(
        title=title,
        xaxis=_DAY_AXIS,
        yaxis=dict(title="平均得分"),
        yaxis2=dict(title="缺陷占比 (%)", overlaying="y", side="right", range=[0, 100]),
        **_LAYOUT,
    )
    return fig


def categories_bar(categories: pl.DataFrame, top: int = 15) -> go.Figure:
    """Most frequent suggested categories (``access_categories``), largest on top."""
    title = "诉求分类"
    if categories.is_empty():
        return _empty(title)
    shown = categories.head(top).reverse()
    fig = go.Figure(go.Bar(x=shown["calls"].to_list(), y=plot_texts(shown["category"]), orientation="h", name="通话数"))
    fig.update_layout(title=title, xaxis_title="通话数", yaxis_title="分类", **_LAYOUT)
    return fig


def defects_by_item(defects: pl.DataFrame, top: int = 15) -> go.Figure:
    """How often each scorecard item failed (``access_defects``); fatal items in a warning colour."""
    title = "缺陷项分布"
    if defects.is_empty():
        return _empty(title)
    shown = defects.head(top).reverse()
    colours = ["#d62728" if fatal else "#ff7f0e" for fatal in shown["fatal"].to_list()]
    fig = go.Figure(
        go.Bar(x=shown["failed"].to_list(), y=plot_texts(shown["name"]), orientation="h", marker_color=colours, name="未通过次数")
    )
    fig.update_layout(title=title, xaxis_title="未通过次数", yaxis_title="质检项", **_LAYOUT)
    return fig


def alerts_by_kind(alerts: pl.DataFrame) -> go.Figure:
    """Alerts per kind (``access_alerts``), with Chinese kind names."""
    title = "预警类型"
    if alerts.is_empty():
        return _empty(title)
    counts = alerts.group_by("kind").len().sort("len", descending=True)
    fig = go.Figure(go.Bar(x=[plot_text(label(ALERT_KIND, k)) for k in counts["kind"].to_list()], y=counts["len"].to_list(), name="预警数"))
    fig.update_layout(title=title, xaxis_title="类型", yaxis_title="预警数", **_LAYOUT)
    return fig


def agreement_by_item(per_item: pl.DataFrame) -> go.Figure:
    """Machine–human agreement per scorecard item (``review.agreement``), lowest first; the whole score as 总分."""
    title = "人机一致率（按质检项）"
    if per_item.is_empty():
        return _empty(title)
    shown = per_item.with_columns(
        pl.when(pl.col("item_id") == "").then(pl.lit("总分")).otherwise(pl.col("item_name")).alias("item")
    ).sort("agreement", descending=True)
    fig = go.Figure(
        go.Bar(
            x=(shown["agreement"] * 100).to_list(),
            y=plot_texts(shown["item"]),
            orientation="h",
            text=[f"{c}/{n}" for c, n in zip(shown["confirmed"].to_list(), shown["decisions"].to_list())],
            name="一致率 (%)",
        )
    )
    fig.update_layout(title=title, xaxis=dict(title="人工确认占比 (%)", range=[0, 100]), yaxis_title="质检项", **_LAYOUT)
    return fig
