"""Access through the real pages (Streamlit AppTest): log-in, every page for every role, scope that
cannot be escaped through the address bar or a filter, masking, and the audit trail."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from hotline.dashboards.data import USER_KEY
from hotline.warehouse import audit
from hotline.warehouse.store import seed_warehouse
from test_dashboard_pages import APP, PASSWORD, TIMEOUT_S, all_text, metrics, run_app, signed_in, warehouse  # noqa: F401
from test_warehouse_messages import make_day, make_inspection, make_meta, make_transcript

ROLES_USERS = ("supervisor", "teamlead", "analyst", "admin")
PAGES = (None, "views/call.py", "views/review.py")


@pytest.fixture
def seeded(warehouse, tmp_path):  # noqa: F811
    """Three calls (team-a: call-000, call-001; team-b: call-002) and one with an address and numbers."""
    meta = make_meta("call-pii", team="team-b", caller="13912345678")
    msgs = make_day(n_calls=3) + [make_transcript(meta, turns=4), make_inspection(meta, review_state="sample_review")]
    seed_warehouse(warehouse, msgs)
    return tmp_path / "access.sqlite3"


def entries(store, action=None):
    return audit.read_log(store, action=action).to_dicts()


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("username", ROLES_USERS)
def test_every_page_runs_for_every_role(seeded, username, page):
    at = run_app(page, as_user=username)
    assert not at.exception
    assert at.title, "the page drew nothing"


def test_the_audit_page_is_for_administrators_only(seeded):
    at = run_app("views/audit.py", as_user="admin")
    assert at.title[0].value == "审计日志"
    assert metrics(at)["完整性"] == "完好"
    assert not at.exception
    for username in ("supervisor", "teamlead", "analyst"):
        at = run_app(as_user=username)
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page("views/audit.py")
        # And the page itself refuses, should it ever be run for them some other way.
        page = signed_in(username, script=APP.parent / "views" / "audit.py").run()
        assert any("只有系统管理员" in e.value for e in page.error) and not page.dataframe
    assert entries(seeded, "view_denied")[0]["username"] == "analyst"


def test_log_in_through_the_form_and_failures_are_audited(seeded):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S).run()
    assert at.title[0].value.endswith("登录") and not at.metric
    at.text_input(key="login_username").input("teamlead")
    at.text_input(key="login_password").input("wrong")
    at.button[0].click().run()
    assert any("用户名或密码错误" in e.value for e in at.error)
    assert USER_KEY not in at.session_state
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state[USER_KEY].role == "team_lead"
    assert metrics(at)["入库通话"] == "2"  # team-a only
    actions = [e["action"] for e in entries(seeded)]
    assert actions[:2] == ["login", "login_failed"]


def test_a_team_lead_cannot_reach_another_teams_call_by_url_or_filter(seeded):
    at = run_app("views/call.py", as_user="teamlead", call_id="call-002")  # team-b's call
    assert any("没有找到通话 call-002" in w.value for w in at.warning)
    assert not at.chat_message and not at.metric
    assert "13812341234" not in all_text(at)
    denied = entries(seeded, "view_denied")
    assert denied[0]["call_id"] == "call-002" and denied[0]["username"] == "teamlead"
    # The picker offers only the lead's own calls.
    assert sorted(o for o in at.selectbox[0].options if o != "call-002") == ["call-000", "call-001"]
    # Filters offer only the lead's team, and the list holds only its calls.
    at = run_app(as_user="teamlead")
    assert at.selectbox(key="f_team").options == ["全部", "team-a"]
    calls = next(df.value for df in at.dataframe if "来电号码" in df.value.columns)
    assert set(calls["班组"]) == {"team-a"}
    # The supervisor of the centre does see it.
    at = run_app("views/call.py", as_user="supervisor", call_id="call-002")
    assert len(at.chat_message) == 3 and not at.warning


def test_every_view_of_a_call_is_audited_once_per_session(seeded):
    at = run_app("views/call.py", as_user="supervisor", call_id="call-001")
    at.run()  # a rerun (any widget) is the same view
    views = entries(seeded, "view_call")
    assert [(v["username"], v["call_id"]) for v in views] == [("supervisor", "call-001")]
    at.selectbox[0].select("call-000").run()
    assert [v["call_id"] for v in entries(seeded, "view_call")] == ["call-000", "call-001"]
    assert audit.verify_audit_chain(seeded).intact


def test_an_analyst_sees_demands_with_personal_data_masked(seeded):
    at = run_app("views/call.py", as_user="analyst", call_id="call-pii")
    # Markdown escapes the brackets of the placeholders (outside text is shown as text).
    text = (all_text(at) + "\n".join(md.value for c in at.chat_message for md in c.markdown)).replace("\\", "")
    assert "13912345678" not in text and "[号码]" in text
    assert "十八号" not in text and "幸福路" in text and "门牌" in text
    assert not at.get("audio")
    assert json.loads(entries(seeded, "view_call")[0]["detail"])["masked"] is True
    # The cockpit for an analyst: same numbers, caller numbers masked out entirely.
    at = run_app(as_user="analyst")
    calls = next(df.value for df in at.dataframe if "来电号码" in df.value.columns)
    assert set(calls["来电号码"]) == {"[号码]"}


def test_an_export_is_audited_before_the_file_is_offered(seeded):
    at = run_app(as_user="teamlead")
    assert not at.get("download_button")
    at.button(key="export_calls_prepare").click().run()
    assert at.get("download_button")
    exported = entries(seeded, "export")
    assert len(exported) == 1 and exported[0]["username"] == "teamlead"
    assert json.loads(exported[0]["detail"])["rows"] == 2


def test_the_audit_log_shows_entries_and_detects_tampering(seeded):
    import sqlite3

    run_app("views/call.py", as_user="supervisor", call_id="call-000")
    at = run_app("views/audit.py", as_user="admin")
    table = next(df.value for df in at.dataframe if "动作" in df.value.columns)
    assert "查看通话" in set(table["动作"])
    con = sqlite3.connect(seeded)
    con.execute("UPDATE audit_log SET call_id = 'call-001' WHERE action = 'view_call'")
    con.commit()
    con.close()
    at = run_app("views/audit.py", as_user="admin")
    assert metrics(at)["完整性"].endswith("被改动")
