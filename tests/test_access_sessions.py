"""Sessions follow the user store (issue 19 item 5) and log-ins are throttled with a bounded audit
(item 6): real access stores, the real app under Streamlit's AppTest."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hotline.dashboards.data import USER_KEY
from hotline.warehouse import access, audit, login_throttle
from hotline.warehouse.store import seed_warehouse
from test_dashboard_pages import APP, PASSWORD, TIMEOUT_S, run_app, warehouse  # noqa: F401
from test_warehouse_messages import make_day

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(warehouse, tmp_path):  # noqa: F811
    seed_warehouse(warehouse, make_day(n_calls=3))
    return tmp_path / "access.sqlite3"


def signed_out(at: AppTest) -> bool:
    return USER_KEY not in at.session_state and at.title[0].value.endswith("登录") and not at.metric


def log_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


# --- item 5: an open tab follows the account -----------------------------------------------------


def test_a_disabled_user_is_signed_out_of_an_open_tab(store):
    at = run_app("views/call.py", as_user="teamlead", call_id="call-000")
    assert at.chat_message  # the call is on screen
    access.disable_user(store, "teamlead")
    at.run()  # any click in the open tab
    assert signed_out(at) and not at.chat_message
    assert any("会话已结束" in w.value for w in at.warning)
    assert "用户名或密码错误" in errors(log_in(at, "teamlead", PASSWORD))


@pytest.mark.parametrize("change", ["end_sessions", "new_role", "new_password"])
def test_ended_sessions_and_a_changed_account_sign_the_tab_out(store, change):
    at = run_app(as_user="teamlead")
    assert at.metric
    if change == "end_sessions":
        assert access.end_sessions(store, "teamlead")
    elif change == "new_role":  # demoted: the open tab must not keep the old role's rights
        access.add_user(store, "teamlead", "policy_analyst", PASSWORD, centre_id="centre-01")
    else:
        access.add_user(store, "teamlead", "team_lead", "a new one", centre_id="centre-01", team_id="team-a")
    at.run()
    assert signed_out(at)
    # Signing in again gives a session of the account as it is now.
    password = "a new one" if change == "new_password" else PASSWORD
    log_in(at, "teamlead", password)
    assert not at.exception and at.session_state[USER_KEY] == access.account(store, "teamlead")
    assert at.session_state[USER_KEY].role == ("policy_analyst" if change == "new_role" else "team_lead")
    # Other users' sessions are untouched.
    other = run_app(as_user="supervisor")
    assert other.metric


def test_an_administrator_ends_a_users_sessions_from_the_audit_page(store):
    lead = run_app(as_user="teamlead")
    admin = run_app("views/audit.py", as_user="admin")
    admin.selectbox(key="u_target").select("teamlead")
    admin.button(key="u_end_sessions").click().run()
    assert not admin.exception and any("已结束 teamlead" in s.value for s in admin.success)
    lead.run()
    assert signed_out(lead)
    admin.run()
    assert not signed_out(admin)  # the administrator's own session goes on
    ended = audit.read_log(store, action="sessions_ended").to_dicts()
    assert [(e["username"], e["detail"]) for e in ended] == [("admin", '{"target": "teamlead"}')]


def test_users_end_sessions_and_disable_on_the_command_line(store):
    env = os.environ | {"HOTLINE_DASHBOARD__ACCESS_DB": str(store)}
    env.pop("HOTLINE_SETTINGS_FILE", None)
    before = access.account(store, "teamlead")

    def hotline(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "hotline", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)

    out = hotline("users", "end-sessions", "teamlead")
    assert out.returncode == 0, out.stderr
    assert access.account(store, "teamlead").session_version == before.session_version + 1
    assert hotline("users", "end-sessions", "nobody").returncode == 2
    assert hotline("users", "disable", "teamlead").returncode == 0
    assert access.account(store, "teamlead") is None
    actions = [e["action"] for e in audit.read_log(store).to_dicts()]
    assert actions == ["user_disabled", "sessions_ended"]


# --- item 6: throttling ------------------------------------------------------------------------


def failure_rows(store) -> list[dict]:
    return audit.read_log(store, action="login_failed").to_dicts()


def test_twenty_wrong_passwords_then_the_right_one_does_not_sign_in(store):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S).run()
    for _ in range(20):
        log_in(at, "teamlead", "guess")
    log_in(at, "teamlead", PASSWORD)
    assert signed_out(at)
    assert "登录尝试过多" in errors(at)
    # Counted in the store; in the audit log only the first few, then one at each power of two.
    con = sqlite3.connect(store)
    counted = con.execute("SELECT failures FROM login_failures WHERE subject = 'user:teamlead'").fetchone()[0]
    con.close()
    assert counted > login_throttle.ACCOUNT_FREE_FAILURES
    powers = [n for n in (8, 16) if n <= counted]
    assert len(failure_rows(store)) == login_throttle.ACCOUNT_FREE_FAILURES + len(powers)


def test_one_tab_guessing_many_names_is_throttled_as_one_client(store):
    """Found by bench.adversarial: a peer address that is not a string (Streamlit's AppTest hands out
    a new stand-in each run) made every attempt a client of its own, so no client was ever locked."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S).run()
    for i in range(login_throttle.CLIENT_FREE_FAILURES + 1):
        log_in(at, f"guess-{i}", "guess")
    log_in(at, "supervisor", PASSWORD)
    assert signed_out(at) and "登录尝试过多" in errors(at)
    con = sqlite3.connect(store)
    clients = con.execute("SELECT subject, failures FROM login_failures WHERE subject LIKE 'client:%'").fetchall()
    con.close()
    assert clients == [("client:127.0.0.1", login_throttle.CLIENT_FREE_FAILURES + 1)]


def test_backoff_doubles_per_failure_past_the_free_ones_up_to_a_cap(tmp_path):
    store = tmp_path / "access.sqlite3"
    access.create_demo_users(store, centre_id="c", team_id="t", password=PASSWORD)
    now, locks, audited = 1_000_000.0, [], 0
    for _ in range(1000):
        assert login_throttle.wait_s(store, "admin", "10.0.0.9", now=now) == 0
        failure = login_throttle.record_failure(store, "admin", "10.0.0.9", now=now)
        locks.append(failure.locked_for_s)
        audited += failure.audit
        # Locked: the next try must wait the whole lock, whoever it is from for this account.
        if failure.locked_for_s:
            assert login_throttle.wait_s(store, "admin", "10.0.0.77", now=now + failure.locked_for_s - 0.5) > 0
        now += failure.locked_for_s + 0.01
    free = login_throttle.ACCOUNT_FREE_FAILURES
    assert locks[:free] == [0.0] * free
    assert locks[free : free + 4] == [2.0, 4.0, 8.0, 16.0]
    assert max(locks) == locks[-1] == login_throttle.MAX_LOCK_S
    # 1,000 failures: the free ones, then 8, 16, ..., 512 (the client streak is longer, its free part too).
    assert audited == free + 7
    # A success ends the account's streak.
    login_throttle.record_success(store, "admin")
    assert login_throttle.record_failure(store, "admin", "10.0.0.200", now=now).account_failures == 1


def test_a_client_trying_many_names_is_throttled_and_unknown_names_look_like_real_ones(tmp_path):
    store = tmp_path / "access.sqlite3"
    access.create_demo_users(store, centre_id="c", team_id="t", password=PASSWORD)
    now = 2_000_000.0
    shapes = set()
    for i in range(login_throttle.CLIENT_FREE_FAILURES):
        name = "admin" if i == 0 else f"guess-{i}"
        failure = login_throttle.record_failure(store, name, "203.0.113.5", now=now)
        shapes.add((failure.account_failures, failure.locked_for_s, failure.audit))
        now += 0.1
    assert shapes == {(1, 0.0, True)}  # a real account and made-up names answer alike
    failure = login_throttle.record_failure(store, "guess-x", "203.0.113.5", now=now)
    assert failure.locked_for_s == login_throttle.FIRST_LOCK_S
    # That client waits for any account; another client does not.
    assert login_throttle.wait_s(store, "supervisor", "203.0.113.5", now=now + 1) > 0
    assert login_throttle.wait_s(store, "supervisor", "198.51.100.1", now=now + 1) == 0
    # Streaks are forgotten an hour after their last failure, so the table does not grow for ever.
    later = now + login_throttle.FORGET_AFTER_S + login_throttle.MAX_LOCK_S + 1
    login_throttle.record_failure(store, "someone", "198.51.100.1", now=later)
    con = sqlite3.connect(store)
    subjects = {r[0] for r in con.execute("SELECT subject FROM login_failures")}
    con.close()
    assert subjects == {"user:someone", "client:198.51.100.1"}


def test_a_long_user_name_is_cut_for_the_throttle(tmp_path):
    store = tmp_path / "access.sqlite3"
    for suffix in ("a", "b"):  # names alike up to the cut are one subject
        login_throttle.record_failure(store, "x" * 5000 + suffix, None, now=3_000_000.0)
    con = sqlite3.connect(store)
    rows = con.execute("SELECT subject, failures FROM login_failures WHERE subject LIKE 'user:%'").fetchall()
    con.close()
    assert rows == [("user:" + "x" * login_throttle.MAX_NAME_CHARS, 2)]
