"""Administrators: the audit log (who saw or exported what, when), its integrity, and the users."""

from __future__ import annotations

import polars as pl
import streamlit as st

from hotline.dashboards import auth, data
from hotline.dashboards.export import export_frame
from hotline.warehouse import access, audit

user = data.current_user()
if not access.can(user, "read_audit"):
    # Navigation does not offer this page to other roles; this guards a page opened some other way.
    auth.audit_or_stop("view_denied", page="audit")
    st.error("只有系统管理员可以查看审计日志。")
    st.stop()

db = data.access_db()
st.title("审计日志")

check = audit.verify_audit_chain(db)
cols = st.columns(2)
cols[0].metric("日志条目", f"{check.entries:,}")
cols[1].metric("完整性", "完好" if check.intact else (f"第 {check.broken_at} 条起被改动" if check.broken_at else "被改动"))
if not check.intact:
    st.error(f"审计日志校验未通过（条目被删除、修改或整体改写）：{check.problem}")
elif not check.anchored and check.entries:
    st.caption("尚未锚定：下一条记录起以密钥签名（MAC）并记录链头。")

with st.sidebar:
    st.header("筛选")
    who = st.text_input("用户名", key="a_user").strip() or None
    action = st.selectbox("动作", [None, *audit.ACTION_LABELS], format_func=lambda a: "全部" if a is None else audit.ACTION_LABELS[a], key="a_action")
    call_id = st.text_input("通话编号", key="a_call").strip() or None
    days = st.date_input("日期（UTC）", value=(), key="a_days")
    day_from, day_to = ((days + (None, None))[:2]) if isinstance(days, tuple) else (days, days)

entries = audit.read_log(
    db,
    username=who,
    action=action,
    call_id=call_id,
    day_from=day_from.isoformat() if day_from else None,
    day_to=day_to.isoformat() if day_to else None,
)
shown = entries.select(
    pl.col("entry_id").alias("序号"),
    pl.col("at").alias("时间 (UTC)"),
    pl.col("username").alias("用户"),
    pl.col("role").replace_strict(access.ROLE_LABELS, default=pl.col("role")).alias("角色"),
    pl.col("action").replace_strict(audit.ACTION_LABELS, default=pl.col("action")).alias("动作"),
    pl.col("call_id").alias("通话"),
    pl.col("detail").alias("详情"),
)
st.dataframe(shown, hide_index=True, key="audit_table")
export_frame(shown, name="audit_log", key="export_audit")

st.subheader("用户")
users = access.list_users(db)
st.dataframe(
    users.select(
        pl.col("username").alias("用户名"),
        pl.col("display_name").alias("姓名"),
        pl.col("role").replace_strict(access.ROLE_LABELS, default=pl.col("role")).alias("角色"),
        pl.col("centre_id").alias("中心"),
        pl.col("team_id").alias("班组"),
        (pl.col("disabled") == 1).alias("已停用"),
        pl.col("updated_at").alias("更新时间"),
    ),
    hide_index=True,
    key="users_table",
)
if access.can(user, "manage_users"):
    with st.expander("新增或重置用户"):
        with st.form("user_form", clear_on_submit=True):
            username = st.text_input("用户名", key="u_name")
            role = st.selectbox("角色", access.ROLES, format_func=access.ROLE_LABELS.get, key="u_role")
            centre = st.text_input("中心", key="u_centre")
            team = st.text_input("班组（班组长必填）", key="u_team")
            password = st.text_input("初始密码", type="password", key="u_password")
            saved = st.form_submit_button("保存")
        if saved:
            try:
                access.add_user(db, username.strip(), role, password, centre_id=centre.strip() or None, team_id=team.strip() or None)
            except ValueError as exc:
                st.error(str(exc))
            else:
                auth.audit_or_stop("user_saved", target=username.strip(), role=role)
                st.success(f"已保存用户 {username.strip()}。")
    with st.expander("结束会话或停用用户"):
        # Takes effect at the user's next page run in every open tab (dashboards/auth.py).
        target = st.selectbox("用户", users["username"].to_list(), key="u_target")
        end_col, disable_col = st.columns(2)
        if end_col.button("结束其全部会话", key="u_end_sessions") and target:
            auth.audit_or_stop("sessions_ended", target=target)
            access.end_sessions(db, target)
            st.success(f"已结束 {target} 的全部会话。")
        if disable_col.button("停用该用户", key="u_disable") and target:
            auth.audit_or_stop("user_disabled", target=target)
            access.disable_user(db, target)
            st.success(f"已停用 {target}，其会话已结束。")
