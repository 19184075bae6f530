"""One call: metadata, transcript by speaker, each check with its evidence, category, LLM items, alerts."""

from __future__ import annotations

import json

import streamlit as st

from hotline.dashboards import data
from hotline.dashboards.labels import (
    ALERT_KIND,
    CHECK_KIND,
    CHECK_STATUS,
    EMPTY_WAREHOUSE,
    LLM_STATUS,
    REVIEW_STATE,
    SEVERITY,
    SPEAKER,
    STATUS_ICON,
    format_clock,
    format_score,
    label,
)

AVATAR = {"agent": "🎧", "caller": "📞", "unknown": "❔"}
# Streamlit styles "assistant" and "user" chat messages differently: agent left, caller right.
CHAT_ROLE = {"agent": "assistant", "caller": "user", "unknown": "user"}

st.title("通话详情")

recent = data.load("calls_list")
if recent.is_empty():
    st.info(EMPTY_WAREHOUSE)
    st.stop()

options = recent["call_id"].to_list()
asked = st.query_params.get("call_id")
if asked and asked not in options:
    options.insert(0, asked)
call_id = st.selectbox("选择通话", options, index=options.index(asked) if asked else 0)
st.query_params["call_id"] = call_id

detail = data.load("call_detail", call_id=call_id)
if detail.is_empty():
    st.warning(f"没有找到通话 {call_id}（可能尚未入库）。")
    st.stop()
call = detail.row(0, named=True)

cols = st.columns(4)
cols[0].metric("得分", format_score(call["score"]), help=f"满分 {format_score(call['max_score'])}")
cols[1].metric("复核状态", label(REVIEW_STATE, call["review_state"]))
cols[2].metric("时长", format_clock(call["duration_s"]))
cols[3].metric("缺陷项", len(call["defects"] or []))
st.markdown(
    f"**班组** {call['team_id']} · **坐席** {call['agent_id']} · **来电号码** {call['caller_number'] or '—'} · "
    f"**开始时间** {call['started_at']:%Y-%m-%d %H:%M:%S} · **中心** {call['centre_id']}"
)
if call["transcript_final"] is None:
    st.caption("转写尚未入库。")
else:
    state = "完整" if call["transcript_final"] and not call["transcript_incomplete"] else "部分/不完整"
    st.caption(f"转写：{state} · 模型 {call['asr_model']} · 语言 {call['language']}")

alerts = data.load("call_alerts", call_id=call_id)
for alert in alerts.iter_rows(named=True):
    st.error(
        f"⚠️ {label(ALERT_KIND, alert['kind'])}（{label(SEVERITY, alert['severity'])}）"
        f" {format_clock(alert['start_s'])}–{format_clock(alert['end_s'])} {label(SPEAKER, alert['speaker'])}：「{alert['quote']}」"
    )

transcript_col, checks_col = st.columns([3, 2])

with transcript_col:
    st.subheader("转写")
    turns = data.load("call_turns", call_id=call_id)
    if turns.is_empty():
        st.caption("暂无转写内容。")
    for turn in turns.iter_rows(named=True):
        speaker = turn["speaker"]
        with st.chat_message(CHAT_ROLE.get(speaker, "user"), avatar=AVATAR.get(speaker, "❔")):
            st.caption(f"{label(SPEAKER, speaker)} · {format_clock(turn['start_s'])}–{format_clock(turn['end_s'])}")
            st.write(turn["text"])

with checks_col:
    st.subheader("质检项")
    checks = data.load("call_checks", call_id=call_id)
    if checks.is_empty():
        st.caption("尚未质检。")
    for check in checks.iter_rows(named=True):
        status = check["status"]
        title = (
            f"{STATUS_ICON.get(status, '')} {check['name']} · {label(CHECK_STATUS, status)}"
            f" · {check['points']:g}/{check['weight']:g}{' · 致命项' if check['fatal'] else ''}"
        )
        with st.expander(title, expanded=status in ("failed", "needs_review")):
            st.write(f"{label(CHECK_KIND, check['kind'])}：{check['reason']}")
            for ev in check["evidence"] or []:
                verified = "已核验" if ev["verified"] else "未核验"
                st.markdown(
                    f"> 「{ev['quote']}」 — {label(SPEAKER, ev['speaker'])} "
                    f"{format_clock(ev['start_s'])}–{format_clock(ev['end_s'])}（{verified}）"
                )

    st.subheader("诉求分类建议")
    if call["category"] is None:
        st.caption("暂无分类建议。")
    else:
        st.write(f"**{call['category']}**（相似度 {call['category_score']:.2f}，方法 {call['category_method']}）")
        if call["category_neighbours"]:
            st.caption("依据的相近样例：" + "；".join(call["category_neighbours"]))

    st.subheader("大模型评估项")
    llm = data.load("call_llm", call_id=call_id)
    if llm.is_empty():
        st.caption("无。")
    for item in llm.iter_rows(named=True):
        text = f"**{item['name']}** · {label(LLM_STATUS, item['status'])}：{item['reason']}"
        if item["status"] == "judged" and item["value"] is not None:
            st.markdown(text)
            st.json(json.loads(item["value"]))
        else:
            # Pending items are never shown as a result: there is no judgement yet.
            st.info(text)
