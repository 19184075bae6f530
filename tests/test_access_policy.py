"""Access policy on real stores: hashed credentials, scopes bound from the user, PII masked by role."""

from __future__ import annotations

import polars as pl
import pytest

from hotline.settings import WarehouseSettings
from hotline.warehouse import access, sqlfiles
from hotline.warehouse.reader import run_query
from hotline.warehouse.store import seed_warehouse
from test_warehouse_messages import make_day

PASSWORD = "s3cret-pass"


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "access.sqlite3"
    access.create_demo_users(path, centre_id="centre-01", team_id="team-a", password=PASSWORD)
    return path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> WarehouseSettings:
    root = tmp_path_factory.mktemp("wh")
    cfg = WarehouseSettings(database=root / "hotline.duckdb", snapshot=root / "snapshot.duckdb")
    seed_warehouse(cfg, make_day(n_calls=3))
    return cfg


def test_credentials_are_stored_hashed_and_checked(store):
    assert PASSWORD.encode() not in store.read_bytes()
    stored = access.list_users(store)
    assert "password_hash" not in stored.columns
    assert sorted(stored["role"].to_list()) == sorted(access.ROLES)
    lead = access.authenticate(store, "teamlead", PASSWORD)
    assert lead == access.User("teamlead", "班组长（演示）", "team_lead", "centre-01", "team-a")
    assert access.authenticate(store, "teamlead", PASSWORD + "x") is None
    assert access.authenticate(store, "nobody", PASSWORD) is None
    access.disable_user(store, "teamlead")
    assert access.authenticate(store, "teamlead", PASSWORD) is None


def test_password_hashes_are_salted_scrypt():
    a, b = access.hash_password("same"), access.hash_password("same")
    assert a != b and a.startswith("scrypt$")
    assert access.verify_password("same", a) and access.verify_password("same", b)
    assert not access.verify_password("other", a)
    assert not access.verify_password("same", "plain-text-is-never-accepted")


def test_demo_users_without_a_password_get_random_ones(tmp_path):
    logins = access.create_demo_users(tmp_path / "a.sqlite3", centre_id="centre-01", team_id="team-01")
    assert [login.role for login in logins] == ["qa_supervisor", "team_lead", "policy_analyst", "admin"]
    assert len({login.password for login in logins}) == 4
    for login in logins:
        assert access.authenticate(tmp_path / "a.sqlite3", login.username, login.password).role == login.role


def test_a_role_needs_its_scope(tmp_path):
    with pytest.raises(ValueError, match="team lead needs"):
        access.add_user(tmp_path / "a.sqlite3", "x", "team_lead", "pw", centre_id="centre-01")
    with pytest.raises(ValueError, match="unknown role"):
        access.add_user(tmp_path / "a.sqlite3", "x", "root", "pw")


def test_scope_comes_from_the_role():
    lead = access.User("l", "l", "team_lead", "centre-01", "team-a")
    sup = access.User("s", "s", "qa_supervisor", "centre-01", "team-a")
    admin = access.User("a", "a", "admin", "centre-01", None)
    assert access.scope_params(lead) == {"scope_centre": "centre-01", "scope_team": "team-a"}
    assert access.scope_params(sup) == {"scope_centre": "centre-01", "scope_team": None}
    assert access.scope_params(admin) == {"scope_centre": None, "scope_team": None}


ACCESS_QUERIES = [n for n in sqlfiles.list_names("queries") if n.startswith("access_")]


@pytest.mark.parametrize("name", ACCESS_QUERIES)
def test_every_access_query_takes_the_scope(name):
    assert set(access.SCOPE_PARAMETERS) <= set(sqlfiles.parameters(name))


def test_an_unscoped_query_or_a_forged_scope_is_refused(warehouse):
    lead = access.User("l", "l", "team_lead", "centre-01", "team-a")
    run = lambda name, params: run_query(warehouse, name, **params)  # noqa: E731
    with pytest.raises(access.UnscopedQuery):  # a read that takes no scope (the platform's own) never runs for a user
        access.run_scoped(lead, "accounting", run, kind="internal")
    with pytest.raises(access.AccessDenied):
        access.run_scoped(lead, "access_calls", run, {"scope_team": "team-b"})


@pytest.mark.parametrize(
    ("username", "role", "team", "calls"),
    [
        ("lead", "team_lead", "team-a", ["call-000", "call-001"]),
        ("sup", "qa_supervisor", None, ["call-000", "call-001", "call-002"]),
        ("other", "qa_supervisor", None, []),
    ],
)
def test_scoped_queries_return_only_the_users_calls(warehouse, username, role, team, calls):
    centre = "centre-02" if username == "other" else "centre-01"
    user = access.User(username, username, role, centre, team)
    run = lambda name, params: run_query(warehouse, name, **params)  # noqa: E731
    assert sorted(access.run_scoped(user, "access_calls", run)["call_id"].to_list()) == calls
    # A filter naming another team narrows, never widens.
    assert sorted(access.run_scoped(user, "access_calls", run, {"team": "team-b"})["call_id"].to_list()) == [c for c in calls if c == "call-002"]
    for call_id in ("call-000", "call-002"):
        detail = access.run_scoped(user, "access_call", run, {"call_id": call_id})
        turns = access.run_scoped(user, "access_call_turns", run, {"call_id": call_id})
        assert detail.height == turns.height // 3 == (1 if call_id in calls else 0)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我的电话是13812341234，身份证号110101199003071234", "我的电话是[号码]，身份证号[号码]"),
        ("身份证11010119900307123X", "身份证[号码]"),
        ("电话一三八 一二三四 一二三四", "电话[号码]"),
        ("在幸福路十八号。", "在幸福路[门牌]。"),
        ("住在和平小区3栋2单元501室", "住在和平小区[门牌]"),
        ("您好，12345热线，等了一个星期了", "您好，12345热线，等了一个星期了"),
    ],
)
def test_mask_text(text, masked):
    assert access.mask_text(text) == masked
    # The frame masking (Rust regex in polars) agrees with the Python one.
    frame = pl.DataFrame({"text": [text]})
    analyst = access.User("p", "p", "policy_analyst", "centre-01")
    assert access.mask_frame(frame, analyst)["text"][0] == masked


def test_an_analyst_gets_masked_rows_others_do_not(warehouse):
    run = lambda name, params: run_query(warehouse, name, **params)  # noqa: E731
    analyst = access.User("p", "p", "policy_analyst", "centre-01")
    sup = access.User("s", "s", "qa_supervisor", "centre-01")
    seen = access.run_scoped(analyst, "access_call", run, {"call_id": "call-000"}).row(0, named=True)
    assert seen["caller_number"] == access.NUMBER_MASK and seen["source_uri"] is None
    assert seen["call_id"] == "call-000" and seen["team_id"] == "team-a"  # identifiers stay usable
    assert access.run_scoped(sup, "access_call", run, {"call_id": "call-000"})["caller_number"][0] == "13812341234"
    listed = access.run_scoped(analyst, "access_calls", run)
    assert set(listed["caller_masked"]) == {access.NUMBER_MASK}
    checks = access.run_scoped(analyst, "access_call_checks", run, {"call_id": "call-000"})
    assert checks["evidence"][0][0]["quote"] == "您好，12345热线"  # masked, and nothing to mask here
    frame = pl.DataFrame({"evidence": [[{"quote": "我住幸福路十八号", "speaker": "caller"}]]})
    assert access.mask_frame(frame, analyst)["evidence"][0][0]["quote"] == "我住幸福路[门牌]"
