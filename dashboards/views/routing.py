"""Routing (派单): department league table (SLA, re-routing, satisfaction), suggested-vs-dispatched
agreement, bouncing chains (推诿), overdue work orders, and orders that disagree with the call
(a complaint recorded as a 咨询, a demand no order covers).

A work order belongs to the scope of its call: a team lead sees the orders their team filed.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from hotline.dashboards import data, routing_figures
from hotline.dashboards.export import export_frame
from hotline.dashboards.filters import date_range
from hotline.dashboards.labels import format_share

CALL_LINK = {"通话": st.column_config.LinkColumn("通话", display_text=r"call_id=(.*)")}


def call_link() -> pl.Expr:
    return pl.when(pl.col("call_id").is_not_null()).then(pl.concat_str(pl.lit("call?call_id="), pl.col("call_id"))).alias("通话")


def hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} 小时"


user = data.current_user()
st.title("派单与工单")
with st.sidebar:
    st.header("筛选")
    date_from, date_to = date_range(st.date_input("工单创建日期", value=(), help="不选表示全部日期", key="w_dates"))
dates = {"date_from": date_from, "date_to": date_to}

kpis = data.load_scoped("access_routing_kpis", **dates).row(0, named=True)
if not kpis["work_orders"]:
    st.info("还没有工单事件入库 — 用 `hotline workorders import` 导入，或由工单系统推送到 workorders.events.v1。")
    st.stop()
cols = st.columns(6)
cols[0].metric("工单", f"{kpis['work_orders']:,}", help=f"未办结 {kpis['open']:,}")
cols[1].metric("超期", f"{kpis['overdue']:,}", help=f"占比 {format_share(kpis['overdue_share'])}")
cols[2].metric("重新派单率", format_share(kpis["rerouted_share"]), help="派给不止一个部门或被退单")
# Quantiles are read from orders counted per bucket of hours (hours_bucket, bucket_quantile): within 0.5 %.
QUANTILE_NOTE = "按 1% 对数分桶计数估算，与逐单精确值相差不超过 0.5%"
cols[3].metric("派单用时（中位）", hours(kpis["median_hours_to_dispatch"]),
               help=f"90 分位 {hours(kpis['p90_hours_to_dispatch'])}；{QUANTILE_NOTE}")
cols[4].metric("办结用时（中位）", hours(kpis["median_hours_to_close"]), help=QUANTILE_NOTE)
cols[5].metric("回访满意率", format_share(kpis["satisfied_share"]), help=f"重新打开 {kpis['reopened']:,} 单")

st.subheader("部门排行")
departments = data.load_scoped("access_routing_departments", **dates)
league = departments.select(
    pl.col("department").alias("部门"),
    pl.col("received").alias("接单"),
    pl.col("returned").alias("退单"),
    pl.col("transferred_away").alias("转出"),
    (pl.col("bounce_rate") * 100).round(1).alias("退转率(%)"),
    pl.col("owned").alias("承办"),
    pl.col("closed").alias("办结"),
    pl.col("overdue").alias("超期"),
    (pl.when(pl.col("owned") > 0).then(1 - pl.col("overdue") / pl.col("owned")) * 100).round(1).alias("按时率(%)"),
    pl.col("median_hours_to_close").round(1).alias("办结中位(小时)"),
    (pl.col("satisfied_share") * 100).round(1).alias("满意率(%)"),
    pl.col("rated").alias("回访数"),
)
st.dataframe(league, hide_index=True, key="league_table")
export_frame(league, name="departments", key="export_departments")
left, right = st.columns(2)
left.plotly_chart(routing_figures.department_league(departments), key="league_chart")
agreement = data.load_scoped("access_routing_agreement", **dates)
right.plotly_chart(routing_figures.agreement_bars(agreement), key="agreement_chart")

st.subheader("建议派单与实际派单")
st.dataframe(
    agreement.select(
        pl.col("suggested_category").alias("建议分类"),
        pl.col("work_orders").alias("工单"),
        pl.col("with_suggestion").alias("有建议"),
        (pl.col("first_dispatch_agreement") * 100).round(1).alias("首次派单一致(%)"),
        (pl.col("final_agreement") * 100).round(1).alias("最终承办一致(%)"),
        (pl.col("rerouted_share") * 100).round(1).alias("改派(%)"),
    ),
    hide_index=True,
    key="agreement_table",
)

st.subheader("退单与转办链（推诿）")
bounces = data.load_scoped("access_routing_bounces", **dates)
chains = data.load_scoped("access_routing_chains", **dates)
left, right = st.columns([2, 3])
left.plotly_chart(routing_figures.bounce_flows(bounces), key="bounce_chart")
with right:
    if bounces.is_empty():
        st.caption("没有退单或转办。")
    else:
        st.dataframe(
            bounces.select(
                pl.col("from_department").alias("从"),
                pl.col("to_department").alias("到"),
                pl.col("kind").replace_strict({"transferred": "转办", "returned": "退单"}, default=pl.col("kind")).alias("方式"),
                pl.col("hops").alias("次数"),
                pl.col("work_orders").alias("工单"),
                pl.col("in_repeated_bounces").alias("其中反复退转"),
            ),
            hide_index=True,
            key="bounces_table",
        )
if not chains.is_empty():
    st.dataframe(
        chains.select(
            call_link(),
            pl.col("work_order_id").alias("工单"),
            pl.col("route").alias("流转路径"),
            pl.col("assignments").alias("派单次数"),
            pl.col("returns").alias("退单"),
            pl.col("transfers").alias("转办"),
            pl.col("current_department").alias("当前承办"),
            pl.col("is_closed").alias("已办结"),
            pl.col("overdue").alias("超期"),
            pl.col("category").alias("分类"),
            pl.col("created_at").alias("创建时间"),
        ),
        hide_index=True,
        column_config=CALL_LINK,
        key="chains_table",
    )

st.subheader("超期工单")
overdue = data.load_scoped("access_routing_overdue", **dates)
if overdue.is_empty():
    st.caption("没有超期工单。")
else:
    shown = overdue.select(
        call_link(),
        pl.col("work_order_id").alias("工单"),
        pl.col("current_department").alias("当前承办"),
        pl.col("is_closed").alias("已办结"),
        pl.col("hours_overdue").round(1).alias("超期(小时)"),
        pl.col("due_at").alias("应办结"),
        pl.col("extensions").alias("延期"),
        pl.col("returns").alias("退单"),
        pl.col("category").alias("分类"),
        pl.col("district").alias("区域"),
    )
    st.dataframe(shown, hide_index=True, column_config=CALL_LINK, key="overdue_table")
    export_frame(shown.with_columns(pl.col("通话").str.replace("call?call_id=", "", literal=True)), name="overdue_work_orders", key="export_overdue")

st.subheader("工单与来电不符（降级、漏项）")
DISCREPANCY = {"downgraded": "降级（投诉记为较轻类型）", "omitted_demand": "漏项（诉求未进工单）"}
# The dates filter on when the call came in (the finding belongs to the call).
discrepancies = data.load_scoped("access_routing_discrepancies", **dates, limit=None)
if discrepancies.is_empty():
    st.caption("没有发现工单降级或漏项。")
else:
    st.dataframe(
        discrepancies.select(
            call_link(),
            pl.col("work_order_id").alias("工单"),
            pl.col("discrepancy").replace_strict(DISCREPANCY, default=pl.col("discrepancy")).alias("问题"),
            pl.col("recorded_type").alias("工单类型"),
            pl.col("found_type").alias("来电类型"),
            pl.col("recorded_category").alias("工单分类"),
            pl.col("found_category").alias("诉求分类"),
            pl.col("quote").alias("来电原话"),
            pl.col("detail").alias("说明"),
        ),
        hide_index=True,
        column_config=CALL_LINK,
        key="discrepancies_table",
    )
