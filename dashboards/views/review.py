"""Review and appeals: where the machine is trusted and where it is not, and what waits for a human.

Agreement is computed from the stored human decisions (the latest on each call and item)
against the machine verdict each reviewer saw; scoped like everything else.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from hotline.dashboards import data, figures
from hotline.dashboards.export import export_frame
from hotline.dashboards.labels import APPEAL_OUTCOME, NOT_SCORED, format_share, review_advice
from hotline.warehouse import review

user = data.current_user()
db = data.access_db()
st.title("复核与申诉")

per_item = review.agreement(db, user)
overall = review.overall_agreement(per_item)
whole = per_item.filter(pl.col("item_id") == review.WHOLE_SCORE)
cols = st.columns(4)
cols[0].metric("逐项一致率", format_share(overall), help="人工确认的机器判定 / 人工复核过的判定（每通每项取最新决定）")
cols[1].metric("总分一致率", format_share(whole["agreement"][0] if whole.height else None))
cols[2].metric("已复核判定", f"{int(per_item.filter(pl.col('item_id') != review.WHOLE_SCORE)['decisions'].sum() or 0):,}")
open_appeals = review.appeals(db, user, only_open=True)
cols[3].metric("待处理申诉", f"{open_appeals.height:,}")

st.plotly_chart(figures.agreement_by_item(per_item), key="agreement_by_item")
if not per_item.is_empty():
    st.dataframe(
        per_item.select(
            pl.when(pl.col("item_id") == review.WHOLE_SCORE).then(pl.lit(review.WHOLE_SCORE_NAME)).otherwise(pl.col("item_name")).alias("项目"),
            pl.col("decisions").alias("复核数"),
            pl.col("confirmed").alias("确认"),
            pl.col("overridden").alias("改判"),
            (pl.col("agreement") * 100).round(1).alias("一致率(%)"),
        ),
        hide_index=True,
        key="agreement_table",
    )

st.subheader("待复核通话")
queue = data.load_scoped("access_calls", reviewed=review.reviewed_calls(db, user), human_review="unreviewed", queue_first=True).filter(
    pl.col("review_state").is_in(["mandatory_review", "sample_review"])
)
if queue.is_empty():
    st.caption("没有待复核的通话。")
else:
    st.dataframe(
        queue.select(
            pl.concat_str(pl.lit("call?call_id="), pl.col("call_id")).alias("通话"),
            review_advice().alias("建议"),
            pl.col("score").alias("得分"),
            pl.col("alerts").alias("预警"),
            pl.col("team_id").alias("班组"),
            pl.col("agent_id").alias("坐席"),
            pl.col("started_at").alias("开始时间"),
        ),
        hide_index=True,
        column_config={"通话": st.column_config.LinkColumn("通话", display_text=r"call_id=(.*)")},
        key="review_queue",
    )

# Calls with nothing to score (silence, an agent that could not be told apart) wait in no queue
# above: their own short list, for a person to see what they were.
st.subheader(f"{NOT_SCORED}通话")
not_scored = data.load_scoped("access_calls_not_scored", limit=200)
if not_scored.is_empty():
    st.caption("没有未评分的通话。")
else:
    st.caption("没有可判定的质检项（如静默通话）：不计分，不计入平均分，也不进入复核队列。")
    st.dataframe(
        not_scored.select(
            pl.concat_str(pl.lit("call?call_id="), pl.col("call_id")).alias("通话"),
            pl.col("duration_s").round(0).alias("时长(秒)"),
            pl.col("team_id").alias("班组"),
            pl.col("agent_id").alias("坐席"),
            pl.col("started_at").alias("开始时间"),
        ),
        hide_index=True,
        column_config={"通话": st.column_config.LinkColumn("通话", display_text=r"call_id=(.*)")},
        key="not_scored_calls",
    )

st.subheader("申诉")
appeals = review.appeals(db, user)
if appeals.is_empty():
    st.caption("暂无申诉。")
else:
    shown = appeals.select(
        pl.col("appeal_id").alias("申诉"),
        pl.concat_str(pl.lit("call?call_id="), pl.col("call_id")).alias("通话"),
        pl.col("agent_id").alias("坐席"),
        pl.col("item_id").fill_null("总分").alias("对象"),
        pl.col("text").alias("理由"),
        pl.col("recorded_by").alias("登记人"),
        pl.col("recorded_at").alias("登记时间"),
        pl.col("outcome").replace_strict(APPEAL_OUTCOME, default="待处理").alias("结论"),
    )
    st.dataframe(shown, hide_index=True, column_config={"通话": st.column_config.LinkColumn("通话", display_text=r"call_id=(.*)")}, key="appeals")
    export_frame(shown, name="appeals", key="export_appeals")
