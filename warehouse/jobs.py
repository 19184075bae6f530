"""Scheduled analytics jobs (``hotline jobs``): plain functions, and a scheduler that runs them.

Who writes what: the sink stays the ONLY writer of the DuckDB file. Every job opens the
latest published snapshot read-only and writes its own files under ``JobsPolicy.out_dir``
(default ``<data_dir>/analytics``):

- ``hotspots/generations/<stamp>/<centre>/<team>/*.parquet`` named by ``hotspots/CURRENT``, and
  ``hotspots/spike_alerts.jsonl`` (hourly): hotspots mined per access scope and published whole
  (``hotspot_store``); the hotspot page only reads them; a spike is alerted once;
- ``reports/<day>/`` (nightly): centre/team/agent HTML, CSV per figure, ``reports.xlsx``;
- ``exports/<table>/day=YYYY-MM-DD/part-0.parquet`` (nightly): yesterday and today re-exported;
- retention (nightly): job outputs and recordings older than the policy are deleted (never the
  hotspot generation the page reads);
- maintenance (nightly): transcripts live in the warehouse file, which only the sink may write,
  so this job leaves a request the sink carries out when idle: purge transcripts older than
  ``keep_transcripts_days``, then compact the file (``maintenance``).

The scheduler runs each job with ``max_instances=1`` and ``coalesce=True``: a job still running
when its next time comes is not started again, and missed runs collapse into one. Each run also
holds a file lock per job (``job_lock``), so a second ``hotline jobs`` process, or a ``--once``
from cron, skips a job the first is running.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from hotline.bus import StopFlag
from hotline.settings import JobsSettings, Settings
from hotline.warehouse.exports import export_days
from hotline.warehouse.hotspot_store import current_generation, write_generation
from hotline.warehouse.hotspots import mine_all_scopes
from hotline.warehouse.job_lock import JobLocked, job_lock
from hotline.warehouse.maintenance import request_maintenance
from hotline.warehouse.reader import REPORTING_TIMEZONE, internal_frame, open_snapshot
from hotline.warehouse.reports import collect_figures, write_reports
from hotline.warehouse.spikes import TEST_NAME, SpikeTest

log = logging.getLogger(__name__)

TZ = ZoneInfo(REPORTING_TIMEZONE)


# The policy is the `jobs` section of the one Settings object.
JobsPolicy = JobsSettings


def _today() -> date:
    return datetime.now(TZ).date()


def refresh_hotspots(settings: Settings, policy: JobsPolicy, as_of: date | None = None) -> list[dict]:
    """Mine hotspots per scope from the snapshot, publish them as one generation for the page
    (hotspot_store), alert each new spike once; returns the new alerts.

    Scopes: unrestricted (admins), each centre (supervisors, analysts), each team (team leads).
    Alerts come from the unrestricted scope only: one alert per category × district × day,
    whichever centres and teams its calls fall in.
    """
    as_of = as_of or _today()
    root = policy.root(settings) / "hotspots"
    since = as_of - timedelta(days=policy.hotspot_lookback_days - 1)
    test = SpikeTest(alpha=policy.spike_alpha)
    con = open_snapshot(settings.warehouse)
    try:
        pairs = internal_frame(con, "hotspot_scopes", date_from=since, date_to=as_of).rows()
        scopes: list[tuple[str | None, str | None]] = [(None, None), *dict.fromkeys((c, None) for c, _ in pairs)]
        scopes += [(c, t) for c, t in pairs if t is not None]
        # Every scope from one read of each frame (mine_all_scopes), not one read per scope.
        found = mine_all_scopes(
            con, scopes, as_of=as_of, lookback_days=policy.hotspot_lookback_days, recent_days=policy.hotspot_recent_days, test=test,
        )
        per_scope: dict[tuple[str | None, str | None], dict[str, pl.DataFrame]] = {scope: h.frames() for scope, h in found.items()}
    finally:
        con.close()
    manifest = {
        "as_of": as_of.isoformat(), "lookback_days": policy.hotspot_lookback_days, "recent_days": policy.hotspot_recent_days,
        "test": TEST_NAME, "alpha": test.alpha, "baseline_days": test.baseline_days, "frames": list(per_scope[(None, None)]),
    }
    write_generation(root, per_scope, manifest)
    return _alert_new_spikes(root / "spike_alerts.jsonl", per_scope[(None, None)]["spikes"])


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
    # What the page reads now stays, however old: a stale figure beats none (the page shows its age).
    published = current_generation(root / "hotspots")
    deleted: list[Path] = []
    for folder, days in targets:
        if days is None or not folder.is_dir():
            continue
        cutoff = now - days * 86400
        for path in folder.rglob("*"):
            if published is not None and path.is_relative_to(published):
                continue
            # The spike ledger is what keeps an alert from being raised twice: never expire it.
            if path.is_file() and path.name not in _KEPT_FILES and path.stat().st_mtime < cutoff:
                path.unlink()
                deleted.append(path)
    if deleted:
        log.info("retention: deleted %d files", len(deleted))
    return deleted


_KEPT_FILES = frozenset({"spike_alerts.jsonl", "CURRENT"})


def request_writer_maintenance(settings: Settings, policy: JobsPolicy, day: date | None = None) -> Path:
    """Ask the sink (the only writer) to purge expired transcripts when next idle, and to compact
    its file if that freed anything, or in any case on ``policy.compact_weekday``."""
    day = day or datetime.now(TZ).date()
    weekly = policy.compact_weekday is not None and day.weekday() == policy.compact_weekday
    return request_maintenance(settings.warehouse, keep_transcripts_days=policy.keep_transcripts_days,
                               compact="always" if weekly else "if_purged")


def build_scheduler(jobs: dict[str, tuple[Callable[[], object], dict]], lock_dir: Path | None = None) -> BackgroundScheduler:
    """A scheduler for ``name -> (function, trigger kwargs)``; never two runs of one job at once:
    ``max_instances=1`` within this scheduler and, with ``lock_dir``, a file lock per job across
    processes (a second ``hotline jobs`` skips a job the first is running)."""
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600},
        timezone=TZ,
    )
    for name, (func, trigger) in jobs.items():
        scheduler.add_job(_logged(name, func, lock_dir), id=name, name=name, replace_existing=True, **trigger)
    return scheduler


def run_locked(name: str, func: Callable[[], object], lock_dir: Path | None) -> bool:
    """Run ``func`` holding the job's lock; False (and not run) when another run holds it."""
    if lock_dir is None:
        func()
        return True
    try:
        with job_lock(lock_dir, name):
            func()
    except JobLocked as exc:
        log.warning("job %s skipped: %s", name, exc)
        return False
    return True


def _logged(name: str, func: Callable[[], object], lock_dir: Path | None = None) -> Callable[[], None]:
    def run() -> None:
        started = time.monotonic()
        try:
            if not run_locked(name, func, lock_dir):
                return
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
        "maintenance": (lambda: request_writer_maintenance(settings, policy), {"trigger": "cron", "hour": policy.retention_at_hour, "minute": 30}),
        **_rejudge_jobs(settings),
    }


def _rejudge_jobs(settings: Settings) -> dict[str, tuple[Callable[[], object], dict]]:
    """Ask a capable LLM again about calls left pending while it was down or unconfigured.

    Not scheduled for a stand-in endpoint (its output never becomes a judgement) or without one.
    """
    if settings.llm.base_url is None or settings.llm.stand_in:
        return {}

    def rejudge() -> int:
        # Imported here: the inspection stack (embedding model, scorecard) loads only when the job runs.
        from hotline.warehouse.rejudge import rejudge_pending

        return rejudge_pending(settings, limit=settings.llm.rejudge_max_calls or None)

    return {"rejudge": (rejudge, {"trigger": "interval", "minutes": settings.llm.rejudge_every_min})}


def run_jobs(settings: Settings, stop: StopFlag, policy: JobsPolicy | None = None) -> None:
    """``hotline jobs``: run the schedule until ``stop`` is set (hotspots run once at start)."""
    policy = policy or settings.jobs
    scheduler = build_scheduler(default_jobs(settings, policy), lock_dir=policy.root(settings) / "locks")
    scheduler.start()
    log.info("jobs: scheduled %s; writing under %s", ", ".join(j.id for j in scheduler.get_jobs()), policy.root(settings))
    try:
        while not stop.wait(1.0):
            pass
    finally:
        # Wait for a running job to finish: a half-written report folder is worse than a late stop.
        scheduler.shutdown(wait=True)


def run_job_once(settings: Settings, name: str, policy: JobsPolicy | None = None) -> bool:
    """``hotline jobs --once NAME``: run one job now, in this thread (cron, debugging, tests);
    False when another process is running that job (it is then not run)."""
    policy = policy or settings.jobs
    jobs = default_jobs(settings, policy)
    if name not in jobs:
        raise KeyError(f"unknown job {name}; known: {', '.join(jobs)}")
    return run_locked(name, jobs[name][0], policy.root(settings) / "locks")


__all__ = [
    "JobsPolicy", "apply_retention", "build_scheduler", "export_recent", "refresh_hotspots", "request_writer_maintenance",
    "run_job_once", "run_jobs", "run_locked", "write_nightly_reports",
]
