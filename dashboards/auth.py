"""Signing in and out, and the audit trail of what a signed-in user did.

The signed-in user lives in Streamlit's server-side session state: a browser cannot set it, and
a new tab or a reload asks for the password again. Every page run checks that user against the
store again (``current_account``): a disabled account, a changed role or scope, or sessions an
administrator ended sign the session out at once. Log-ins are throttled per account and per client
(warehouse/login_throttle.py). Audit entries are written before what they record is shown; if the
audit log cannot be written, the page stops (fail closed).
"""

from __future__ import annotations

import logging
import math
import sqlite3
from typing import Any

import streamlit as st

from hotline.dashboards import data
from hotline.warehouse import access, audit, login_throttle

log = logging.getLogger(__name__)

_STORE_DOWN = "用户库无法读取，请联系管理员。(user store unavailable)"


def audit_or_stop(action: audit.Action, *, call_id: str | None = None, user: access.User | str | None = None, **detail: Any) -> None:
    """Write an audit entry; when that fails, show nothing more."""
    who = user if user is not None else data.current_user()
    try:
        audit.record(data.access_db(), who, action, call_id=call_id, **detail)
    except (sqlite3.Error, OSError):
        log.exception("dashboard: audit entry %s not written", action)
        st.error("审计日志无法写入，为安全起见暂停显示。请联系管理员。(audit log unavailable)")
        st.stop()


def _store_down() -> None:
    log.exception("dashboard: user store unavailable")
    st.error(_STORE_DOWN)
    st.stop()


def _wait_text(seconds: float) -> str:
    return f"登录尝试过多，请 {math.ceil(seconds)} 秒后再试。(too many attempts)"


def _client() -> str:
    """The address a log-in comes from, for throttling per client."""
    peer = st.context.ip_address
    # Streamlit reports a loopback peer as None; anything but an address (Streamlit's AppTest hands
    # out a new stand-in object each run) must not make every attempt a client of its own.
    if not isinstance(peer, str) or not peer:
        peer = "127.0.0.1"
    if peer in data.require_settings().dashboard.trusted_proxies:
        hops = [hop.strip() for hop in (st.context.headers.get("X-Forwarded-For") or "").split(",") if hop.strip()]
        if hops:
            return hops[-1]  # what the proxy saw; earlier hops are the client's own say
    return peer


def _sign_in(username: str, password: str) -> None:
    username = username.strip()
    client = _client()
    db = data.access_db()
    try:
        wait = login_throttle.wait_s(db, username, client)
        # While locked the password is not even checked: a right guess in a flood gets nowhere.
        user = access.authenticate(db, username, password) if wait <= 0 else None
        failure = login_throttle.record_failure(db, username, client) if user is None and wait <= 0 else None
        if user is not None:
            login_throttle.record_success(db, username)
    except (sqlite3.Error, OSError):
        _store_down()
    if wait > 0:
        st.error(_wait_text(wait))
        return
    if user is None:
        assert failure is not None
        if failure.audit:
            audit_or_stop(
                "login_failed",
                user=username[: login_throttle.MAX_NAME_CHARS] or "(空)",
                client=client,
                account_failures=failure.account_failures,
                client_failures=failure.client_failures,
            )
        st.error("用户名或密码错误。")
        if failure.locked_for_s > 0:
            st.error(_wait_text(failure.locked_for_s))
        return
    audit_or_stop("login", user=user, client=client)
    st.session_state[data.USER_KEY] = user
    st.rerun()


def current_account() -> access.User | None:
    """The session's user if the store still has them as they signed in, else None (and the session is cleared).

    Run on every page run: a disabled or reset account, or ended sessions, take effect at once.
    """
    user = st.session_state.get(data.USER_KEY)
    if not isinstance(user, access.User):
        return None
    try:
        now = access.account(data.access_db(), user.username)
    except (sqlite3.Error, OSError):
        _store_down()
    if now != user:
        log.info("dashboard: session of %s ended (account disabled, changed or signed out by an administrator)", user.username)
        for key in list(st.session_state.keys()):
            del st.session_state[key]
        st.session_state["signed_out_notice"] = True
        return None
    return user


def require_login() -> access.User:
    """The signed-in user, or the log-in form (and the run stops there)."""
    user = current_account()
    if user is not None:
        return user
    st.title("12345 热线质检 · 登录")
    if st.session_state.pop("signed_out_notice", False):
        st.warning("您的会话已结束（账号被停用、修改或由管理员注销），请重新登录。")
    with st.form("login"):
        username = st.text_input("用户名", key="login_username", max_chars=login_throttle.MAX_NAME_CHARS)
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
