"""The dashboard pages run headlessly (Streamlit's AppTest) against a real warehouse snapshot,
signed in as a real user of a real access store (the QA supervisor of centre-01 unless a test says otherwise)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from hotline.dashboards.data import USER_KEY
from hotline.settings import WarehouseSettings
from hotline.warehouse import access
from hotline.warehouse.snapshot import publish_snapshot
from hotline.warehouse.store import open_writer, seed_warehouse
from test_warehouse_messages import make_day, make_inspection, make_meta, make_transcript

APP = Path(__file__).resolve().parents[1] / "dashboards" / "app.py"
TIMEOUT_S = 60
PASSWORD = "correct horse"


@pytest.fixture
def warehouse(tmp_path, monkeypatch) -> WarehouseSettings:
    """Settings reach the app as they do in production: through HOTLINE_* environment variables."""
    cfg = WarehouseSettings(database=tmp_path / "wh" / "hotline.duckdb", snapshot=tmp_path / "wh" / "snapshot.duckdb")
    monkeypatch.delenv("HOTLINE_SETTINGS_FILE", raising=False)
    monkeypatch.setenv("HOTLINE_WAREHOUSE__DATABASE", str(cfg.database))
    monkeypatch.setenv("HOTLINE_WAREHOUSE__SNAPSHOT", str(cfg.snapshot))
    monkeypatch.setenv("HOTLINE_DASHBOARD__ACCESS_DB", str(tmp_path / "access.sqlite3"))
    access.create_demo_users(tmp_path / "access.sqlite3", centre_id="centre-01", team_id="team-a", password=PASSWORD)
    # Streamlit caches live for the process: each test starts from its own settings.
    st.cache_resource.clear()
    st.cache_data.clear()
    yield cfg
    st.cache_resource.clear()
    st.cache_data.clear()


def user_for(username: str) -> access.User:
    """The demo user, checked against the store as the log-in form does."""
    from hotline.dashboards.data import app_settings

    user = access.authenticate(app_settings().dashboard.access_db, username, PASSWORD)
    assert user is not None
    return user


def signed_in(username: str | None = "supervisor", script: Path = APP) -> AppTest:
    """An app whose session is signed in as ``username``."""
    at = AppTest.from_file(str(script), default_timeout=TIMEOUT_S)
    if username is not None:
        at.session_state[USER_KEY] = user_for(username)
    return at


def run_app(page: str | None = None, *, as_user: str | None = "supervisor", **query_params: str) -> AppTest:
    at = signed_in(as_user)
    at.run()
    if page is not None:
        at.query_params.update(query_params)
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def call_table(at: AppTest):
    return next(df.value for df in at.dataframe if "来电号码" in df.value.columns)


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error] + [i.value for i in at.info]
    parts += [e.label for e in at.expander]
    return "\n".join(parts)


def test_overview_shows_the_numbers_of_the_warehouse(warehouse):
    seed_warehouse(warehouse, make_day(n_calls=3))
    at = run_app()
    shown = metrics(at)
    assert shown["入库通话"] == "3"
    assert shown["质检覆盖率"] == "100.0%"
    assert shown["平均得分"] == "80.0"
    assert shown["缺陷通话占比"] == "33.3%"
    assert shown["合格率"] == "66.7%"
    assert shown["待复核"] == "1"
    assert shown["预警"] == "1"
    assert len(at.get("plotly_chart")) == 5
    # Dead letters of unknown calls belong to no centre: only the unscoped administrator sees them.
    assert any(e.label == "死信（0）" for e in at.expander)
    assert any(e.label == "死信（2）" for e in run_app(as_user="admin").expander)

    tables = [df.value for df in at.dataframe]
    calls = next(t for t in tables if "来电号码" in t.columns)
    assert sorted(calls["通话"]) == ["call?call_id=call-000", "call?call_id=call-001", "call?call_id=call-002"]
    assert set(calls["来电号码"]) == {"138****1234"}
    assert not any("13812341234" in str(t.to_dict()) for t in tables)
    alerts = next(t for t in tables if "类型" in t.columns)
    assert alerts["类型"].tolist() == ["媒体曝光"]


def test_overview_filters_are_bound_to_the_query(warehouse):
    seed_warehouse(warehouse, make_day(n_calls=3))
    at = run_app()
    at.selectbox(key="f_team").select("team-b").run()
    assert not at.exception
    calls = call_table(at)
    assert calls["班组"].tolist() == ["team-b"]
    assert metrics(at)["入库通话"] == "1"
    at.selectbox(key="f_team").select(None).run()
    at.selectbox(key="f_review_state").select("mandatory_review").run()
    calls = call_table(at)
    assert calls["通话"].tolist() == ["call?call_id=call-001"]
    at.selectbox(key="f_review_state").select(None).run()
    at.selectbox(key="f_band").select("80–90").run()  # scores 90, 80, 70
    assert call_table(at)["通话"].tolist() == ["call?call_id=call-001"]
    at.selectbox(key="f_band").select("全部").run()
    at.selectbox(key="f_agent").select("agent-2").run()
    assert call_table(at)["通话"].tolist() == ["call?call_id=call-001"]


def test_call_page_shows_transcript_checks_evidence_and_pending_llm_items(warehouse):
    seed_warehouse(warehouse, make_day(n_calls=3))
    at = run_app("views/call.py", call_id="call-001")
    assert at.selectbox[0].value == "call-001"
    text = all_text(at)
    assert "13812341234" in text  # the full number, on this page only
    assert metrics(at)["得分"] == "80.0" and metrics(at)["复核状态"] == "必须复核"

    chats = at.chat_message
    assert [c.avatar for c in chats] == ["🎧", "📞", "🎧"]
    assert "路灯坏了" in chats[1].markdown[0].value
    assert "来电人 · 00:04–00:08" in chats[1].caption[0].value

    labels = [e.label for e in at.expander]
    assert any("标准开场白" in lbl and "未通过" in lbl for lbl in labels)
    assert any("共情表达" in lbl and "待评估" in lbl for lbl in labels)
    assert "「您好，12345热线」 — 坐席 00:00–00:01（已核验）" in text
    assert "市政设施" in text and "路灯不亮" in text
    # (markdown escapes the underscore: the item's name is shown as text)
    assert any("demand\\_summary" in i.value and "待评估" in i.value and "未配置大模型" in i.value for i in at.info)
    assert any("媒体曝光" in e.value and "再不修我就找媒体曝光" in e.value for e in at.error)


def test_call_page_without_a_query_param_picks_a_call(warehouse):
    seed_warehouse(warehouse, make_day(n_calls=2))
    at = run_app("views/call.py")
    assert at.selectbox[0].value in {"call-000", "call-001"}
    assert at.query_params["call_id"] == at.selectbox[0].value
    assert len(at.chat_message) == 3


def test_unknown_call_is_a_message_not_a_crash(warehouse):
    seed_warehouse(warehouse, make_day(n_calls=1))
    at = run_app("views/call.py", call_id="call-nowhere")
    assert any("call-nowhere" in w.value for w in at.warning)


def test_no_snapshot_yet_shows_the_friendly_message_on_both_pages(warehouse):
    for page in (None, "views/call.py"):
        at = run_app(page)
        assert any("no calls landed yet" in e.value and "hotline demo" in e.value for e in at.error)
        assert not at.metric


def test_an_empty_warehouse_says_so(warehouse):
    con = open_writer(warehouse)
    publish_snapshot(con, warehouse)
    con.close()
    for page in (None, "views/call.py"):
        at = run_app(page)
        assert any("no calls landed yet" in i.value for i in at.info)


def test_a_new_snapshot_is_read_at_the_next_rerun(warehouse):
    seed_warehouse(warehouse, make_day(n_calls=1))
    at = run_app()
    assert metrics(at)["入库通话"] == "1"
    meta = make_meta("call-late")
    seed_warehouse(warehouse, [make_transcript(meta), make_inspection(meta)])
    at.run()
    assert metrics(at)["入库通话"] == "2"


def test_the_dashboard_never_opens_the_writers_file(warehouse):
    seed_warehouse(warehouse, make_day(n_calls=1))
    writer = duckdb.connect(str(warehouse.database))  # the sink holding its file
    try:
        at = run_app("views/call.py", call_id="call-000")
        assert metrics(at)["得分"] == "90.0"
    finally:
        writer.close()


def test_bad_configuration_is_a_message_not_a_stack_trace(warehouse, monkeypatch):
    monkeypatch.setenv("HOTLINE_WAREHOUSE__BATCH_MAX_MESSAGES", "many")
    at = run_app(as_user=None)
    assert any("配置有误" in e.value and "batch_max_messages" in e.value for e in at.error)
