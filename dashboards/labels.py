"""Chinese labels and display formats for the dashboard (the warehouse stores the English codes)."""

from __future__ import annotations

import polars as pl

REVIEW_STATE = {"auto_pass": "自动通过", "sample_review": "抽样复核", "mandatory_review": "必须复核"}
# An inspected call where no scorecard item could be decided (score None): neither passed nor failed.
NOT_SCORED = "未评分"
HUMAN_REVIEW = {"reviewed": "已人工复核", "unreviewed": "未人工复核"}
VERDICT = {"confirm": "确认", "override": "改判", "decide": "人工判定"}
APPEAL_OUTCOME = {"upheld": "申诉成立", "rejected": "申诉驳回"}
CHECK_STATUS = {"passed": "通过", "failed": "未通过", "pending": "待评估", "needs_review": "需复核", "not_applicable": "不适用"}
CHECK_KIND = {"rule": "规则", "timing": "时序", "llm": "大模型"}
LLM_STATUS = {"judged": "已评估", "pending": "待评估", "needs_review": "需复核"}
SPEAKER = {"agent": "坐席", "caller": "来电人", "unknown": "未知"}
SEVERITY = {"high": "高", "critical": "紧急"}
ALERT_KIND = {
    "self_harm": "自伤风险",
    "violence_threat": "暴力威胁",
    "mass_gathering": "群体聚集",
    "media_exposure": "媒体曝光",
    "repeat_complaint": "重复投诉",
    "abusive_agent": "坐席不文明用语",
}
STATUS_ICON = {"passed": "✅", "failed": "❌", "pending": "⏳", "needs_review": "🔍", "not_applicable": "➖"}

EMPTY_WAREHOUSE = "还没有通话入库 — 运行 `hotline demo` 或启动 sink。(no calls landed yet — run `hotline demo` or start the sink)"


def label(mapping: dict[str, str], code: str | None) -> str:
    """The Chinese label of a code, or the code itself when it is new to the dashboard."""
    if code is None:
        return "—"
    return mapping.get(code, code)


def format_clock(seconds: float | None) -> str:
    """Seconds from the start of the call as mm:ss (h:mm:ss past an hour)."""
    if seconds is None:
        return "—"
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def format_share(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def format_score(score: float | None, *, inspected: bool = False) -> str:
    """A score as shown; an inspected call without one is not scored (not 0)."""
    if score is None:
        return NOT_SCORED if inspected else "—"
    return f"{score:.1f}"


def review_advice() -> pl.Expr:
    """A call list's review advice: 未评分 for an inspected call that is not scored (it waits in no
    review queue), else the review state's label (None before inspection)."""
    state = pl.col("review_state")
    return pl.when(state.is_not_null() & pl.col("score").is_null()).then(pl.lit(NOT_SCORED)).otherwise(state.replace_strict(REVIEW_STATE, default=state))
