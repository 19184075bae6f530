"""Plotly figures of the routing page: pure functions from scoped frames to figures."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from hotline.dashboards.figures import LAYOUT, empty_figure
from hotline.dashboards.plain import plot_texts


def department_league(departments: pl.DataFrame, top: int = 15) -> go.Figure:
    """Orders received per department (``access_routing_departments``), split into kept and bounced
    (returned or passed on), overdue beside them."""
    title = "各部门接单与退转（推诿）"
    if departments.is_empty():
        return empty_figure(title)
    shown = departments.head(top).reverse()
    names = plot_texts(shown["department"])
    bounced = (shown["returned"] + shown["transferred_away"]).to_list()
    fig = go.Figure(
        [
            go.Bar(y=names, x=[r - b for r, b in zip(shown["received"].to_list(), bounced)], orientation="h", name="留办"),
            go.Bar(y=names, x=bounced, orientation="h", name="退单/转出", marker_color="#d62728"),
            go.Scatter(y=names, x=shown["overdue"].to_list(), mode="markers", marker=dict(symbol="x", size=10, color="#000"), name="超期"),
        ]
    )
    fig.update_layout(title=title, barmode="stack", xaxis_title="工单数", yaxis_title="部门", **LAYOUT)
    return fig


def agreement_bars(agreement: pl.DataFrame) -> go.Figure:
    """Suggested vs dispatched department agreement per suggested category (``access_routing_agreement``)."""
    title = "建议派单与实际派单一致率"
    judged = agreement.filter(pl.col("with_suggestion") > 0)
    if judged.is_empty():
        return empty_figure(title)
    cats = plot_texts(judged["suggested_category"])
    fig = go.Figure(
        [
            go.Bar(x=cats, y=(judged["first_dispatch_agreement"] * 100).to_list(), name="首次派单一致 (%)"),
            go.Bar(x=cats, y=(judged["final_agreement"] * 100).to_list(), name="最终承办一致 (%)"),
        ]
    )
    fig.update_layout(title=title, barmode="group", xaxis=dict(title="建议分类", type="category"), yaxis=dict(title="%", range=[0, 105]), **LAYOUT)
    return fig


def bounce_flows(bounces: pl.DataFrame, top: int = 20) -> go.Figure:
    """Who passes work to whom (``access_routing_bounces``) as a Sankey diagram."""
    title = "工单流转（退单与转办）"
    if bounces.is_empty():
        return empty_figure(title)
    shown = bounces.head(top)
    nodes = sorted(set(shown["from_department"].to_list()) | set(shown["to_department"].to_list()))
    index = {n: i for i, n in enumerate(nodes)}
    fig = go.Figure(
        go.Sankey(
            node=dict(label=plot_texts(nodes), pad=14),
            link=dict(
                source=[index[n] for n in shown["from_department"].to_list()],
                target=[index[n] for n in shown["to_department"].to_list()],
                value=shown["hops"].to_list(),
            ),
        )
    )
    fig.update_layout(title=title, **LAYOUT)
    return fig
