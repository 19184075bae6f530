"""The dashboard's only way to the warehouse: named queries on the latest published snapshot.

The snapshot connection is a cached resource and query results are cached with a bound on
age and count; both are keyed by the snapshot file's identity (inode, modification time), so a newly published
snapshot is read at the next rerun. Failures become a friendly message, never a stack trace.

Pages call ``load_scoped``: the query runs with the signed-in user's scope bound and its result
masked by role (hotline.warehouse.access.run_scoped) before the page sees it. The cache sits
below that, keyed by the bound scope, so one user's rows never answer another's query.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import polars as pl
import streamlit as st
from pydantic import ValidationError

from hotline.dashboards.labels import EMPTY_WAREHOUSE
from hotline.settings import Settings, WarehouseSettings, load_settings
from hotline.warehouse import access
from hotline.warehouse.reader import SnapshotMissing, open_snapshot, query_frame

log = logging.getLogger(__name__)

RESULT_TTL_S = 60
RESULT_MAX_ENTRIES = 256


@st.cache_resource(show_spinner=False)
def app_settings() -> Settings:
    """Settings loaded once per server process (file named by HOTLINE_SETTINGS_FILE, then env)."""
    return load_settings()


def require_settings() -> Settings:
    """The settings, or a message saying what to fix (and the page stops)."""
    try:
        return app_settings()
    except (ValidationError, FileNotFoundError, ValueError) as exc:
        log.error("dashboard: bad configuration: %s", exc)
        st.error(f"配置有误，请检查设置文件或环境变量 (bad configuration): {exc}")
        st.stop()


def _warehouse() -> WarehouseSettings:
    return require_settings().warehouse


def snapshot_version(cfg: WarehouseSettings) -> tuple[int, int, int] | None:
    """What identifies one published snapshot, or None while none has been published.

    The inode changes with every atomic replace, so two snapshots published within the
    file system's timestamp granularity still differ.
    """
    try:
        info = cfg.snapshot.stat()
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(_cfg: WarehouseSettings, path: str, version: tuple[int, int, int]) -> duckdb.DuckDBPyConnection:
    # path and version are the cache key: a new snapshot gets a new connection.
    return open_snapshot(_cfg)


@st.cache_data(ttl=RESULT_TTL_S, max_entries=RESULT_MAX_ENTRIES, show_spinner=False)
def _cached_query(path: str, version: tuple[int, int, int], name: str, params: tuple[tuple[str, Any], ...]) -> pl.DataFrame:
    con = _connection(_warehouse(), path, version)
    return query_frame(con, name, **dict(params))


def _query(name: str, **params: Any) -> pl.DataFrame:
    """Run a named query on the current snapshot; raises SnapshotMissing when there is none.

    Binds no scope (unset parameters are NULL: everything): pages reach it only through
    load_scoped, which binds the signed-in user's scope."""
    cfg = _warehouse()
    version = snapshot_version(cfg)
    if version is None:
        raise SnapshotMissing(str(cfg.snapshot))
    return _cached_query(str(cfg.snapshot), version, name, tuple(sorted(params.items())))


USER_KEY = "hotline_user"


def current_user() -> access.User:
    """The signed-in user (app.py lets no page run without one)."""
    user = st.session_state.get(USER_KEY)
    if not isinstance(user, access.User):
        st.error("请先登录。(please sign in)")
        st.stop()
    return user


def access_db():
    return require_settings().dashboard.access_db


def _run_cached(name: str, params: dict[str, Any]) -> pl.DataFrame:
    return _query(name, **params)


def load_scoped(name: str, **params: Any) -> pl.DataFrame:
    """A named query for the signed-in user: scope bound, masked by role; failures shown as messages."""
    user = current_user()
    with _errors_shown(name):
        return access.run_scoped(user, name, _run_cached, params)


@contextmanager
def _errors_shown(name: str) -> Iterator[None]:
    """A missing snapshot or a failing query becomes a message on the page (never a stack trace), and the page stops."""
    try:
        yield
    except SnapshotMissing:
        st.error(EMPTY_WAREHOUSE)
        st.stop()
    except duckdb.Error as exc:
        log.exception("dashboard: query %s failed", name)
        st.error(f"读取数据仓库失败 (warehouse read failed): {type(exc).__name__}")
        st.stop()
