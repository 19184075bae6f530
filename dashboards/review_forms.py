"""The call explorer's review and appeal forms (writes go to the dashboard's store, audited)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from hotline.dashboards import data
from hotline.dashboards.labels import APPEAL_OUTCOME, CHECK_STATUS, VERDICT, label
from hotline.dashboards.plain import markdown_text as t
from hotline.warehouse import review
from hotline.warehouse.access import AccessDenied, can

# What a reviewer may set an item to; "pending" is the machine's, not a human verdict.
HUMAN_STATUSES = ("passed", "failed", "not_applicable")
NOTICE_KEY = "review_notice"


def show_notice() -> None:
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.success(notice)


def review_form(call: dict, checks: pl.DataFrame, open_appeals: pl.DataFrame) -> None:
    """Confirm or override each item and the whole score, with reasons; optionally answer an appeal."""
    user = data.current_user()
    ref = review.CallRef(call["call_id"], call["centre_id"], call["team_id"], call["agent_id"])
    with st.form(f"review_{call['call_id']}"):
        st.caption("逐项确认或改判；改判须填写理由。")
        decisions: list[review.ItemDecision] = []
        for check in checks.iter_rows(named=True):
            c1, c2, c3 = st.columns([2, 1, 3])
            machine = check["status"]
            default = machine if machine in HUMAN_STATUSES else "passed"
            status = c1.selectbox(
                f"{t(check['name'])}（机器：{label(CHECK_STATUS, machine)}）",
                HUMAN_STATUSES,
                index=HUMAN_STATUSES.index(default),
                format_func=lambda s: label(CHECK_STATUS, s),
                key=f"rv_status_{check['item_id']}",
            )
            points = c2.number_input(
                "得分", min_value=0.0, max_value=float(check["weight"]), value=float(check["points"]), step=1.0, key=f"rv_points_{check['item_id']}"
            )
            reason = c3.text_input("理由", key=f"rv_reason_{check['item_id']}")
            decisions.append(review.ItemDecision(check["item_id"], check["name"], machine, check["points"], status, points, reason))
        c1, c2 = st.columns([1, 3])
        total = c1.number_input(
            "总分", min_value=0.0, max_value=float(call["max_score"] or 100.0), value=float(call["score"] or 0.0), step=1.0, key="rv_total"
        )
        total_reason = c2.text_input("总分理由", key="rv_total_reason")
        decisions.append(review.ItemDecision(review.WHOLE_SCORE, review.WHOLE_SCORE_NAME, "scored", call["score"], "scored", total, total_reason))
        appeal_id, outcome = None, None
        if not open_appeals.is_empty():
            ids = [None, *open_appeals["appeal_id"].to_list()]
            appeal_id = st.selectbox("答复申诉", ids, format_func=lambda a: "不答复申诉" if a is None else f"申诉 #{a}", key="rv_appeal")
            outcome = st.radio("申诉结论", list(APPEAL_OUTCOME), format_func=APPEAL_OUTCOME.get, horizontal=True, key="rv_outcome")
        submitted = st.form_submit_button("提交复核")
    if submitted:
        try:
            ids = review.record_decisions(
                data.access_db(), user, ref, decisions, appeal_id=appeal_id, appeal_outcome=outcome if appeal_id is not None else None
            )
        except (ValueError, AccessDenied) as exc:
            st.error(str(exc))
            return
        overridden = sum(d.verdict == "override" for d in decisions)
        # Rerun so the scorecard above shows the new decisions; the notice survives the rerun.
        st.session_state[NOTICE_KEY] = f"已记录 {len(ids)} 项复核决定（改判 {overridden} 项）。"
        st.rerun()


def appeal_form(call: dict, checks: pl.DataFrame) -> None:
    user = data.current_user()
    if not can(user, "appeal"):
        return
    ref = review.CallRef(call["call_id"], call["centre_id"], call["team_id"], call["agent_id"])
    items = {None: "总分", **dict(zip(checks["item_id"].to_list(), checks["name"].to_list()))}
    with st.form(f"appeal_{call['call_id']}", clear_on_submit=True):
        item = st.selectbox("申诉对象", list(items), format_func=items.get, key="ap_item")
        text = st.text_area(f"坐席 {call['agent_id']} 的申诉理由", key="ap_text")
        submitted = st.form_submit_button("登记申诉")
    if submitted:
        try:
            appeal_id = review.record_appeal(data.access_db(), user, ref, text, item_id=item)
        except (ValueError, AccessDenied) as exc:
            st.error(str(exc))
            return
        st.session_state[NOTICE_KEY] = f"已登记申诉 #{appeal_id}。"
        st.rerun()


def history(call_id: str) -> None:
    user = data.current_user()
    decided = review.call_history(data.access_db(), user, call_id)
    appeals = review.appeals(data.access_db(), user, call_id=call_id)
    if decided.is_empty() and appeals.is_empty():
        st.caption("尚无人工复核或申诉。")
        return
    if not appeals.is_empty():
        st.dataframe(
            appeals.select(
                pl.col("appeal_id").alias("申诉"),
                pl.col("item_id").fill_null("总分").alias("对象"),
                pl.col("text").alias("理由"),
                pl.col("recorded_by").alias("登记人"),
                pl.col("recorded_at").alias("登记时间"),
                pl.col("outcome").replace_strict(APPEAL_OUTCOME, default="待处理").alias("结论"),
            ),
            hide_index=True,
            key="appeals_table",
        )
    if not decided.is_empty():
        st.dataframe(
            decided.select(
                pl.col("item_name").alias("项目"),
                pl.col("verdict").replace_strict(VERDICT, default=pl.col("verdict")).alias("决定"),
                pl.col("machine_status").alias("机器"),
                pl.col("human_status").alias("人工"),
                pl.col("machine_points").alias("机器分"),
                pl.col("human_points").alias("人工分"),
                pl.col("reason").alias("理由"),
                pl.col("decided_by").alias("复核人"),
                pl.col("decided_at").alias("时间"),
            ),
            hide_index=True,
            key="decisions_table",
        )
