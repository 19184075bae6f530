"""Entry script: ``streamlit run dashboards/app.py`` (settings from HOTLINE_SETTINGS_FILE and HOTLINE_* env).

Loads the settings once, asks for a log-in, then hands over to the pages this user's role may
open; the pages only lay out widgets and call the scoped queries in hotline.dashboards.data.
The pages live in views/, not pages/: a folder named pages/ beside the entry script switches
Streamlit to its older multipage mode, in which a deep link (/call?call_id=...) runs the page
without this script, its log-in and its navigation.
"""

from __future__ import annotations

import streamlit as st

from hotline.dashboards import auth, data
from hotline.dashboards.page_roles import REPORT_ROLES
from hotline.warehouse.access import User, can

st.set_page_config(page_title="12345 热线质检", page_icon="☎️", layout="wide")
data.require_settings()


def pages_for(user: User | None) -> list:
    pages = [
        st.Page("views/overview.py", title="总览", icon="📊", default=True),
        st.Page("views/call.py", title="通话详情", icon="🎧", url_path="call"),
        st.Page("views/review.py", title="复核与申诉", icon="✅", url_path="review"),
    ]
    if user is None or user.role in REPORT_ROLES:
        pages.append(st.Page("views/reports.py", title="坐席与班组报告", icon="🧑‍💼", url_path="reports"))
    pages += [
        st.Page("views/hotspots.py", title="热点诉求", icon="🔥", url_path="hotspots"),
        st.Page("views/routing.py", title="派单与工单", icon="🧭", url_path="routing"),
    ]
    # Not only hidden: the page checks the permission again, and the audit reader is admin-only.
    if user is None or can(user, "read_audit"):
        pages.append(st.Page("views/audit.py", title="审计日志", icon="🔏", url_path="audit"))
    return pages


# Checked against the user store on every run: a disabled or changed account, or sessions an
# administrator ended, sign this session out before any page runs.
user = auth.current_account()
if user is None:
    # Navigation is declared (hidden) before the log-in form so a deep link such as
    # /call?call_id=... keeps its page and parameters through the log-in; no page runs.
    st.navigation(pages_for(None), position="hidden")
    user = auth.require_login()
auth.show_user_box(user)
st.navigation(pages_for(user)).run()
