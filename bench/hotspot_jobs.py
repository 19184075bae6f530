"""Hotspot job benchmark: the hourly job's cost and what the hotspot page then pays to read it.

    .venv/bin/python -m bench.hotspot_jobs --calls 1000000 [--days 364] [--repeats 20] [--keep DIR [--reuse [--no-job]]]

The warehouse is bench/warehouse.py's synthetic one (same generator, seed and scopes: 3 centres,
30 teams). Figures:

- job_s, scopes, job_s_per_scope: one ``refresh_hotspots`` run (every scope mined from the snapshot
  and published as one generation), as ``hotline jobs`` runs it every hour;
- read_p50_ms / read_p95_ms per role: ``hotspot_store.read_for_user`` (the page's read of the
  materialised output, masking included) for an admin, a centre supervisor, an analyst and a team lead;
- page_compute_p95_ms: the one test the page still runs itself (the default "all demands" series,
  summed over the scope's series and tested);
- page_load_p95_ms: the sum of the slowest read and the page's own test: what a page load costs
  (a page load runs no warehouse query);
- drilldown_p95_ms: the page's one live query, run only when someone picks a number
  (``access_hotspot_calls`` for the recent window, LIMIT 200, through ``access.run_scoped`` as a
  centre supervisor); drilldown_p95_ms_by_shape: each way the page drills down (the window,
  its busiest cell, the top repeat caller and place over 30 days, a topic's calls), and the max;
- generation_mb: the size of one published generation.
The last line printed is one JSON object (bench/report.py, results/hotspot_jobs_<calls>.json).
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import polars as pl

from bench.report import emit, peak_rss_mb

log = logging.getLogger("bench.hotspot_jobs")


def build_warehouse(n_calls: int, days: int, work: Path, seed: int, reuse: bool):
    """bench/warehouse.py's warehouse (generated, or the one kept in ``work``); returns its settings."""
    from bench.warehouse import bulk_load, derive_work_orders, make_frames, series_counts
    from hotline.settings import WarehouseSettings
    from hotline.warehouse.snapshot import publish_snapshot
    from hotline.warehouse.store import open_writer

    cfg = WarehouseSettings(database=work / "hotline.duckdb", snapshot=work / "snapshot.duckdb")
    if reuse and cfg.snapshot.exists():
        log.info("reusing the warehouse in %s", work)
        return cfg
    for f in (cfg.database, cfg.snapshot):
        f.unlink(missing_ok=True)
    rng = np.random.default_rng(seed)
    counts, _ = series_counts(n_calls, days, rng, max(10, min(60, days // 6)))
    total = int(counts.sum())
    chunk_days = max(1, int(days * 400_000 / max(total, 1)))
    con = open_writer(cfg)
    try:
        next_id = 0
        for lo in range(0, days, chunk_days):
            frames = make_frames(counts, lo, min(days, lo + chunk_days), next_id, rng)
            bulk_load(con, frames)
            next_id += frames["calls"].height
            log.info("loaded %d / %d calls", next_id, total)
        derive_work_orders(con)
        publish_snapshot(con, cfg)
    finally:
        con.close()
    return cfg


def _percentiles(times_ms: list[float]) -> dict[str, float]:
    return {"p50_ms": round(float(np.percentile(times_ms, 50)), 2), "p95_ms": round(float(np.percentile(times_ms, 95)), 2)}


def _timed(func, repeats: int) -> tuple[dict[str, float], object]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = func()
        times.append((time.perf_counter() - t0) * 1000)
    return _percentiles(times), out


def drilldowns(stored, as_of, recent_days: int) -> dict[str, dict]:
    """The page's drill-downs (dashboards/views/hotspots.py), with the numbers the supervisor's
    published hotspots offer: the recent window, its busiest cell, the top repeat caller and
    place (30 days), a topic's calls (the lookback)."""
    recent = {"date_from": as_of - timedelta(days=recent_days - 1), "date_to": as_of}
    month = {"date_from": recent["date_from"] - timedelta(days=23), "date_to": as_of}
    series = stored["series"].filter(pl.col("day") >= recent["date_from"])
    shapes: dict[str, dict] = {"window": recent}
    if not series.is_empty():
        cell = series.group_by("category", "district").agg(pl.col("calls").sum()).sort("calls", "category", "district", descending=[True, False, False]).row(0, named=True)
        shapes["cell"] = recent | {"category": cell["category"], "district": cell["district"]}
    if not stored["repeat_callers"].is_empty():
        shapes["caller"] = month | {"caller_key": stored["repeat_callers"]["caller_key"][0]}
    if not stored["repeat_addresses"].is_empty():
        shapes["address"] = month | {"address_key": stored["repeat_addresses"]["address_key"][0]}
    if not stored["assignments"].is_empty():
        shapes["topic"] = {"date_from": as_of - timedelta(days=int(stored.manifest["lookback_days"]) - 1), "date_to": as_of,
                           "call_ids": stored["assignments"]["call_id"].head(50).to_list()}
    return shapes


def run(n_calls: int, days: int, repeats: int, keep: Path | None, reuse: bool, run_job: bool = True, seed: int = 20250301) -> dict:
    from bench.warehouse import START
    from hotline.settings import Settings
    from hotline.warehouse import access
    from hotline.warehouse.hotspot_store import current_generation, read_for_user
    from hotline.warehouse.jobs import JobsPolicy, refresh_hotspots
    from hotline.warehouse.reader import open_snapshot, query_frame
    from hotline.warehouse.spikes import SpikeTest, score_series

    work = keep or Path(tempfile.mkdtemp(prefix="bench-hotspots-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    cfg = build_warehouse(n_calls, days, work, seed, reuse)
    build_s = time.perf_counter() - t0
    settings = Settings(paths={"data_dir": work / "data"}, warehouse=cfg)
    policy = JobsPolicy()
    as_of = START + timedelta(days=days - 1)
    root = policy.root(settings) / "hotspots"

    job_s = None
    if run_job or current_generation(root) is None:
        t0 = time.perf_counter()
        refresh_hotspots(settings, policy, as_of=as_of)
        job_s = time.perf_counter() - t0
    generation = current_generation(root)
    scopes = len(json.loads((generation / "manifest.json").read_text(encoding="utf-8"))["scopes"])
    generation_mb = sum(p.stat().st_size for p in generation.rglob("*") if p.is_file()) / 2**20
    log.info("job: %s s for %d scopes (%.2f MiB)", job_s and round(job_s, 1), scopes, generation_mb)

    users = {
        "admin": access.User("admin", "A", "admin"),
        "qa_supervisor": access.User("sup", "S", "qa_supervisor", centre_id="centre-0"),
        "policy_analyst": access.User("ana", "P", "policy_analyst", centre_id="centre-0"),
        "team_lead": access.User("lead", "L", "team_lead", centre_id="centre-0", team_id="team-0"),
    }
    reads: dict[str, dict[str, float]] = {}
    for role, user in users.items():
        reads[role], stored = _timed(lambda u=user: read_for_user(root, u), repeats)
        log.info("read %-15s p50 %7.2f ms  p95 %7.2f ms  (%d series rows)", role, reads[role]["p50_ms"], reads[role]["p95_ms"], stored["series"].height)

    stored = read_for_user(root, users["qa_supervisor"])
    test = SpikeTest(alpha=stored.manifest["alpha"])

    def all_demands():
        summed = stored["series"].group_by("day").agg(pl.col("calls").sum()).with_columns(pl.lit("全部诉求").alias("series"))
        return score_series(summed, ["series"], test)

    compute, _ = _timed(all_demands, repeats)
    con = open_snapshot(cfg)
    try:
        drills = drilldowns(stored, as_of, policy.hotspot_recent_days)
        by_shape: dict[str, dict[str, float]] = {}
        for shape, params in drills.items():
            by_shape[shape], frame = _timed(lambda p=params: access.run_scoped(
                users["qa_supervisor"], "access_hotspot_calls", lambda n, q: query_frame(con, n, **q), p), min(repeats, 10))
            log.info("drill-down %-8s p50 %7.1f ms  p95 %7.1f ms  (%d rows)", shape, by_shape[shape]["p50_ms"], by_shape[shape]["p95_ms"], frame.height)
    finally:
        con.close()
    behind = by_shape["window"]
    log.info("page compute p95 %.2f ms; drill-down p95 %.1f ms (window)", compute["p95_ms"], behind["p95_ms"])
    return {
        "calls": n_calls,
        "days": days,
        "repeats": repeats,
        "build_s": round(build_s, 1),
        "job_s": round(job_s, 1) if job_s is not None else None,
        "scopes": scopes,
        "job_s_per_scope": round(job_s / scopes, 2) if job_s is not None else None,
        "generation_mb": round(generation_mb, 2),
        "read_p50_ms": {k: v["p50_ms"] for k, v in reads.items()},
        "read_p95_ms": {k: v["p95_ms"] for k, v in reads.items()},
        "page_compute_p95_ms": compute["p95_ms"],
        "page_load_p95_ms": round(max(v["p95_ms"] for v in reads.values()) + compute["p95_ms"], 1),
        "drilldown_p95_ms": behind["p95_ms"],
        "drilldown_p95_ms_by_shape": {k: v["p95_ms"] for k, v in by_shape.items()},
        "drilldown_p95_ms_max": max(v["p95_ms"] for v in by_shape.values()),
        "peak_rss_mb": peak_rss_mb(),
        "kept": str(work) if keep else None,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=364)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated warehouse in this folder")
    parser.add_argument("--reuse", action="store_true", help="with --keep: reuse the warehouse kept there")
    parser.add_argument("--no-job", action="store_true", help="with --reuse: time the pages on the generation already published there")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    emit(f"hotspot_jobs_{args.calls}", run(args.calls, args.days, args.repeats, args.keep, args.reuse, run_job=not args.no_job))


if __name__ == "__main__":
    main()
