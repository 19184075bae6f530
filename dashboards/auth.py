"""Signing in and out, and the audit trail of what a signed-in user did.

The signed-in user lives in Streamlit's server-side session state: a browser cannot set it, and
a new tab or a reload asks for the password again. Audit entries are written before what they
record is shown; if the audit log cannot be written, the page stops (fail closed).
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import streamlit as st

from hotline.dashboards import data
from hotline.warehouse import access, audit

log = logging.getLogger(__name__)


def audit_or_stop(action: audit.Action, *, call_id: str | None = None, user: access.User | str | None = None, **detail: Any) -> None:
    """Write an audit entry; when that fails, show nothing more."""
    who = user if user is not None else data.current_user()
    try:
        audit.record(data.access_db(), who, action, call_id=call_id, **detail)
    except (sqlite3.Error, OSError):
        log.exception("dashboard: audit entry %s not written", action)
        st.error("审计日志无法写入，为安全起见暂停显示。请联系管理员。(audit log unavailable)")
        st.stop()


def _sign_in(username: str, password: str) -> None:
    try:
        user = access.authenticate(data.access_db(), username.strip(), password)
    except (sqlite3.Error, OSError):
        log.exception("dashboard: user store unavailable")
        st.error("用户库无法读取，请联系管理员。(user store unavailable)")
        st.stop()
    if user is None:
        audit_or_stop("login_failed", user=username.strip() or "(空)")
        st.error("用户名或密码错误。")
        return
    audit_or_stop("login", user=user)
    st.session_state[data.USER_KEY] = user
    st.rerun()


def require_login() -> access.User:
    """The signed-in user, or the log-in form (and the run stops there)."""
    user = st.session_state.get(data.USER_KEY)
    if isinstance(user, access.User):
        return user
    st.title("12345 热线质检 · 登录")
    with st.form("login"):
        username = st.text_input("用户名", key="login_username")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录")
    if submitted:
        _sign_in(username, password)
    st.caption("账号由管理员创建（`hotline users add`）；演示账号由 `hotline demo` 创建并打印。")
    st.stop()


def sign_out() -> None:
    user = st.session_state.get(data.USER_KEY)
    if isinstance(user, access.User):
        audit_or_stop("logout", user=user)
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def show_user_box(user: access.User) -> None:
    with st.sidebar:
        scope = user.team_id or user.centre_id or "全部中心"
        st.caption(f"👤 {user.display_name}（{user.role_label} · {scope}）")
        if st.button("退出登录", key="sign_out"):
            sign_out()
            st.rerun()
