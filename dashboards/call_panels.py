"""Call explorer panels fed by the warehouse's analytics: the call's real work-order history and,
where the warehouse has them, the caller's sentiment, the agent's attitude, the demands (with
their type, 投诉/咨询/…) and the routing suggestion.

Each panel reads a scoped query (the same scope as the rest of the call page), masked by role.
Every value that came from outside (work-order system, caller, model, catalogue) enters the
markdown through ``t`` (dashboards/plain.py): shown as text, never as a link or an image.
"""

from __future__ import annotations

import json

import polars as pl
import streamlit as st

from hotline.dashboards import call_figures, data
from hotline.dashboards.call_figures import SENTIMENT
from hotline.dashboards.plain import markdown_text as t

EVENT_KIND = {
    "created": "创建", "dispatched": "派单", "transferred": "转办", "returned": "退单", "extended": "延期",
    "replied": "答复", "closed": "办结", "reopened": "重新打开", "callback": "回访",
}
SATISFACTION = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
TREND = {"improving": "好转", "steady": "平稳", "worsening": "恶化", "unknown": "未知"}
URGENCY = {"low": "低", "normal": "一般", "high": "高", "urgent": "紧急"}
ATTITUDE = {"polite": "礼貌", "neutral": "平常", "impatient": "不耐烦", "rude": "粗鲁"}


def work_order_history(call_id: str) -> None:
    """The work orders filed for the call and every lifecycle event, oldest first."""
    st.subheader("工单处理记录")
    orders = data.load_scoped("access_call_work_orders", call_id=call_id)
    if orders.is_empty():
        st.caption("工单系统中没有与本通话关联的工单。")
        return
    for order in orders.iter_rows(named=True):
        state = "已办结" if order["is_closed"] else "办理中"
        late = "，超期" if order["overdue"] else ""
        rating = f"，回访{t(SATISFACTION.get(order['satisfaction'], order['satisfaction']))}" if order["satisfaction"] else ""
        st.markdown(
            f"**{t(order['work_order_id'])}** · {t(order['recorded_type'] or '—')} · {t(order['category'] or '—')} · {t(order['district'] or '—')}"
            f" — {state}{late}{rating}"
        )
        suggested = order["suggested_department"]
        if suggested:
            agreed = "与建议一致" if suggested == order["first_department"] else "与建议不同"
            st.caption(
                f"建议派往 {t(suggested)}（依据分类 {t(order['suggested_category'])}）；首次派往 {t(order['first_department'] or '—')}，"
                f"{agreed}。流转：{t(order['route'] or '—')}"
            )
    events = data.load_scoped("access_call_work_order_events", call_id=call_id)
    st.dataframe(
        events.select(
            pl.col("work_order_id").alias("工单"),
            pl.col("occurred_at").alias("时间"),
            pl.col("kind").replace_strict(EVENT_KIND, default=pl.col("kind")).alias("事件"),
            pl.col("department").alias("部门"),
            pl.col("from_department").alias("转出部门"),
            pl.col("due_at").alias("应办结"),
            pl.col("satisfaction").replace_strict(SATISFACTION, default=pl.col("satisfaction")).alias("回访"),
            pl.col("note").alias("说明"),
        ),
        hide_index=True,
        key="work_order_events",
    )


def _todos(value: str | None) -> str:
    try:
        items = json.loads(value) if value else []
    except ValueError:  # masked text inside the JSON: show it as it is
        return value or ""
    return "；".join(str(t) for t in items) if isinstance(items, list) else str(items)


def sentiment_panel(call_id: str) -> None:
    """The caller's sentiment: overall, its trend, the curve across the call and the words it rests on."""
    st.subheader("来电人情绪")
    rows = data.load_scoped("access_call_sentiment", call_id=call_id)
    if rows.is_empty():
        st.caption("暂无情绪分析。")
        return
    first = rows.row(0, named=True)
    trend = TREND.get(first["trend"], first["trend"] or "—")
    shift = ""
    if first["first_third_valence"] is not None and first["last_third_valence"] is not None:
        shift = f"（前三分之一 {first['first_third_valence']:+.1f} → 后三分之一 {first['last_third_valence']:+.1f}）"
    st.markdown(f"**{t(SENTIMENT.get(first['overall'], first['overall']))}** · 走向：{t(trend)}{shift} · 方法 {t(first['method'] or '—')}")
    if first["sentiment_quote"]:
        st.caption(f"依据：「{t(first['sentiment_quote'])}」")
    st.plotly_chart(call_figures.sentiment_curve(rows), key="sentiment_curve")


def demands_panel(call_id: str) -> None:
    """The caller's demands as work-order draft lines (machine-extracted until a person confirms them)."""
    st.subheader("诉求与工单草稿")
    demands = data.load_scoped("access_call_demands", call_id=call_id)
    if demands.is_empty():
        st.caption("暂无诉求提取。")
        return
    for d in demands.iter_rows(named=True):
        place = " ".join(v for v in (d["district"], d["street"], d["address"]) if v)
        st.markdown(f"**{t(d['summary'] or '—')}**")
        details = [f"分类 {t(d['category'] or '—')}", f"地点 {t(place or '—')}", f"紧急程度 {t(URGENCY.get(d['urgency'], d['urgency'] or '—'))}"]
        if d["requested_action"]:
            details.append(f"诉求 {t(d['requested_action'])}")
        if d.get("demand_type"):
            details.insert(0, f"类型 {t(d['demand_type'])}")
        st.caption(" · ".join(details) + ("（机器提取，待人工确认）" if d["machine_extracted"] else "（已人工确认）"))
        type_quote = _first_quote(d.get("type_evidence"))
        if type_quote:
            st.caption(f"类型依据：「{t(type_quote)}」")
        todos = _todos(d["todos"])
        if todos:
            st.caption(f"待办：{t(todos)}")


def _first_quote(value: str | None) -> str | None:
    try:
        items = json.loads(value) if value else []
    except ValueError:  # masked text inside the JSON
        return None
    return items[0].get("quote") if isinstance(items, list) and items and isinstance(items[0], dict) else None


def attitude_panel(call_id: str) -> None:
    """The agent's attitude: overall, the quote it rests on, and the turns that were not polite or plain."""
    st.subheader("坐席服务态度")
    rows = data.load_scoped("access_call_attitude", call_id=call_id)
    if rows.is_empty():
        st.caption("暂无服务态度分析。")
        return
    first = rows.row(0, named=True)
    counts = rows.group_by("label").len()
    spread = "，".join(f"{t(ATTITUDE.get(r['label'], r['label']))} {r['len']} 句" for r in counts.sort("len", descending=True).iter_rows(named=True) if r["label"])
    st.markdown(f"**{t(ATTITUDE.get(first['overall'], first['overall']))}** · {spread or '—'} · 方法 {t(first['method'] or '—')}")
    if first["attitude_quote"]:
        st.caption(f"依据：「{t(first['attitude_quote'])}」")
    for r in rows.filter(pl.col("label").is_in(["impatient", "rude"])).iter_rows(named=True):
        st.caption(f"{r['start_s']:.0f} 秒 · {t(ATTITUDE.get(r['label'], r['label']))} · {t(r['reason'])}")


def routing_panel(call_id: str) -> None:
    """The department the 事项—职责—属地 catalogue suggests, why, and whether dispatch agreed."""
    st.subheader("派单建议")
    rows = data.load_scoped("access_call_routing", call_id=call_id)
    if rows.is_empty():
        st.caption("暂无派单建议。")
        return
    r = rows.row(0, named=True)
    st.markdown(f"建议派往 **{t(r['department'])}**")
    st.caption(f"理由：{t(r['reason'])}（规则 {t(r['rule_id'])}，目录 {t(r['catalogue_version'])}）")
    if r["dispatched_department"] is not None:
        verdict = "一致" if r["agrees_with_dispatch"] else "不一致"
        st.caption(
            f"工单 {t(r['work_order_id'])} 首次派往 {t(r['dispatched_department'])}，与建议{verdict}；"
            f"当前承办 {t(r['current_department'] or '—（已退回中心）')}。"
        )


def insight_panels(call_id: str) -> None:
    """Sentiment, demands and routing side by side."""
    left, middle, right = st.columns([2, 2, 1])
    with left:
        sentiment_panel(call_id)
        attitude_panel(call_id)
    with middle:
        demands_panel(call_id)
    with right:
        routing_panel(call_id)
