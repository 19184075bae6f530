"""Drill-down pickers whose choice also lives in the address bar (?centre=&team=&agent=), so a link
in a table opens the next level and a level can be bookmarked.

The choices offered are only those in the user's scoped rows; a value in the address bar that is
not among them (another team's id typed in by hand) is refused, audited and ignored.
"""

from __future__ import annotations

import streamlit as st

from hotline.dashboards import auth
from hotline.dashboards.plain import markdown_text


def pick(label: str, param: str, choices: list[str], *, key: str, page: str, allow_all: bool = True) -> str | None:
    """A select box for one level; its value is mirrored into ``?param=``."""
    asked = st.query_params.get(param)
    if asked and key not in st.session_state:
        if asked in choices:
            st.session_state[key] = asked
        else:
            auth.audit_or_stop("view_denied", page=page, **{param: asked})
            # The address bar is outside text too: a crafted link must not put a link on the page.
            st.warning(f"{label} {markdown_text(asked)} 不存在或不在您的权限范围内，已忽略。")
    options = [None, *choices] if allow_all else choices
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]  # a choice of a higher level changed what this one may offer
    value = st.selectbox(label, options, format_func=lambda v: "全部" if v is None else str(v), key=key)
    if value is None:
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = value
    return value

