"""Overview: headline numbers, trends, categories, defects, alerts and the call list."""

from __future__ import annotations

import polars as pl
import streamlit as st

from hotline.dashboards import data, figures
from hotline.dashboards.labels import (
    ALERT_KIND,
    EMPTY_WAREHOUSE,
    REVIEW_STATE,
    SEVERITY,
    SPEAKER,
    format_score,
    format_share,
)

st.title("12345 热线质检总览")

with st.sidebar:
    st.header("筛选")
    picked_dates = st.date_input("通话日期", value=(), help="不选表示全部日期")
    date_from, date_to = (picked_dates + (None, None))[:2] if isinstance(picked_dates, tuple) else (picked_dates, picked_dates)
    people = data.load("teams_agents")
    team = st.selectbox("班组", [None, *people["team_id"].unique().sort().to_list()], format_func=lambda t: "全部" if t is None else t)
    agents = people if team is None else people.filter(pl.col("team_id") == team)
    agent = st.selectbox("坐席", [None, *agents["agent_id"].unique().sort().to_list()], format_func=lambda a: "全部" if a is None else a)
    review_state = st.selectbox("复核状态", [None, *REVIEW_STATE], format_func=lambda r: "全部" if r is None else REVIEW_STATE[r])

dates = {"date_from": date_from, "date_to": date_to}
kpis = data.load("overview_kpis", **dates).row(0, named=True)
if kpis["calls_landed"] == 0:
    st.info(EMPTY_WAREHOUSE)
    st.stop()

cols = st.columns(6)
cols[0].metric("入库通话", f"{kpis['calls_landed']:,}")
cols[1].metric("质检覆盖率", format_share(kpis["coverage"]), help="已质检 / 已入库")
cols[2].metric("平均得分", format_score(kpis["avg_score"]), help=f"满分 {format_score(kpis['avg_max_score'])}")
cols[3].metric("缺陷通话占比", format_share(kpis["defect_share"]))
cols[4].metric("预警", f"{kpis['alerts']:,}")
cols[5].metric("死信", f"{kpis['dead_letters']:,}", help="无法处理而留存待查的消息")

daily = data.load("overview_daily", **dates)
left, right = st.columns(2)
left.plotly_chart(figures.calls_per_day(daily), key="calls_per_day")
right.plotly_chart(figures.score_per_day(daily), key="score_per_day")
left, right = st.columns(2)
left.plotly_chart(figures.categories_bar(data.load("category_counts", **dates)), key="categories")
right.plotly_chart(figures.defects_by_item(data.load("defects_by_item", **dates)), key="defects")

st.subheader("预警")
alerts = data.load("alerts_list", **dates)
if alerts.is_empty():
    st.caption("暂无预警")
else:
    st.dataframe(
        alerts.select(
            pl.concat_str(pl.lit("call?call_id="), pl.col("call_id")).alias("通话"),
            pl.col("kind").replace_strict(ALERT_KIND, default=pl.col("kind")).alias("类型"),
            pl.col("severity").replace_strict(SEVERITY, default=pl.col("severity")).alias("级别"),
            pl.col("quote").alias("原话"),
            pl.col("speaker").replace_strict(SPEAKER, default=pl.col("speaker")).alias("说话人"),
            pl.col("team_id").alias("班组"),
            pl.col("raised_at").alias("时间"),
        ),
        hide_index=True,
        column_config={"通话": st.column_config.LinkColumn("通话", display_text=r"call_id=(.*)")},
    )
    st.plotly_chart(figures.alerts_by_kind(alerts), key="alerts_by_kind")

st.subheader("通话列表")
calls = data.load("calls_list", **dates, team=team, agent=agent, review_state=review_state)
st.caption(f"共 {calls.height} 通（最多显示 500 通）；来电号码已脱敏，完整号码仅在通话详情页显示。")
st.dataframe(
    calls.select(
        pl.concat_str(pl.lit("call?call_id="), pl.col("call_id")).alias("通话"),
        pl.col("started_at").alias("开始时间"),
        pl.col("team_id").alias("班组"),
        pl.col("agent_id").alias("坐席"),
        pl.col("caller_masked").alias("来电号码"),
        pl.col("duration_s").round(0).alias("时长(秒)"),
        pl.col("score").alias("得分"),
        pl.col("defects").alias("缺陷数"),
        pl.col("category").alias("分类"),
        pl.col("review_state").replace_strict(REVIEW_STATE, default=pl.col("review_state")).alias("复核状态"),
        pl.col("alerts").alias("预警"),
    ),
    hide_index=True,
    column_config={"通话": st.column_config.LinkColumn("通话", display_text=r"call_id=(.*)")},
)

with st.expander(f"死信（{kpis['dead_letters']}）"):
    dead = data.load("dead_letters")
    st.dataframe(
        dead.select(
            pl.col("stage").alias("环节"),
            pl.col("call_id").alias("通话"),
            pl.col("reason").alias("原因"),
            pl.col("error_type").alias("错误类型"),
            pl.col("original_topic").alias("主题"),
            pl.col("original_partition").alias("分区"),
            pl.col("original_offset").alias("偏移"),
            pl.col("source_uri").alias("来源"),
            pl.col("failed_at").alias("时间"),
        ),
        hide_index=True,
    )
