"""The call list looks back a day, then further (access.read_newest_first): the same rows as the
plain query, on a real warehouse whose calls span weeks, with old alerted and mandatory calls."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
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
        if day in (5, 10, DAYS - 2):
            # Calls not inspected yet (one of them alerted): the queue-first list puts them last.
            meta = make_meta(f"pending-{day:02d}", started_at=DAY1 + timedelta(days=day, hours=5), team="team-b")
            msgs.append(make_transcript(meta))
            if day == 5:
                msgs.append(make_alert(meta.call_id))
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
    {"queue_first": True, "limit": 60},
    {"queue_first": True, "limit": 122},
    {"queue_first": True, "limit": 500},
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


def test_a_short_review_queue_is_completed_from_the_newest_days(reader):
    """The queue's inspected calls come from its own table; the rest of the list from the newest
    days, without the whole window being read or sorted."""
    steps: list[tuple[str, dict]] = []

    def run(name, bound):
        steps.append((name, bound))
        return query_frame(reader, name, **bound)

    listed = access.run_scoped(SUPERVISOR, "access_calls", run, {"queue_first": True, "limit": 30})
    queued = listed.filter((pl.col("review_state") == "mandatory_review") | (pl.col("alerts") > 0))
    assert 0 < queued.height < 30 and listed.head(queued.height).equals(queued)
    # Two old sampled calls with alerts are in the queue, ahead of every newer sampled call.
    assert {"call-01-0", "call-02-0"} <= set(queued["call_id"])
    assert listed["started_at"][queued.height] == listed["started_at"][queued.height:].max()
    whole_window = [b for name, b in steps if name == "access_calls" and b.get("since") is None]
    assert not whole_window


def test_calls_not_inspected_yet_end_the_review_queue(reader):
    listed = access.run_scoped(SUPERVISOR, "access_calls", lambda name, bound: query_frame(reader, name, **bound), {"queue_first": True})
    pending = [c for c in listed["call_id"] if c.startswith("pending-")]
    assert len(pending) == 3 and listed["call_id"].to_list()[-3:] == pending
