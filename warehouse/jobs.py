"""Scheduled analytics jobs (``hotline jobs``): plain functions, and a scheduler that runs them.

Who writes what: the sink stays the ONLY writer of the DuckDB file. Every job opens the
latest published snapshot read-only and writes its own files under ``JobsPolicy.out_dir``
(default ``<data_dir>/analytics``):

- ``hotspots/latest/*.parquet`` (+ ``hotspots/<as_of>/``) and ``hotspots/spike_alerts.jsonl``
  (hourly): the hotspot page and anyone downstream read these; a spike is alerted once;
- ``reports/<day>/`` (nightly): centre/team/agent HTML, CSV per figure, ``reports.xlsx``;
- ``exports/<table>/day=YYYY-MM-DD/part-0.parquet`` (nightly): yesterday and today re-exported;
- retention (nightly): job outputs and recordings older than the policy are deleted. Transcripts
  live in the warehouse file, so purging them belongs to the writer (``retention.purge_expired_transcripts``).

The scheduler runs each job with ``max_instances=1`` and ``coalesce=True``: a job still running
when its next time comes is not started again, and missed runs collapse into one.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from hotline.bus import StopFlag
from hotline.settings import JobsSettings, Settings
from hotline.warehouse.exports import export_days
from hotline.warehouse.hotspots import mine_hotspots
from hotline.warehouse.reader import REPORTING_TIMEZONE, open_snapshot
from hotline.warehouse.reports import collect_figures, write_reports
from hotline.warehouse.spikes import SpikeTest

log = logging.getLogger(__name__)

TZ = ZoneInfo(REPORTING_TIMEZONE)


# The policy is the `jobs` section of the one Settings object.
JobsPolicy = JobsSettings


def _today() -> date:
    return datetime.now(TZ).date()


def refresh_hotspots(settings: Settings, policy: JobsPolicy, as_of: date | None = None) -> list[dict]:
    """Mine hotspots from the snapshot, write them as Parquet, alert each new spike once; returns the new alerts."""
    as_of = as_of or _today()
    root = policy.root(settings) / "hotspots"
    con = open_snapshot(settings.warehouse)
    try:
        found = mine_hotspots(
            con, as_of=as_of, lookback_days=policy.hotspot_lookback_days, recent_days=policy.hotspot_recent_days,
            test=SpikeTest(alpha=policy.spike_alpha),
        )
    finally:
        con.close()
    for folder in (root / as_of.isoformat(), root / "latest"):
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in found.frames().items():
            tmp = folder / f".{name}.parquet.tmp"
            frame.write_parquet(tmp)
            os.replace(tmp, folder / f"{name}.parquet")
    return _alert_new_spikes(root / "spike_alerts.jsonl", found.spikes)


def _alert_new_spikes(ledger: Path, spikes) -> list[dict]:
    seen: set[tuple[str, str, str]] = set()
    if ledger.is_file():
        for line in ledger.read_text(encoding="utf-8").splitlines():
            a = json.loads(line)
            seen.add((a["category"], a["district"], a["day"]))
    new = []
    for s in spikes.iter_rows(named=True):
        key = (s["category"], s["district"], s["day"].isoformat())
        if key in seen:
            continue
        alert = {
            "category": s["category"], "district": s["district"], "day": s["day"].isoformat(), "calls": int(s["calls"]),
            "expected": round(float(s["expected"]), 2), "p_value": float(s["p_value"]), "test": s["test"],
            "raised_at": datetime.now(TZ).isoformat(timespec="seconds"),
        }
        log.warning("hotspot spike: %s %s on %s: %d calls, %.1f expected, p=%.2g", *key[:2], key[2], alert["calls"], alert["expected"], alert["p_value"])
        new.append(alert)
    if new:
        ledger.parent.mkdir(parents=True, exist_ok=True)
        with ledger.open("a", encoding="utf-8") as f:
            for alert in new:
                f.write(json.dumps(alert, ensure_ascii=False) + "\n")
    return new


def write_nightly_reports(settings: Settings, policy: JobsPolicy, day: date | None = None) -> list[Path]:
    """Reports for the ``report_days`` days up to ``day`` (default yesterday), into reports/<day>/."""
    day = day or _today() - timedelta(days=1)
    date_from = day - timedelta(days=policy.report_days - 1)
    con = open_snapshot(settings.warehouse)
    try:
        figures = collect_figures(con, date_from, day)
    finally:
        con.close()
    return write_reports(figures, policy.root(settings) / "reports" / day.isoformat(), f"{date_from} 至 {day}")


def export_recent(settings: Settings, policy: JobsPolicy, day: date | None = None) -> list[Path]:
    """Re-export yesterday and today (late events land in yesterday's partition too)."""
    day = day or _today()
    con = open_snapshot(settings.warehouse)
    try:
        return export_days(con, policy.root(settings) / "exports", [day - timedelta(days=1), day])
    finally:
        con.close()


def apply_retention(settings: Settings, policy: JobsPolicy, now: float | None = None) -> list[Path]:
    """Delete job outputs and recordings older than the policy; returns what was deleted."""
    now = now if now is not None else time.time()
    root = policy.root(settings)
    targets: list[tuple[Path, int | None]] = [
        (root / "reports", policy.keep_reports_days),
        (root / "hotspots", policy.keep_hotspots_days),
        *((d, policy.keep_audio_days) for d in policy.audio_dirs),
    ]
    deleted: list[Path] = []
    for folder, days in targets:
        if days is None or not folder.is_dir():
            continue
        cutoff = now - days * 86400
        for path in folder.rglob("*"):
            # The spike ledger is what keeps an alert from being raised twice: never expire it.
            if path.is_file() and path.name != "spike_alerts.jsonl" and path.stat().st_mtime < cutoff:
                path.unlink()
                deleted.append(path)
    if deleted:
        log.info("retention: deleted %d files", len(deleted))
    return deleted


def build_scheduler(jobs: dict[str, tuple[Callable[[], object], dict]]) -> BackgroundScheduler:
    """A scheduler for ``name -> (function, trigger kwargs)``; never two runs of one job at once."""
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600},
        timezone=TZ,
    )
    for name, (func, trigger) in jobs.items():
        scheduler.add_job(_logged(name, func), id=name, name=name, replace_existing=True, **trigger)
    return scheduler


def _logged(name: str, func: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        started = time.monotonic()
        try:
            func()
        except FileNotFoundError as exc:  # no snapshot yet: nothing to do until the sink publishes one
            log.warning("job %s skipped: %s", name, exc)
            return
        except Exception:
            log.exception("job %s failed", name)
            return
        log.info("job %s done in %.1f s", name, time.monotonic() - started)

    return run


def default_jobs(settings: Settings, policy: JobsPolicy) -> dict[str, tuple[Callable[[], object], dict]]:
    return {
        "hotspots": (lambda: refresh_hotspots(settings, policy), {"trigger": "interval", "minutes": policy.hotspot_every_min, "next_run_time": datetime.now(TZ)}),
        "reports": (lambda: write_nightly_reports(settings, policy), {"trigger": "cron", "hour": policy.reports_at_hour, "minute": 0}),
        "export": (lambda: export_recent(settings, policy), {"trigger": "cron", "hour": policy.export_at_hour, "minute": 0}),
        "retention": (lambda: apply_retention(settings, policy), {"trigger": "cron", "hour": policy.retention_at_hour, "minute": 0}),
    }


def run_jobs(settings: Settings, stop: StopFlag, policy: JobsPolicy | None = None) -> None:
    """``hotline jobs``: run the schedule until ``stop`` is set (hotspots run once at start)."""
    policy = policy or settings.jobs
    scheduler = build_scheduler(default_jobs(settings, policy))
    scheduler.start()
    log.info("jobs: scheduled %s; writing under %s", ", ".join(j.id for j in scheduler.get_jobs()), policy.root(settings))
    try:
        while not stop.wait(1.0):
            pass
    finally:
        # Wait for a running job to finish: a half-written report folder is worse than a late stop.
        scheduler.shutdown(wait=True)


def run_job_once(settings: Settings, name: str, policy: JobsPolicy | None = None) -> None:
    """``hotline jobs --once NAME``: run one job now, in this thread (cron, debugging, tests)."""
    policy = policy or settings.jobs
    jobs = default_jobs(settings, policy)
    if name not in jobs:
        raise KeyError(f"unknown job {name}; known: {', '.join(jobs)}")
    jobs[name][0]()


__all__ = [
    "JobsPolicy", "apply_retention", "build_scheduler", "export_recent", "refresh_hotspots", "run_job_once", "run_jobs",
    "write_nightly_reports",
]
