"""The call list looks back a day, then further (access.read_newest_first): the same rows as the
plain query, on a real warehouse whose calls span weeks, with old alerted and mandatory calls."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.settings import WarehouseSettings
from hotline.warehouse import access
from hotline.warehouse.reader import open_snapshot, query_frame
from hotline.warehouse.store import seed_warehouse
from test_warehouse_messages import DAY1, make_alert, make_inspection, make_meta, make_transcript

DAYS = 40
SUPERVISOR = access.User("s", "s", "qa_supervisor", "centre-01")
LEAD = access.User("l", "l", "team_lead", "centre-01", "team-b")


def _messages() -> list:
    msgs: list = []
    for day in range(DAYS):
        for k in range(3):
            call_id = f"call-{day:02d}-{k}"
            meta = make_meta(call_id, started_at=DAY1 + timedelta(days=day, hours=k), team="team-a" if k < 2 else "team-b")
            # Mandatory calls are rare and spread out; the oldest ones carry alerts, so the review
            # queue must reach back past any recent window for them.
            mandatory = (day * 3 + k) % 7 == 0
            msgs += [make_transcript(meta), make_inspection(meta, review_state="mandatory_review" if mandatory else "auto_pass")]
            if day < 3 and k == 0:
                msgs.append(make_alert(call_id))
    return msgs


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    root = tmp_path_factory.mktemp("wh")
    cfg = WarehouseSettings(database=root / "hotline.duckdb", snapshot=root / "snapshot.duckdb")
    seed_warehouse(cfg, _messages())
    con = open_snapshot(cfg)
    yield con
    con.close()


CASES = [
    {"limit": 5},
    {"limit": 30},
    {"limit": 500},
    {"queue_first": True, "limit": 5},
    {"queue_first": True, "limit": 12},
    {"queue_first": True, "human_review": "unreviewed", "reviewed": ["call-00-0"], "limit": 8},
    {"date_from": (DAY1 + timedelta(days=5)).date(), "date_to": (DAY1 + timedelta(days=30)).date(), "limit": 10},
    {"date_from": (DAY1 + timedelta(days=1)).date(), "date_to": (DAY1 + timedelta(days=30)).date(), "queue_first": True, "limit": 6},
    {"team": "team-b", "limit": 50},
    {"date_to": (DAY1 + timedelta(days=DAYS + 60)).date(), "queue_first": True, "limit": 4},
]


@pytest.mark.parametrize("user", [SUPERVISOR, LEAD], ids=["centre", "team"])
@pytest.mark.parametrize("params", CASES, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()))
def test_looking_back_finds_the_same_calls_as_reading_everything(reader, user, params):
    steps: list[dict] = []

    def run(name, bound):
        steps.append(bound)
        return query_frame(reader, name, **bound)

    looked_back = access.run_scoped(user, "access_calls", run, params)
    plain = access.mask_frame(query_frame(reader, "access_calls", **(params | access.scope_params(user))), user)
    assert looked_back.equals(plain)
    assert looked_back.height > 0


def test_a_short_list_is_found_in_the_newest_days(reader):
    steps: list[dict] = []

    def run(name, bound):
        steps.append(bound)
        return query_frame(reader, name, **bound)

    listed = access.run_scoped(SUPERVISOR, "access_calls", run, {"limit": 3})
    newest = (DAY1 + timedelta(days=DAYS - 1)).date()
    assert listed["call_id"].to_list() == [f"call-{DAYS - 1:02d}-{k}" for k in (2, 1, 0)]
    # One look-up of the newest day, one look at that day: the older weeks are never read.
    assert [s.get("since") for s in steps] == [None, newest]


NEEDING_REVIEW_CASES = [
    {"limit": 3},
    {"limit": 200},
    {"centre": None, "team": "team-a", "agent": None, "limit": 4},
    {"date_from": (DAY1 + timedelta(days=5)).date(), "date_to": (DAY1 + timedelta(days=30)).date(), "limit": 2},
]


@pytest.mark.parametrize("user", [SUPERVISOR, LEAD], ids=["centre", "team"])
@pytest.mark.parametrize("params", NEEDING_REVIEW_CASES, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()))
def test_the_calls_needing_review_look_back_like_the_call_list(reader, user, params):
    steps: list[dict] = []

    def run(name, bound):
        steps.append(bound)
        return query_frame(reader, name, **bound)

    looked_back = access.run_scoped(user, "access_agent_calls_needing_review", run, params)
    plain = access.mask_frame(query_frame(reader, "access_agent_calls_needing_review", **(params | access.scope_params(user))), user)
    assert looked_back.equals(plain)
    if user is LEAD and params.get("team") == "team-a":
        assert looked_back.height == 0  # another team's calls: outside a team lead's scope
        return
    assert looked_back.height > 0 and set(looked_back["review_state"]) == {"mandatory_review"}
    if params["limit"] <= 4 and "date_from" not in params:
        assert steps[-1].get("since") is not None  # the newest weeks held them: never read whole
