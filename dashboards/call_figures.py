"""The call explorer's figures: pure functions from a scoped query's frame to a figure."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from hotline.dashboards.figures import LAYOUT, empty_figure
from hotline.dashboards.plain import plot_text

# The inspection's scale (inspection/sentiment.py): angry -2 .. satisfied +1.
VALENCE = {"angry": -2.0, "dissatisfied": -1.0, "anxious": -0.5, "neutral": 0.0, "satisfied": 1.0}
SENTIMENT = {"angry": "愤怒", "dissatisfied": "不满", "anxious": "焦虑", "neutral": "平静", "satisfied": "满意"}


def sentiment_curve(turns: pl.DataFrame) -> go.Figure:
    """The caller's sentiment turn by turn across the call (rows of ``access_call_sentiment``)."""
    title = "来电人情绪曲线"
    rows = turns.filter(pl.col("label").is_not_null()).sort("start_s")
    if rows.is_empty():
        return empty_figure(title)
    labels = rows["label"].to_list()
    fig = go.Figure(
        go.Scatter(
            x=rows["start_s"].to_list(),
            y=[VALENCE.get(label, 0.0) for label in labels],
            mode="lines+markers",
            line=dict(shape="spline"),
            text=[f"{plot_text(SENTIMENT.get(label, label))}（区分度 {m:.2f}）" for label, m in zip(labels, rows["margin"].to_list())],
            hovertemplate="%{x:.0f} 秒：%{text}<extra></extra>",
            name="情绪",
        )
    )
    ticks = sorted(VALENCE.items(), key=lambda kv: kv[1])
    fig.update_layout(
        title=title,
        xaxis_title="通话时间（秒）",
        yaxis=dict(title="情绪", tickvals=[v for _, v in ticks], ticktext=[SENTIMENT[k] for k, _ in ticks], range=[-2.3, 1.3]),
        **(LAYOUT | {"height": 260}),
    )
    return fig
