"""The cockpit's filters: widgets in the sidebar, returned as the bound parameters of the access_* queries.

Choices come from the user's own scope (access_filter_options), and whatever is picked is
ANDed with that scope in SQL, so a filter can narrow what a user sees but never widen it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import streamlit as st

from hotline.dashboards import data
from hotline.dashboards.labels import HUMAN_REVIEW, REVIEW_STATE

# (lowest score included, highest excluded); None = open.
SCORE_BANDS: dict[str, tuple[float | None, float | None]] = {
    "全部": (None, None),
    "不及格（<60）": (None, 60.0),
    "60–80": (60.0, 80.0),
    "80–90": (80.0, 90.0),
    "90 及以上": (90.0, None),
}


def _choose(label: str, values: list, key: str) -> Any:
    return st.selectbox(label, [None, *values], format_func=lambda v: "全部" if v is None else str(v), key=key)


def _distinct(frame: pl.DataFrame, column: str) -> list[str]:
    return frame[column].drop_nulls().unique().sort().to_list()


def date_range(picked) -> tuple[date | None, date | None]:
    """A date_input's value as (from, to); nothing picked is (None, None), one day is that day."""
    if isinstance(picked, tuple):
        return (picked + (None, None))[:2]
    return picked, picked


def sidebar_filters(reviewed: list[str]) -> dict[str, Any]:
    """Lay out the filters; returns the parameters every access_* cockpit query takes."""
    options = data.load_scoped("access_filter_options")
    with st.sidebar:
        st.header("筛选")
        date_from, date_to = date_range(st.date_input("通话日期", value=(), help="不选表示全部日期", key="f_dates"))
        centres = _distinct(options, "centre_id")
        centre = _choose("中心", centres, "f_centre") if len(centres) > 1 else None
        if centre is not None:
            options = options.filter(pl.col("centre_id") == centre)
        team = _choose("班组", _distinct(options, "team_id"), "f_team")
        if team is not None:
            options = options.filter(pl.col("team_id") == team)
        agent = _choose("坐席", _distinct(options, "agent_id"), "f_agent")
        category = _choose("诉求分类", _distinct(options, "category"), "f_category")
        district = _choose("区县", _distinct(options, "district"), "f_district")
        band = st.selectbox("得分段", list(SCORE_BANDS), key="f_band")
        review_state = st.selectbox(
            "机器复核建议", [None, *REVIEW_STATE], format_func=lambda r: "全部" if r is None else REVIEW_STATE[r], key="f_review_state"
        )
        human_review = st.selectbox(
            "人工复核", [None, *HUMAN_REVIEW], format_func=lambda r: "全部" if r is None else HUMAN_REVIEW[r], key="f_human_review"
        )
    score_min, score_max = SCORE_BANDS[band]
    return {
        "date_from": date_from,
        "date_to": date_to,
        "centre": centre,
        "team": team,
        "agent": agent,
        "category": category,
        "district": district,
        "score_min": score_min,
        "score_max": score_max,
        "review_state": review_state,
        "human_review": human_review,
        "reviewed": reviewed,
    }
