"""Scope on the analytics pages: each scoped query answers exactly what an unscoped read of the
same rows answers, narrowed to the user's calls, and every new page runs for every role."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from hotline.settings import WarehouseSettings
from hotline.warehouse import access
from hotline.warehouse.store import seed_warehouse
from hotline.warehouse.reader import run_internal, run_query
from test_dashboard_hotspots import analytics, analytics_messages  # noqa: F401
from test_dashboard_pages import run_app, warehouse  # noqa: F401

# Scoped queries the pages run -> the parameters they take here. None has an unscoped twin: the
# reports, hotspot and routing jobs run these same queries with the scope left NULL (everything).
SCOPED = {
    "access_org_rollup": {},
    "access_agent_scores_over_time": {},
    "access_agent_item_pass_rates": {},
    "access_agent_coaching": {},
    "access_agent_calls_needing_review": {},
    "access_hotspot_daily_counts": {},
    "access_hotspot_texts": {},
    "access_routing_kpis": {},
    "access_routing_agreement": {},
    "access_routing_bounces": {},
    "access_routing_chains": {},
    "access_routing_departments": {},
    "access_routing_overdue": {},
    "access_hotspot_repeat_callers": {"min_calls": 2},
    "access_hotspot_repeat_addresses": {},
}
# Scoped queries -> the hotspot job's one-pass read of the same rows for every scope (sql/internal/,
# reading the tables unscoped): its unrestricted scope (scope_centre and scope_team NULL) is what an
# administrator must get, pseudonymous keys included.
PAIRS = {
    "access_hotspot_repeat_callers": "hotspot_scoped_repeat_callers",
    "access_hotspot_repeat_addresses": "hotspot_scoped_repeat_addresses",
}
NEW_PAGES = ("views/reports.py", "views/hotspots.py", "views/routing.py")


@pytest.fixture(scope="module")
def cfg(tmp_path_factory) -> WarehouseSettings:
    """One warehouse for the query tests (seeding it is the slow part)."""
    root = tmp_path_factory.mktemp("scoped")
    cfg = WarehouseSettings(database=root / "hotline.duckdb", snapshot=root / "snapshot.duckdb")
    seed_warehouse(cfg, analytics_messages())
    return cfg


def _runner(cfg):
    return lambda name, params: run_query(cfg, name, **params)


@pytest.mark.parametrize("scoped", sorted(PAIRS))
def test_an_unscoped_user_gets_what_the_unscoped_read_gets(cfg, scoped):
    original, params = PAIRS[scoped], SCOPED[scoped]
    admin = access.User("admin", "admin", "admin")
    every_scope = run_internal(cfg, original, **params)
    unrestricted = every_scope.filter(pl.col("scope_centre").is_null() & pl.col("scope_team").is_null()).drop("scope_centre", "scope_team")
    assert not unrestricted.is_empty()
    assert_frame_equal(access.run_scoped(admin, scoped, _runner(cfg), params), unrestricted)


@pytest.mark.parametrize("scoped", sorted(SCOPED))
def test_a_team_lead_gets_only_their_teams_share(cfg, scoped):
    params = SCOPED[scoped]
    lead = access.User("lead", "lead", "team_lead", "centre-01", "team-b")
    got = access.run_scoped(lead, scoped, _runner(cfg), params)
    if "team_id" in got.columns:
        assert set(got["team_id"].drop_nulls()) <= {"team-b"}
    # What the lead gets is what the original gives for team-b's calls alone: nothing of team-a's
    # water calls (2 a day) survives anywhere in their figures.
    text = str(got.to_dicts())
    assert "江州水务集团" not in text and "公用事业/供水" not in text and "agent-1" not in text


def test_another_centres_supervisor_gets_nothing(cfg):
    other = access.User("sup2", "sup2", "qa_supervisor", "centre-99")
    for scoped, params in SCOPED.items():
        got = access.run_scoped(other, scoped, _runner(cfg), params)
        assert got.is_empty() or got.select(pl.all().exclude(pl.Utf8)).sum_horizontal().sum() == 0, scoped


@pytest.mark.parametrize("page", NEW_PAGES)
@pytest.mark.parametrize("username", ("supervisor", "teamlead", "analyst", "admin"))
def test_every_new_page_runs_for_every_role(analytics, username, page):
    at = run_app(as_user=username)
    if page.endswith("reports.py") and username == "analyst":
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
        return
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and at.metric, "the page drew no figures"
