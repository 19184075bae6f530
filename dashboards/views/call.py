"""Call explorer: audio with the transcript (click a line to play from there), evidence highlighted,
the scorecard, category, LLM items, alerts, and the review loop.

Every read is scoped to the signed-in user: a call outside their scope is "not found", whatever
the address bar says. Every view is written to the audit log before anything is shown.
"""

from __future__ import annotations

import json
import logging

import streamlit as st

from hotline.dashboards import auth, data
from hotline.dashboards.call_panels import insight_panels, work_order_history
from hotline.dashboards.labels import (
    ALERT_KIND,
    CHECK_KIND,
    CHECK_STATUS,
    EMPTY_WAREHOUSE,
    LLM_STATUS,
    NOT_SCORED,
    REVIEW_STATE,
    SEVERITY,
    SPEAKER,
    STATUS_ICON,
    format_clock,
    format_score,
    label,
)
from hotline.dashboards.plain import markdown_text as t
from hotline.dashboards.review_forms import appeal_form, history, review_form, show_notice
from hotline.dashboards.transcript import RecordingRefused, highlight, load_recording, recording_roots
from hotline.inspection.llm_agreement import agreement_note
from hotline.warehouse import review
from hotline.warehouse.access import can

log = logging.getLogger(__name__)
AVATAR = {"agent": "🎧", "caller": "📞", "unknown": "❔"}
# Streamlit styles "assistant" and "user" chat messages differently: agent left, caller right.
CHAT_ROLE = {"agent": "assistant", "caller": "user", "unknown": "user"}

user = data.current_user()
st.title("通话详情")

recent = data.load_scoped("access_calls", queue_first=True)
asked = st.query_params.get("call_id")
if recent.is_empty() and not asked:
    st.info(EMPTY_WAREHOUSE)
    st.stop()

options = recent["call_id"].to_list()
if asked and asked not in options:
    options.insert(0, asked)
call_id = st.selectbox("选择通话", options, index=options.index(asked) if asked else 0)
st.query_params["call_id"] = call_id

detail = data.load_scoped("access_call", call_id=call_id)
if detail.is_empty():
    # The same answer for "not landed yet" and "not yours": probing call ids reveals nothing.
    auth.audit_or_stop("view_denied", call_id=call_id)
    st.warning(f"没有找到通话 {call_id}（可能尚未入库，或不在您的权限范围内）。")
    st.stop()
call = detail.row(0, named=True)

# The recording only for a role that may hear it, of a call this user may see (the scoped read
# above), from the recording folders: its bytes go to the player, never a path Streamlit would read.
audio, refused = None, None
if can(user, "hear_audio"):
    settings = data.require_settings()
    try:
        audio = load_recording(call["source_uri"], recording_roots(settings), max_bytes=settings.dashboard.audio_max_mb * 2**20)
    except RecordingRefused as exc:
        if call["source_uri"]:  # a call without one is not worth a warning
            refused = str(exc)
            log.warning("dashboard: recording of %s not served: %s", call_id, refused)
viewed = st.session_state.setdefault("audited_views", set())
if call_id not in viewed:
    refusal = {"audio_refused": refused} if refused else {}
    auth.audit_or_stop("view_call", call_id=call_id, audio=audio is not None, masked=not can(user, "see_pii"), **refusal)
    viewed.add(call_id)

cols = st.columns(4)
not_scored = call["scorecard_id"] is not None and call["score"] is None
cols[0].metric("得分", format_score(call["score"], inspected=call["scorecard_id"] is not None),
               help="没有可判定的质检项（如静默通话）：不计分，不计入平均分" if not_scored else f"满分 {format_score(call['max_score'])}")
cols[1].metric("复核状态", NOT_SCORED if not_scored else label(REVIEW_STATE, call["review_state"]))
cols[2].metric("时长", format_clock(call["duration_s"]))
cols[3].metric("缺陷项", len(call["defects"] or []))
st.markdown(
    f"**班组** {t(call['team_id'])} · **坐席** {t(call['agent_id'])} · **来电号码** {t(call['caller_number'] or '—')} · "
    f"**开始时间** {call['started_at']:%Y-%m-%d %H:%M:%S} · **中心** {t(call['centre_id'])}"
)
if call["transcript_final"] is None:
    st.caption("转写尚未入库。")
else:
    state = "完整" if call["transcript_final"] and not call["transcript_incomplete"] else "部分/不完整"
    st.caption(f"转写：{state} · 模型 {t(call['asr_model'])} · 语言 {t(call['language'])}")

alerts = data.load_scoped("access_call_alerts", call_id=call_id)
for alert in alerts.iter_rows(named=True):
    st.error(
        f"⚠️ {label(ALERT_KIND, alert['kind'])}（{label(SEVERITY, alert['severity'])}）"
        f" {format_clock(alert['start_s'])}–{format_clock(alert['end_s'])} {label(SPEAKER, alert['speaker'])}：「{t(alert['quote'])}」"
    )

checks = data.load_scoped("access_call_checks", call_id=call_id)
evidence = [ev["quote"] for evs in checks["evidence"].to_list() for ev in (evs or []) if ev["verified"]] if not checks.is_empty() else []
start_key = f"audio_start_{call_id}"

transcript_col, checks_col = st.columns([3, 2])

with transcript_col:
    st.subheader("录音与转写")
    if audio is not None:
        st.audio(audio.data, format=audio.mime, start_time=int(st.session_state.get(start_key, 0)), autoplay=start_key in st.session_state)
        st.caption("点击某句前的 ▶ 从该处播放。橙色：质检证据；红色：预警原话。")
    elif can(user, "hear_audio"):
        st.caption("录音文件不可用。")
    else:
        st.caption("您的角色不能收听录音；个人信息已脱敏。")
    turns = data.load_scoped("access_call_turns", call_id=call_id)
    if turns.is_empty():
        st.caption("暂无转写内容。")
    alert_quotes = alerts["quote"].to_list()
    for turn in turns.iter_rows(named=True):
        speaker = turn["speaker"]
        with st.chat_message(CHAT_ROLE.get(speaker, "user"), avatar=AVATAR.get(speaker, "❔")):
            clock = f"{format_clock(turn['start_s'])}–{format_clock(turn['end_s'])}"
            if audio is not None and st.button(f"▶ {format_clock(turn['start_s'])}", key=f"play_{turn['turn_no']}"):
                st.session_state[start_key] = turn["start_s"]
                st.rerun()
            st.caption(f"{label(SPEAKER, speaker)} · {clock}")
            st.markdown(highlight(turn["text"], evidence, alert_quotes))

decisions = review.call_history(data.access_db(), user, call_id)
latest = {}
for row in decisions.iter_rows(named=True):
    latest.setdefault(row["item_id"], row)  # newest first

llm = data.load_scoped("access_call_llm", call_id=call_id)
# The model that judged this call's LLM items (one per inspection), for the measured-agreement notes.
llm_model = next((m for m, status in zip(llm["model"].to_list(), llm["status"].to_list()) if m and status != "pending"), None)

with checks_col:
    st.subheader("质检项")
    if checks.is_empty():
        st.caption("尚未质检。")
    for check in checks.iter_rows(named=True):
        status = check["status"]
        title = (
            f"{STATUS_ICON.get(status, '')} {t(check['name'])} · {label(CHECK_STATUS, status)}"
            f" · {check['points']:g}/{check['weight']:g}{' · 致命项' if check['fatal'] else ''}"
        )
        human = latest.get(check["item_id"])
        if human is not None:
            title += f" · 人工{'确认' if human['verdict'] == 'confirm' else '判定为' + label(CHECK_STATUS, human['human_status'])}"
        with st.expander(title, expanded=status in ("failed", "needs_review")):
            st.markdown(f"{label(CHECK_KIND, check['kind'])}：{t(check['reason'])}")
            if check["kind"] == "llm" and status != "pending":
                st.caption(t(agreement_note(llm_model, check["item_id"])))
            for ev in check["evidence"] or []:
                verified = "已核验" if ev["verified"] else "未核验"
                st.markdown(
                    f"> 「{t(ev['quote'])}」 — {label(SPEAKER, ev['speaker'])} "
                    f"{format_clock(ev['start_s'])}–{format_clock(ev['end_s'])}（{verified}）"
                )
            if human is not None and human["reason"]:
                st.caption(f"复核理由（{t(human['decided_by'])}）：{t(human['reason'])}")

    st.subheader("诉求分类建议")
    if call["category"] is None:
        st.caption("暂无分类建议。")
    else:
        st.markdown(f"**{t(call['category'])}**（相似度 {call['category_score']:.2f}，方法 {t(call['category_method'])}）")
        if call["category_neighbours"]:
            st.caption("依据的相近样例：" + "；".join(t(n) for n in call["category_neighbours"]))

    st.subheader("大模型评估项")
    if llm.is_empty():
        st.caption("无。")
    for item in llm.iter_rows(named=True):
        text = f"**{t(item['name'])}** · {label(LLM_STATUS, item['status'])}：{t(item['reason'])}"
        if item["status"] == "judged" and item["value"] is not None:
            st.markdown(text)
            st.caption(t(agreement_note(item["model"], item["name"])))
            try:
                st.json(json.loads(item["value"]))
            except ValueError:  # a masked number inside the JSON: show the text as it is
                st.code(item["value"], language=None)
        else:
            # Pending items are never shown as a result: there is no judgement yet.
            st.info(text)

st.divider()
insight_panels(call_id)
work_order_history(call_id)

st.divider()
st.subheader("人工复核与申诉")
show_notice()
open_appeals = review.appeals(data.access_db(), user, call_id=call_id, only_open=True)
if can(user, "review") and call["score"] is not None:
    review_form(call, checks, open_appeals)
if can(user, "appeal") and call["score"] is not None:
    with st.expander("登记坐席申诉"):
        appeal_form(call, checks)
history(call_id)
