"""Dashboard page load: every page for every role, on a demo-sized warehouse, server side.

    .venv/bin/python -m bench.dashboard [--calls 200] [--runs 8]

A page load is one run of the entry script and the page (Streamlit's AppTest: the same code
path as a browser's rerun, without the network). The first load of each page and role is cold
(connections opened, caches empty); the others are what a user clicking around gets.
Target (issue 6): p95 <= 1 s. Synthetic calls of the shape the pipeline lands (three turns, a
scorecard with evidence, alerts), across two centres and four teams.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from bench.report import emit, peak_rss_mb
from hotline.contracts import (
    AlertRaised, CallInspected, CallMeta, CallSentiment, CategorySuggestion, CheckResult, Demand, Evidence, LlmJudgement, RoutingSuggestion, Segment,
    TranscriptReady, TurnSentiment, WorkOrderEvent,
)
from hotline.dashboards.data import USER_KEY
from hotline.dashboards.page_roles import REPORT_ROLES
from hotline.settings import WarehouseSettings
from hotline.warehouse import access
from hotline.warehouse.store import seed_warehouse

APP = Path(__file__).resolve().parents[1] / "dashboards" / "app.py"
PAGES = ("views/overview.py", "views/call.py", "views/review.py", "views/reports.py", "views/hotspots.py", "views/routing.py", "views/audit.py")
USERS = ("supervisor", "teamlead", "analyst", "admin")
PASSWORD = "bench"
LINES = (("agent", "您好，12345热线，请问有什么可以帮您？"), ("caller", "我家楼下的路灯坏了，在幸福路十八号，电话13812341234。"), ("agent", "好的，已为您登记，感谢来电。"))
CATEGORIES = ("市政设施", "环境保护", "交通管理", "社会保障", "住房保障")
DISTRICTS = ("江北区", "江南区", "高新区", "滨海新区")
DEPARTMENTS = ("江北区城市管理局", "江南区城市管理局", "江州水务集团", "江州市生态环境局")
DEMANDS = ("路灯损坏夜间出行不便", "小区停水没有恢复供水", "夜间施工噪音扰民", "公交站台破损需要维修", "物业不作为乱收费")


def synthetic_calls(n: int) -> list:
    start = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)
    msgs: list = []
    for i in range(n):
        team = f"team-{i % 4:02d}"
        meta = CallMeta(
            call_id=f"bench-{i:05d}",
            centre_id="centre-01" if i % 4 < 3 else "centre-02",
            team_id=team,
            agent_id=f"agent-{team}-{i % 3}",
            caller_number="13812341234",
            started_at=start + timedelta(hours=i * 7 % (24 * 14)),
            channel_layout="stereo",
            agent_channel=0,
        )
        segments = tuple(Segment(speaker=s, start_s=k * 4.0, end_s=k * 4.0 + 3.5, text=t) for k, (s, t) in enumerate(LINES))
        msgs.append(TranscriptReady(meta=meta, duration_s=12.0, language="zh", asr_model="bench", segments=segments, processing_s=1.0))
        failed = i % 5 == 0
        checks = (
            CheckResult(item_id="greeting", name="标准开场白", kind="rule", status="failed" if failed else "passed", weight=10, points=0 if failed else 10, reason="r",
                        evidence=(Evidence(quote="您好，12345热线", speaker="agent", start_s=0, end_s=1, verified=True),)),
            CheckResult(item_id="closing", name="结束语", kind="rule", status="passed", weight=10, points=10, reason="r"),
        )
        demand = LlmJudgement(
            name="demand_summary", status="judged", reason="bench", model="bench",
            value={"summary": DEMANDS[i % 5] + f"，{DISTRICTS[i % 4]}", "category": CATEGORIES[i % 5], "district": DISTRICTS[i % 4]},
        )
        msgs.append(
            CallInspected(
                meta=meta, scorecard_id="s", scorecard_version="1", score=90.0 - (i % 40), max_score=100.0, fatal=False, checks=checks,
                defects=("greeting",) if failed else (), category=CategorySuggestion(category=CATEGORIES[i % 5], score=0.9, method="bench"),
                review_state="mandatory_review" if failed else ("sample_review" if i % 7 == 0 else "auto_pass"), llm=(demand,),
                sentiment=CallSentiment(
                    method="bench", overall="dissatisfied" if failed else "neutral", trend="steady",
                    turns=(TurnSentiment(start_s=4.0, end_s=7.5, label="dissatisfied" if failed else "neutral", margin=0.3),),
                ),
                demands=(Demand(summary=DEMANDS[i % 5], category=CATEGORIES[i % 5], district=DISTRICTS[i % 4], address=f"幸福路{i % 7}号", urgency="normal", todos=("派单",), source="rules"),),
                routing=RoutingSuggestion(department=DEPARTMENTS[i % 4], rule_id="bench", catalogue_version="1", reason="bench"),
            )
        )
        msgs += work_order_events(meta, i)
        if i % 9 == 0:
            msgs.append(AlertRaised(call_id=meta.call_id, kind="media_exposure", severity="high", quote="路灯坏了", speaker="caller", start_s=4.0, end_s=6.0))
    return msgs


def work_order_events(meta: CallMeta, i: int) -> list[WorkOrderEvent]:
    """Created, dispatched, then closed; every sixth order returned (退单) and re-dispatched, every eleventh left open."""
    wo, t0 = f"WO-{meta.call_id}", meta.started_at + timedelta(minutes=15)

    def event(n: int, kind: str, hours: float, **kw) -> WorkOrderEvent:
        return WorkOrderEvent(event_id=f"{wo}-{n}", work_order_id=wo, call_id=meta.call_id, kind=kind, occurred_at=t0 + timedelta(hours=hours), **kw)

    first = DEPARTMENTS[i % 4]
    events = [event(0, "created", 0, category=CATEGORIES[i % 5], recorded_type="投诉" if i % 3 else "求助", district=DISTRICTS[i % 4],
                    address=f"{DISTRICTS[i % 4]}幸福路{i % 7}号"), event(1, "dispatched", 1, department=first)]
    if i % 6 == 0:
        events += [event(2, "returned", 6, department=first), event(3, "dispatched", 7, department=DEPARTMENTS[(i + 1) % 4])]
    if i % 11:
        events += [event(4, "closed", 30 + i % 150), event(5, "callback", 31 + i % 150, satisfaction="satisfied" if i % 4 else "dissatisfied")]
    return events


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def time_pages(store: Path, runs: int) -> tuple[list[float], list[float], dict[str, float]]:
    cold, warm, per_page = [], [], {}
    for username in USERS:
        user = access.authenticate(store, username, PASSWORD)
        for page in PAGES:
            if page.endswith("audit.py") and not access.can(user, "read_audit"):
                continue
            if page.endswith("reports.py") and user.role not in REPORT_ROLES:
                continue
            times = []
            for k in range(runs):
                at = AppTest.from_file(str(APP), default_timeout=120)
                at.session_state[USER_KEY] = user
                at.run()
                t0 = time.perf_counter()
                at.switch_page(page).run()
                elapsed = time.perf_counter() - t0
                if at.exception:
                    raise RuntimeError(f"{username} {page}: {at.exception[0].value}")
                (cold if k == 0 else warm).append(elapsed)
                times.append(elapsed)
            per_page[f"{username}:{Path(page).stem}"] = round(statistics.median(times[1:] or times), 3)
    return cold, warm, per_page


def main() -> None:
    parser = argparse.ArgumentParser(description="dashboard page-load benchmark")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--runs", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        root = Path(tmp)
        cfg = WarehouseSettings(database=root / "wh.duckdb", snapshot=root / "snapshot.duckdb")
        seed_warehouse(cfg, synthetic_calls(args.calls))
        store = root / "access.sqlite3"
        access.create_demo_users(store, centre_id="centre-01", team_id="team-01", password=PASSWORD)
        os.environ.pop("HOTLINE_SETTINGS_FILE", None)
        os.environ |= {
            "HOTLINE_WAREHOUSE__DATABASE": str(cfg.database),
            "HOTLINE_WAREHOUSE__SNAPSHOT": str(cfg.snapshot),
            "HOTLINE_DASHBOARD__ACCESS_DB": str(store),
        }
        st.cache_resource.clear()
        st.cache_data.clear()
        cold, warm, per_page = time_pages(store, args.runs)
    everything = cold + warm
    emit(
        "dashboard",
        {
            "calls": args.calls,
            "page_loads": len(everything),
            "p50_s": round(percentile(everything, 0.5), 3),
            "p95_s": round(percentile(everything, 0.95), 3),
            "warm_p95_s": round(percentile(warm, 0.95), 3),
            "cold_p95_s": round(percentile(cold, 0.95), 3),
            "max_s": round(max(everything), 3),
            "target_p95_s": 1.0,
            "median_by_page_s": per_page,
            "peak_rss_mb": peak_rss_mb(),
        },
    )


if __name__ == "__main__":
    main()
