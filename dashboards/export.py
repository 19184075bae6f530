"""Exports: the file is handed over only after the export is in the audit log.

A download button carries its data to the browser as soon as it is drawn, so it is drawn only
in the run in which "prepare export" was pressed and the audit entry was written.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from hotline.dashboards import auth, data
from hotline.warehouse.access import can


def export_frame(frame: pl.DataFrame, *, name: str, key: str, **detail: Any) -> None:
    """An audited CSV export of ``frame`` (already scoped and masked for the user)."""
    if not can(data.current_user(), "export"):
        return
    if st.button(f"导出 CSV（{frame.height} 行）", key=f"{key}_prepare", help="导出会记入审计日志"):
        auth.audit_or_stop("export", what=name, rows=frame.height, **detail)
        st.download_button(
            "下载 CSV",
            frame.write_csv().encode("utf-8-sig"),  # with a BOM: Excel opens Chinese text correctly
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"{key}_download",
            on_click="ignore",
        )
