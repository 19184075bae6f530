"""Entry script: ``streamlit run dashboards/app.py`` (settings from HOTLINE_SETTINGS_FILE and HOTLINE_* env).

Loads the settings once, then hands over to the pages; the pages only lay out widgets and call
the named queries through hotline.dashboards.data. The pages live in views/, not pages/: a folder
named pages/ beside the entry script switches Streamlit to its older multipage mode, in which a
deep link (/call?call_id=...) runs the page without this script and its navigation.
"""

from __future__ import annotations

import streamlit as st

from hotline.dashboards import data

st.set_page_config(page_title="12345 热线质检", page_icon="☎️", layout="wide")
data.require_settings()

navigation = st.navigation(
    [
        st.Page("views/overview.py", title="总览", icon="📊", default=True),
        st.Page("views/call.py", title="通话详情", icon="🎧", url_path="call"),
    ]
)
navigation.run()
