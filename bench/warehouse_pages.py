"""What the dashboard's pages ask the warehouse, as bench/warehouse times it.

Each case is one ``access_*`` query with the parameters a page passes (dashboards/views/*.py,
dashboards/filters.py), run the way the page runs it: through access.run_scoped for a signed-in
user, so the scope is bound in SQL and the result masked by role. Three users: a QA supervisor (a
whole centre), a team lead (one team) and an administrator (every centre: what a supervisor of a
centre holding every call of the warehouse would read); pages with a date picker at a 30-day and a 365-day
window (the pickers' default, no dates, reads everything: 365 days is the bench's whole year).
The hotspot page reads the hourly job's stored results; its drill-down queries belong to the
hotspot job's benchmark and are not timed here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from hotline.warehouse.access import User, run_scoped

SUPERVISOR = User("bench-supervisor", "bench", "qa_supervisor", centre_id="centre-0")
TEAM_LEAD = User("bench-lead", "bench", "team_lead", centre_id="centre-0", team_id="team-3")
ADMIN = User("bench-admin", "bench", "admin")
WINDOWS = {"30d": 30, "365d": 365}


@dataclass(frozen=True)
class Case:
    page: str
    query: str
    params: dict[str, Any] = field(default_factory=dict)
    dated: bool = False  # takes the page's date window


def _overview_filters() -> dict[str, Any]:
    # sidebar_filters() with nothing picked but the dates; no call reviewed by a human yet.
    return {k: None for k in ("centre", "team", "agent", "category", "district", "score_min", "score_max", "review_state", "human_review")} | {"reviewed": []}


def page_cases(call_id: str, *, centre: str, team: str | None) -> list[Case]:
    """Every access_* query the pages issue, with the parameters they pass. ``centre``: the
    reports page's centre, the user's own (an administrator must pick one: it offers no "all")."""
    f = _overview_filters()
    report_scope = {"centre": centre, "team": team, "agent": None}
    cases = [
        Case("overview", "access_filter_options"),
        Case("overview", "access_kpis", f, True),
        Case("overview", "access_calls", f | {"human_review": "unreviewed", "queue_first": True, "limit": 500}, True),
        Case("overview", "access_alerts", f, True),
        Case("overview", "access_daily", f, True),
        Case("overview", "access_categories", f, True),
        Case("overview", "access_defects", f, True),
        Case("overview", "access_calls", f, True),
        Case("overview", "access_dead_letters"),
        Case("review", "access_calls", {"reviewed": [], "human_review": "unreviewed", "queue_first": True}),
        Case("call", "access_calls", {"queue_first": True}),
        *(Case("call", q, {"call_id": call_id}) for q in (
            "access_call", "access_call_alerts", "access_call_checks", "access_call_turns", "access_call_llm",
            "access_call_work_orders", "access_call_work_order_events", "access_call_sentiment", "access_call_demands",
            "access_call_routing",
        )),
        Case("reports", "access_org_rollup", {}, True),
        Case("reports", "access_agent_scores_over_time", report_scope, True),
        Case("reports", "access_agent_item_pass_rates", report_scope, True),
        Case("reports", "access_agent_coaching", report_scope, True),
        Case("reports", "access_agent_calls_needing_review", report_scope | {"limit": 200}, True),
        *(Case("routing", q, {}, True) for q in (
            "access_routing_kpis", "access_routing_departments", "access_routing_agreement", "access_routing_bounces",
            "access_routing_chains", "access_routing_overdue",
        )),
    ]
    return cases


def runs(last_day: date, call_id: str) -> Iterator[tuple[str, User, str, dict[str, Any]]]:
    """(label, user, query, params) for every case, user and window."""
    for who, user in (("centre", SUPERVISOR), ("team", TEAM_LEAD), ("all", ADMIN)):
        seen: set[str] = set()
        for case in page_cases(call_id, centre=user.centre_id or SUPERVISOR.centre_id or "", team=user.team_id):
            windows = WINDOWS.items() if case.dated else [("all", None)]
            for wname, days in windows:
                params = dict(case.params)
                if days is not None:
                    params |= {"date_from": last_day - timedelta(days=days - 1), "date_to": last_day}
                label = f"{case.query}[{who},{wname}]"
                if label in seen:  # access_calls appears on several pages: same parameters, other label
                    label = f"{case.query}[{who},{wname},{case.page}]"
                seen.add(label)
                yield label, user, case.query, params


def time_pages(run: Callable[[str, dict[str, Any]], pl.DataFrame], last_day: date, call_id: str, repeats: int,
               log: Callable[[str], None] = lambda _: None) -> dict[str, dict[str, float]]:
    """p50/p95 (ms) per labelled run, each through run_scoped exactly as a page calls it."""
    out: dict[str, dict[str, float]] = {}
    for label, user, query, params in runs(last_day, call_id):
        times, rows = [], 0
        for _ in range(repeats):
            t0 = time.perf_counter()
            rows = run_scoped(user, query, run, params).height
            times.append((time.perf_counter() - t0) * 1000)
        out[label] = {"p50_ms": round(float(np.percentile(times, 50)), 1), "p95_ms": round(float(np.percentile(times, 95)), 1), "rows": rows}
        log(f"{label:<60} p50 {out[label]['p50_ms']:8.1f} ms  p95 {out[label]['p95_ms']:8.1f} ms  rows {rows}")
    return out
