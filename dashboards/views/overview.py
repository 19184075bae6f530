"""The cockpit: headline numbers, review queue, alerts waiting, trends, defects and the call list.

Everything is read through scoped queries: a supervisor sees their centre, a team lead their
team, a policy analyst the same numbers with personal data masked.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from hotline.dashboards import data, figures
from hotline.dashboards.export import export_frame
from hotline.dashboards.labels import (
    ALERT_KIND,
    EMPTY_WAREHOUSE,
    HUMAN_REVIEW,
    SEVERITY,
    SPEAKER,
    format_score,
    format_share,
    review_advice,
)
from hotline.dashboards.filters import sidebar_filters
from hotline.warehouse import review
from hotline.warehouse.access import can

user = data.current_user()
st.title("12345 热线质检总览")

reviewed = review.reviewed_calls(data.access_db(), user)
filters = sidebar_filters(reviewed)
kpis = data.load_scoped("access_kpis", **filters).row(0, named=True)
if kpis["calls_landed"] == 0:
    st.info(EMPTY_WAREHOUSE)
    st.stop()

cols = st.columns(7)
cols[0].metric("入库通话", f"{kpis['calls_landed']:,}")
cols[1].metric("质检覆盖率", format_share(kpis["coverage"]), help="已质检 / 已入库")
cols[2].metric("平均得分", format_score(kpis["avg_score"]), help=f"满分 {format_score(kpis['avg_max_score'])}；未评分 {kpis['calls_not_scored']:,} 通不计入")
cols[3].metric("合格率", format_share(kpis["pass_rate"]), help="无缺陷、无致命项的已质检通话占比")
cols[4].metric("缺陷通话占比", format_share(kpis["defect_share"]))
cols[5].metric("待复核", f"{kpis['review_queue']:,}", help=f"其中必须复核 {kpis['mandatory_waiting']}；已人工复核 {kpis['human_reviewed']}")
cols[6].metric("预警", f"{kpis['alerts']:,}", help=f"涉及 {kpis['calls_with_alerts']} 通通话")

# How far the LLM judge has come (the local one on CPU answers calls one by one after they land).
progress = data.load_scoped("access_llm_progress")
judge = dict(zip(progress["state"].to_list(), progress["calls"].to_list()))
judge_models = "、".join(sorted({m for ms in progress["models"].to_list() for m in (ms or ())})) or "尚无"
st.caption(f"大模型评估（模型：{judge_models}）：已评估 {judge.get('judged', 0):,} 通，待评估 {judge.get('pending', 0):,} 通，"
           f"回复未通过校验需复核 {judge.get('needs_review', 0):,} 通。")


def call_link() -> pl.Expr:
    return pl.concat_str(pl.lit("call?call_id="), pl.col("call_id")).alias("通话")


LINK = {"通话": st.column_config.LinkColumn("通话", display_text=r"call_id=(.*)")}

queue_col, alerts_col = st.columns(2)
with queue_col:
    st.subheader("复核队列")
    queue = data.load_scoped("access_calls", **(filters | {"human_review": "unreviewed"}), queue_first=True, limit=500).filter(
        pl.col("review_state").is_in(["mandatory_review", "sample_review"])
    )
    if queue.is_empty():
        st.caption("没有待复核的通话。")
    else:
        st.dataframe(
            queue.head(50).select(
                call_link(),
                review_advice().alias("建议"),
                pl.col("score").alias("得分"),
                pl.col("alerts").alias("预警"),
                pl.col("agent_id").alias("坐席"),
                pl.col("started_at").alias("开始时间"),
            ),
            hide_index=True,
            column_config=LINK,
            key="queue_table",
        )
with alerts_col:
    st.subheader("待处理预警")
    alerts = data.load_scoped("access_alerts", **filters)
    waiting = alerts.filter(~pl.col("human_reviewed"))
    if waiting.is_empty():
        st.caption("暂无待处理预警")
    else:
        st.dataframe(
            waiting.select(
                call_link(),
                pl.col("kind").replace_strict(ALERT_KIND, default=pl.col("kind")).alias("类型"),
                pl.col("severity").replace_strict(SEVERITY, default=pl.col("severity")).alias("级别"),
                pl.col("quote").alias("原话"),
                pl.col("speaker").replace_strict(SPEAKER, default=pl.col("speaker")).alias("说话人"),
                pl.col("team_id").alias("班组"),
                pl.col("raised_at").alias("时间"),
            ),
            hide_index=True,
            column_config=LINK,
            key="alerts_table",
        )

daily = data.load_scoped("access_daily", **filters)
left, right = st.columns(2)
left.plotly_chart(figures.calls_per_day(daily), key="calls_per_day")
right.plotly_chart(figures.score_per_day(daily), key="score_per_day")
left, right = st.columns(2)
left.plotly_chart(figures.categories_bar(data.load_scoped("access_categories", **filters)), key="categories")
right.plotly_chart(figures.defects_by_item(data.load_scoped("access_defects", **filters)), key="defects")
if not alerts.is_empty():
    st.plotly_chart(figures.alerts_by_kind(alerts), key="alerts_by_kind")

st.subheader("通话列表")
calls = data.load_scoped("access_calls", **filters)
st.caption(f"共 {calls.height} 通（最多显示 500 通）；来电号码已脱敏。")
shown = calls.select(
    call_link(),
    pl.col("started_at").alias("开始时间"),
    pl.col("team_id").alias("班组"),
    pl.col("agent_id").alias("坐席"),
    pl.col("caller_masked").alias("来电号码"),
    pl.col("duration_s").round(0).alias("时长(秒)"),
    pl.col("score").alias("得分"),
    pl.col("defects").alias("缺陷数"),
    pl.col("category").alias("分类"),
    review_advice().alias("复核建议"),
    pl.when(pl.col("human_reviewed")).then(pl.lit(HUMAN_REVIEW["reviewed"])).otherwise(pl.lit(HUMAN_REVIEW["unreviewed"])).alias("人工复核"),
    pl.col("alerts").alias("预警"),
)
st.dataframe(shown, hide_index=True, column_config=LINK, key="calls_table")
export_frame(
    shown.with_columns(pl.col("通话").str.replace("call?call_id=", "", literal=True)),
    name="calls",
    key="export_calls",
    filters={k: v for k, v in filters.items() if k != "reviewed" and v is not None},
)

if can(user, "see_pii"):
    with st.expander(f"死信（{kpis['dead_letters']}）"):
        dead = data.load_scoped("access_dead_letters")
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
