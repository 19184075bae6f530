"""Warehouse benchmark: synthetic scored calls with planted spikes; load rate, query latency, spike recall.

    .venv/bin/python -m bench.warehouse --calls 1000000 [--days 364] [--repeats 10] [--keep DIR [--reuse]]
    .venv/bin/python -m bench.warehouse --tipdm [PATH]     # hotspot mining on the real TipDM messages

The generator draws calls per category × district × day from a negative binomial (seasonal
and weekly patterns, category and district weights), plants surges on random series-days,
then fills calls, inspections, ten scorecard items per call and a work-order history (created,
dispatched, sometimes returned and dispatched again, closed, callback). Figures:

- sink_calls_per_s: the sink's own write path (store_batch on CallInspected messages with ten
  checks, one transaction per warehouse.batch_max_messages, no Kafka) on 4,000 calls, into a
  new file;
- sink_calls_per_s_kept_warehouse (with --reuse): the same 4,000 new calls written into the kept
  warehouse, each batch rolled back after it is timed (the commit untimed), so what the per-batch
  statements cost against a full file shows; sink_calls_per_s_kept_warehouse_with_orders: the
  same calls each followed by its work order's events (about four), batches of as many messages;
- work_order_refresh_ms: what the sink spends deriving again the stored work orders a batch's
  events touched, for 10, 200 and 2,000 orders of the full warehouse (rolled back);
- bulk_load_calls_per_s: the bulk path used to fill the benchmark warehouse (frames inserted
  by INSERT ... SELECT, all tables of a call included);
- query_p95_ms: p50/p95 of every access_* query a dashboard page runs, through access.run_scoped
  as the page runs it, for a centre-wide, a team and an unscoped (administrator) user, at a
  30-day and a 365-day window where
  the page has a date picker (bench/warehouse_pages.py); labels are query[scope,window];
- other_query_p95_ms: the platform's own reads no page runs (status, accounting, reconcile, re-judging;
  sql/internal/), a 30-day window where they take one;
- planted spikes found, false spikes per 100 series-weeks.
With --keep DIR --reuse a later run reopens the kept warehouse (same --calls, --days): pending
migrations and their rollup backfills apply, then the snapshot is published and timed again.
The last line printed is one JSON object (bench/report.py).
"""

from __future__ import annotations

import argparse
import logging
import math
import re
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from bench.report import DEFAULT_DATA, emit, peak_rss_mb
from hotline.conversation import DEFAULT_SILENCE_THRESHOLD_S
from hotline.warehouse import sqlfiles

log = logging.getLogger("bench.warehouse")

START = date(2024, 1, 1)
SQL_DIR = Path(__file__).resolve().parent / "sql"
CATEGORIES = [
    "城乡建设/噪音扰民", "城乡建设/违章建筑", "城乡建设/道路设施", "环境保护/大气污染", "环境保护/水污染", "环境保护/垃圾清运",
    "公用事业/供水", "公用事业/供电", "公用事业/供气供暖", "劳动和社会保障/拖欠工资", "劳动和社会保障/社保医保", "物业管理/物业服务",
    "交通运输/公共交通", "交通运输/停车与交通秩序", "教育文体/入学", "教育文体/校外培训与收费", "卫生计生/医疗服务", "商贸旅游/消费维权",
]
DISTRICTS = ["江北区", "江南区", "高新区", "滨海新区", "东湖区", "西山区", "南城区", "北港区"]
SENTIMENTS = ["satisfied", "neutral", "anxious", "dissatisfied", "angry"]
SENTIMENT_WEIGHTS = [0.25, 0.45, 0.12, 0.13, 0.05]
ITEMS = [  # item_id, name, kind, weight, fail probability for an average agent
    ("greeting", "开头问候语规范", "rule", 10, 0.04), ("closing", "结束语规范", "rule", 10, 0.06),
    ("forbidden_phrase", "服务忌语", "rule", 20, 0.01), ("address_repeat", "地址复述确认", "rule", 10, 0.15),
    ("long_silence", "长时间静默", "timing", 5, 0.08), ("empathy", "共情安抚", "llm", 10, 0.12),
    ("responsive_answer", "回应切题", "llm", 10, 0.05), ("complete_handling", "处理彻底", "llm", 10, 0.07),
    ("clear_guidance", "指引清晰", "llm", 10, 0.06), ("satisfaction_invitation", "满意度评价邀请", "llm", 5, 0.10),
]
# The platform's own reads (sql/internal/) timed besides the pages: status, accounting, reconcile and
# re-judging. The export_* reads (one day each) belong to the nightly export, the hotspot_* ones to the
# hourly job (bench/hotspot_jobs.py times it); every page's query is access_* (bench/warehouse_pages.py).
OTHER_READS = (
    "accounting", "dead_letters", "pending_llm_calls", "reconcile_duplicates", "reconcile_refused_recordings",
    "stored_transcript_call", "stored_transcript_turns",
)


def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- generator


def series_counts(n_calls: int, days: int, rng: np.random.Generator, n_spikes: int) -> tuple[np.ndarray, set[tuple[int, int, int]]]:
    """Counts [category, district, day] with seasonal/weekly patterns and over-dispersion, plus planted spikes."""
    cw = 1.0 / np.arange(1, len(CATEGORIES) + 1) ** 1.1
    cw = rng.permutation(cw / cw.sum())
    dw = np.array([0.2, 0.18, 0.15, 0.13, 0.1, 0.09, 0.08, 0.07])
    day_idx = np.arange(days)
    weekday = np.array([(START + timedelta(days=int(d))).weekday() for d in day_idx])
    weekly = np.where(weekday >= 5, 0.7, 1.06)
    phase = rng.uniform(0, 2 * np.pi, len(CATEGORIES))
    seasonal = 1 + 0.3 * np.sin(2 * np.pi * day_idx[None, :] / 365.0 + phase[:, None])
    lam = (n_calls / days) * cw[:, None, None] * dw[None, :, None] * weekly[None, None, :] * seasonal[:, None, :]
    lam = lam * (n_calls / lam.sum())
    # Over-dispersion as real demand has (weather, outages, news): gamma-Poisson, CV about 0.2.
    counts = rng.poisson(lam * rng.gamma(25.0, 1 / 25.0, lam.shape)).astype(np.int64)
    planted: set[tuple[int, int, int]] = set()
    while len(planted) < n_spikes:
        c, d, t = int(rng.integers(len(CATEGORIES))), int(rng.integers(len(DISTRICTS))), int(rng.integers(35, days))
        base = float(lam[c, d, t])
        if base < 0.3 or (c, d, t) in planted:
            continue
        counts[c, d, t] += int(round(1.5 * base + 6 * math.sqrt(max(base, 1.0)) + 4))
        planted.add((c, d, t))
    return counts, planted


def make_frames(counts: np.ndarray, day_lo: int, day_hi: int, first_id: int, rng: np.random.Generator) -> dict[str, pl.DataFrame]:
    """All rows for the calls on days [day_lo, day_hi)."""
    sub = counts[:, :, day_lo:day_hi]
    c_idx, d_idx, t_idx = np.nonzero(sub)
    reps = sub[c_idx, d_idx, t_idx]
    cat = np.repeat(c_idx, reps)
    dist = np.repeat(d_idx, reps)
    day = np.repeat(t_idx, reps) + day_lo
    n = len(cat)
    ids = np.arange(first_id, first_id + n)
    call_id = ("b" + pl.Series("call_id", ids).cast(pl.String).str.zfill(9))
    # Beijing 08:00-22:00 -> UTC 00:00-14:00
    start_s = (np.array([(START - date(1970, 1, 1)).days], dtype=np.int64) + day) * 86400 + rng.integers(0, 14 * 3600, n)
    started_at = pl.Series("started_at", start_s * 1_000_000).cast(pl.Datetime("us", "UTC"))
    agent = rng.integers(0, 300, n)
    skill = np.random.default_rng(99).lognormal(0.0, 0.5, 300)  # per-agent fail multiplier, fixed across chunks
    duration = np.clip(rng.lognormal(math.log(170), 0.5, n), 20, 1800)
    repeater = rng.random(n) < 0.03
    caller = np.where(repeater, 13900000000 + rng.integers(0, 3000, n), 13000000000 + ids)
    calls = pl.DataFrame({
        "call_id": call_id,
        "centre_id": ("centre-" + pl.Series(agent // 100).cast(pl.String)),
        "team_id": ("team-" + pl.Series(agent // 10).cast(pl.String)),
        "agent_id": ("agent-" + pl.Series(agent).cast(pl.String)),
        "caller_number": pl.Series(caller).cast(pl.String),
        "started_at": started_at,
        "channel_layout": "stereo", "agent_channel": 0, "transcript_final": True, "transcript_incomplete": False,
        "duration_s": duration, "language": "zh", "asr_model": "bench", "asr_processing_s": duration / 3.5,
    }).with_columns((pl.col("started_at") + pl.duration(seconds=pl.col("duration_s") * 1.3)).alias("transcribed_at"))
    calls = calls.with_columns(**talk_figures(duration, rng))

    fail_p = np.array([it[4] for it in ITEMS])
    failed = rng.random((n, len(ITEMS))) < np.clip(fail_p[None, :] * skill[agent][:, None], 0, 0.9)
    weights = np.array([it[3] for it in ITEMS], dtype=np.float64)
    score = 100.0 - failed.astype(np.float64) @ weights
    fatal = failed[:, 2]
    checks = pl.DataFrame({
        "call_id": np.repeat(call_id.to_numpy(), len(ITEMS)),
        "item_no": np.tile(np.arange(len(ITEMS), dtype=np.int32), n),
        "item_id": np.tile([it[0] for it in ITEMS], n),
        "name": np.tile([it[1] for it in ITEMS], n),
        "kind": np.tile([it[2] for it in ITEMS], n),
        "failed": failed.reshape(-1),
        "weight": np.tile(weights, n),
    }).with_columns(
        pl.when(pl.col("failed")).then(pl.lit("failed")).otherwise(pl.lit("passed")).alias("status"),
        pl.when(pl.col("failed")).then(0.0).otherwise(pl.col("weight")).alias("points"),
        (pl.col("item_id") == "forbidden_phrase").alias("fatal"),
        pl.when(pl.col("failed")).then(pl.lit("未达到要求")).otherwise(pl.lit("符合要求")).alias("reason"),
        pl.when(pl.col("failed"))
        .then(pl.concat_list(pl.struct(
            pl.lit("您这个事情不归我们管").alias("quote"), pl.lit("agent").alias("speaker"),
            pl.lit(12.0).alias("start_s"), pl.lit(14.5).alias("end_s"), pl.lit(True).alias("verified"),
        )))
        .otherwise(pl.lit([], dtype=pl.List(pl.Struct({"quote": pl.String, "speaker": pl.String, "start_s": pl.Float64, "end_s": pl.Float64, "verified": pl.Boolean}))))
        .alias("evidence"),
    ).drop("failed")
    defects = checks.filter(pl.col("status") == "failed").group_by("call_id").agg(pl.col("item_id").alias("defects"))
    inspections = pl.DataFrame({
        "call_id": call_id, "scorecard_id": "hotline-12345-standard", "scorecard_version": "2025.1", "score": score,
        "max_score": 100.0, "fatal": fatal, "category": pl.Series(np.array(CATEGORIES)[cat]), "category_score": 0.9,
        "category_method": "bench",
        "review_state": np.where(fatal, "mandatory_review", np.where(rng.random(n) < 0.05, "sample_review", "auto_pass")),
        # The caller's sentiment where the inspection judged one (about two calls in three).
        "sentiment_method": "bench",
        "sentiment_overall": pl.Series(np.where(rng.random(n) < 0.65, rng.choice(SENTIMENTS, n, p=SENTIMENT_WEIGHTS), None).tolist(), dtype=pl.String),
    }).with_columns(
        pl.col("sentiment_overall").alias("caller_sentiment"),
        calls.select(pl.col("transcribed_at") + pl.duration(seconds=20)).to_series().alias("inspected_at"),
    ).join(defects, on="call_id", how="left").with_columns(pl.col("defects").fill_null(pl.lit([], dtype=pl.List(pl.String))))

    events = _work_order_events(calls, cat, dist, rng)
    alert_rows = np.flatnonzero(rng.random(n) < 0.002)
    alerts = pl.DataFrame({
        "call_id": call_id.gather(alert_rows), "kind": "media_exposure", "start_s": 30.0, "end_s": 33.0, "severity": "high",
        "quote": "我要找媒体曝光", "speaker": "caller", "from_partial": False,
    }).with_columns(calls["started_at"].gather(alert_rows).alias("raised_at"))
    return {"calls": calls, "inspections": inspections, "checks": checks, "events": events, "alerts": alerts}


def talk_figures(duration: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Talk and silence per call as the sink stores them from a transcript's conversation metrics
    (hotline/conversation.py): turns every ten seconds or so, the agent near half the talk. A
    silence is a gap in everyone's speech longer than the threshold: about one per two minutes of
    call, the longest a few seconds over the threshold and the others between the threshold and it;
    shorter pauses between turns are no silence. Each party's talk is its own time, so agent plus
    caller talk is the speech plus the time both spoke at once (overlap), and an interruption
    overlaps by half a second or more."""
    n = len(duration)
    threshold = DEFAULT_SILENCE_THRESHOLD_S
    longest = np.minimum(threshold + rng.lognormal(math.log(3.0), 0.7, n), 0.3 * duration)
    # At most half the call silent.
    silences = np.minimum(rng.poisson(duration / 120.0), np.floor(0.5 * duration / longest)).astype(np.int32)
    longest = np.where(silences > 0, longest, 0.0)
    silence = longest + np.maximum(silences - 1, 0) * rng.uniform(threshold, np.maximum(longest, threshold))
    speech = duration * (1.0 - rng.uniform(0.03, 0.08, n)) - silence
    overlap = np.minimum(rng.exponential(1.5, n), 0.04 * speech)
    agent_share = np.clip(rng.normal(0.52, 0.1, n), 0.05, 0.95)
    talk = speech + overlap
    return {
        "turn_count": np.maximum(2, (duration / 10.0).astype(np.int32)),
        "agent_talk_s": talk * agent_share,
        "caller_talk_s": talk * (1.0 - agent_share),
        "silence_s": silence,
        "longest_silence_s": longest,
        "overlap_s": overlap,
        "agent_talk_share": agent_share,
        "silence_share": silence / duration,
        "interruptions": np.minimum(rng.poisson(overlap / 1.5), np.floor(overlap / 0.5)).astype(np.int32),
        "silence_threshold_s": np.full(n, threshold),
    }


def _work_order_events(calls: pl.DataFrame, cat: np.ndarray, dist: np.ndarray, rng: np.random.Generator) -> pl.DataFrame:
    n = calls.height
    district = np.array(DISTRICTS)[dist]
    category = np.array(CATEGORIES)[cat]
    department = np.char.add(district, "城市管理局")
    wrong = np.char.add(district, "住房和城乡建设局")
    created = calls.select(pl.col("started_at") + pl.duration(seconds=pl.col("duration_s") + 120)).to_series()
    base = pl.DataFrame({
        "work_order_id": ("WO" + calls["call_id"]), "call_id": calls["call_id"],
        "category": category, "district": district,
        "address": np.char.add(district, np.char.add(rng.integers(1, 400, n).astype(str), "号")),
        "recorded_type": np.where(rng.random(n) < 0.55, "投诉", np.where(rng.random(n) < 0.5, "求助", "咨询")),
        "created": created, "department": department, "wrong": wrong,
        "dispatch_min": rng.integers(10, 180, n), "close_h": rng.exponential(40.0, n),
        "returned": rng.random(n) < 0.06, "sat": rng.random(n),
    })
    common = ["work_order_id", "call_id"]
    e_created = base.select(*common, pl.lit("created").alias("kind"), "category", "recorded_type", "district", "address", pl.col("created").alias("occurred_at"))
    e_first = base.select(*common, pl.lit("dispatched").alias("kind"),
                          pl.when(pl.col("returned")).then(pl.col("wrong")).otherwise(pl.col("department")).alias("department"),
                          (pl.col("created") + pl.duration(minutes=pl.col("dispatch_min"))).alias("occurred_at"))
    r = base.filter(pl.col("returned"))
    e_return = r.select(*common, pl.lit("returned").alias("kind"), pl.col("wrong").alias("department"),
                        (pl.col("created") + pl.duration(minutes=pl.col("dispatch_min") + 300)).alias("occurred_at"))
    e_again = r.select(*common, pl.lit("dispatched").alias("kind"), "department",
                       (pl.col("created") + pl.duration(minutes=pl.col("dispatch_min") + 360)).alias("occurred_at"))
    e_closed = base.select(*common, pl.lit("closed").alias("kind"),
                           (pl.col("created") + pl.duration(minutes=pl.col("dispatch_min") + 400) + pl.duration(seconds=pl.col("close_h") * 3600)).alias("occurred_at"))
    e_callback = base.select(*common, pl.lit("callback").alias("kind"),
                             pl.when(pl.col("sat") < 0.7).then(pl.lit("satisfied")).when(pl.col("sat") < 0.88).then(pl.lit("basically_satisfied")).otherwise(pl.lit("dissatisfied")).alias("satisfaction"),
                             (pl.col("created") + pl.duration(minutes=pl.col("dispatch_min") + 400) + pl.duration(seconds=pl.col("close_h") * 3600 + 86400)).alias("occurred_at"))
    events = pl.concat([e_created, e_first, e_return, e_again, e_closed, e_callback], how="diagonal_relaxed")
    return events.with_columns(
        (pl.col("work_order_id") + "-" + pl.col("kind") + "-" + pl.col("occurred_at").dt.epoch("s").cast(pl.String)).alias("event_id"),
        pl.lit("bench").alias("source"),
    )


# --------------------------------------------------------------------------- phases


def sink_messages(frames: dict[str, pl.DataFrame], limit: int = 4000, with_orders: bool = False) -> list:
    """CallInspected messages with ten checks for the first ``limit`` calls of the frames; with
    ``with_orders``, each followed by its work order's lifecycle events (about four a call)."""
    from hotline.contracts import CallInspected, CallMeta, CategorySuggestion, CheckResult, Evidence, WorkOrderEvent

    calls = frames["calls"].head(limit)
    checks = frames["checks"].filter(pl.col("call_id").is_in(calls["call_id"].implode())).partition_by("call_id", as_dict=True)
    insp = {r["call_id"]: r for r in frames["inspections"].head(limit).iter_rows(named=True)}
    events: dict[str, list] = {}
    if with_orders:
        fields = set(WorkOrderEvent.model_fields)
        rows = frames["events"].filter(pl.col("call_id").is_in(calls["call_id"].implode())).sort("occurred_at")
        for r in rows.iter_rows(named=True):
            events.setdefault(r["call_id"], []).append(WorkOrderEvent(**{k: v for k, v in r.items() if k in fields}))
    messages = []
    for c in calls.iter_rows(named=True):
        i = insp[c["call_id"]]
        meta = CallMeta(call_id=c["call_id"], centre_id=c["centre_id"], team_id=c["team_id"], agent_id=c["agent_id"],
                        caller_number=c["caller_number"], started_at=c["started_at"], channel_layout="stereo", agent_channel=0)
        results = tuple(
            CheckResult(item_id=r["item_id"], name=r["name"], kind=r["kind"], status=r["status"], weight=r["weight"], points=r["points"],
                        fatal=r["fatal"], reason=r["reason"], evidence=tuple(Evidence(**e) for e in r["evidence"]))
            for r in checks[(c["call_id"],)].iter_rows(named=True)
        )
        messages.append(CallInspected(meta=meta, scorecard_id=i["scorecard_id"], scorecard_version=i["scorecard_version"], score=i["score"],
                                      max_score=100.0, fatal=i["fatal"], checks=results, defects=tuple(i["defects"]),
                                      category=CategorySuggestion(category=i["category"], score=0.9, method="bench"),
                                      review_state=i["review_state"], inspected_at=i["inspected_at"]))
        messages += events.get(c["call_id"], [])
    return messages


def measure_sink_path(frames: dict[str, pl.DataFrame], tmp: Path, limit: int = 4000, batch: int | None = None) -> float:
    """Calls/s through store_batch (the sink's write code) into a new, empty warehouse file."""
    from hotline.settings import WarehouseSettings
    from hotline.warehouse.store import open_writer, store_batch

    messages = sink_messages(frames, limit)
    cfg = WarehouseSettings(database=tmp / "sinkpath.duckdb", snapshot=tmp / "sinkpath-snap.duckdb")
    for f in (cfg.database, cfg.snapshot):  # a kept folder's earlier file would turn every write into a replay
        f.unlink(missing_ok=True)
    con = open_writer(cfg)
    try:
        t0 = time.perf_counter()
        # Batches as large as the sink takes them from Kafka (warehouse.batch_max_messages).
        size = batch or cfg.batch_max_messages
        for k in range(0, len(messages), size):
            store_batch(con, messages[k : k + size])
        elapsed = time.perf_counter() - t0
    finally:
        con.close()
    return len(messages) / elapsed


def measure_sink_path_kept(con, frames: dict[str, pl.DataFrame], size: int, limit: int = 4000, with_orders: bool = False) -> float:
    """Calls/s of the sink's write code into the kept (full) warehouse, for new calls: each batch
    is written in a transaction that is then rolled back, so the kept file does not change. The
    commit is not timed (on an empty file it is a few per cent of a batch); a first, untimed pass
    warms the connection as a running sink's is. ``with_orders``: each call's work-order events
    travel with it, as many as a centre's work-order system sends per call, and a batch of
    ``size`` messages holds fewer calls."""
    from hotline.warehouse.batch import collect
    from hotline.warehouse.store import write_batch

    messages = sink_messages(frames, limit, with_orders)
    calls = min(limit, frames["calls"].height)
    elapsed = 0.0
    for timed in (False, True):  # the first pass untimed, as a running sink is warm
        for k in range(0, len(messages), size):
            batch = collect(messages[k : k + size])
            con.begin()
            try:
                t0 = time.perf_counter()
                write_batch(con, batch)
                elapsed += (time.perf_counter() - t0) if timed else 0.0
            finally:
                con.rollback()
    return calls / elapsed


def measure_order_refresh(con, sizes: tuple[int, ...] = (10, 200, 2000)) -> dict[str, float]:
    """ms for the sink's work-order refresh (warehouse.workorders.refresh_work_orders: the orders a
    batch's events touched derived again) of n stored orders of the full warehouse, for each n;
    each run rolled back, the second of two timed (the first warms the connection)."""
    from hotline.warehouse.workorders import refresh_work_orders

    out: dict[str, float] = {}
    for n in sizes:
        ids = [row[0] for row in con.sql(_sql("sample_work_orders"), params={"n": n}).fetchall()]
        elapsed = 0.0
        for _ in range(2):
            con.begin()
            try:
                t0 = time.perf_counter()
                refresh_work_orders(con, ids)
                elapsed = time.perf_counter() - t0
            finally:
                con.rollback()
        out[str(n)] = round(elapsed * 1000, 1)
    return out


def bulk_load(con, frames: dict[str, pl.DataFrame]) -> None:
    con.begin()
    try:
        for view, name, statement in (("bench_calls", "calls", "load_calls"), ("bench_inspections", "inspections", "load_inspections"),
                                      ("bench_checks", "checks", "load_check_results"), ("bench_events", "events", "load_work_order_events"),
                                      ("bench_alerts", "alerts", "load_alerts")):
            con.register(view, frames[name].to_arrow())
            con.execute(_sql(statement))
            con.unregister(view)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def fill_missing_talk(con) -> None:
    """A warehouse generated before calls carried talk figures has none on its calls and no caller
    sentiment on its inspections (the generator had none): draw them as the generator now does,
    from each call's id so a rerun draws the same, and build the call rollups again."""
    if con.sql("SELECT count(*) FROM calls WHERE turn_count IS NOT NULL").fetchall()[0][0] > 0:
        return
    t0 = time.perf_counter()
    con.execute(_sql("fill_missing_talk"))
    con.execute(_sql("fill_missing_sentiment"))
    con.execute(sqlfiles.load("rebuild_call_rollups", "internal"))
    log.info("talk figures and caller sentiment drawn for the kept calls in %.1fs", time.perf_counter() - t0)


def derive_work_orders(con) -> None:
    """What the sink does per batch, once for the whole bulk load."""
    from hotline.warehouse.workorders import refresh_work_orders

    con.begin()
    try:
        refresh_work_orders(con, None)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def time_other_queries(cfg, last_day: date, sample_call: str, repeats: int) -> dict[str, dict[str, float]]:
    """The platform's own reads no dashboard page runs (OTHER_READS)."""
    from hotline.warehouse import sqlfiles
    from hotline.warehouse.reader import internal_frame, open_snapshot

    con = open_snapshot(cfg)
    window = {"date_from": last_day - timedelta(days=29), "date_to": last_day}
    out: dict[str, dict[str, float]] = {}
    try:
        for name in OTHER_READS:
            wanted = set(sqlfiles.parameters(name, "internal"))
            params = {k: v for k, v in window.items() if k in wanted}
            if "call_id" in wanted:
                params["call_id"] = sample_call
            times = []
            try:
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    internal_frame(con, name, **params)
                    times.append((time.perf_counter() - t0) * 1000)
            except Exception as exc:  # a query another helper added with required parameters
                log.warning("query %s not timed: %s", name, exc)
                continue
            out[name] = {"p50_ms": round(float(np.percentile(times, 50)), 1), "p95_ms": round(float(np.percentile(times, 95)), 1)}
            log.info("%-32s p50 %8.1f ms  p95 %8.1f ms", name, out[name]["p50_ms"], out[name]["p95_ms"])
    finally:
        con.close()
    return out


def time_dashboard(cfg, last_day: date, sample_call: str, repeats: int) -> dict[str, dict[str, float]]:
    """What the pages run, as they run it (bench/warehouse_pages.py)."""
    from bench.warehouse_pages import time_pages
    from hotline.warehouse.reader import open_snapshot, query_frame

    con = open_snapshot(cfg)
    try:
        return time_pages(lambda name, params: query_frame(con, name, **params), last_day, sample_call, repeats, log.info)
    finally:
        con.close()


def evaluate_spikes(cfg, planted: set[tuple[int, int, int]], days: int) -> dict:
    from hotline.warehouse.reader import open_snapshot, query_frame
    from hotline.warehouse.spikes import SpikeTest, score_series

    con = open_snapshot(cfg)
    try:
        t0 = time.perf_counter()
        daily = query_frame(con, "access_hotspot_daily_counts")
        query_s = time.perf_counter() - t0
    finally:
        con.close()
    t0 = time.perf_counter()
    tested = score_series(daily, ["category", "district"], SpikeTest())
    test_s = time.perf_counter() - t0
    flagged = {(CATEGORIES.index(c), DISTRICTS.index(d), (day - START).days) for c, d, day in tested.filter(pl.col("spike")).select("category", "district", "day").iter_rows()}
    testable = tested.filter(pl.col("expected").is_not_null())
    first_testable = SpikeTest().min_history_days + SpikeTest().guard_days
    found = len(planted & flagged)
    false = len(flagged - planted)
    series_weeks = testable.height / 7
    return {
        "planted_spikes": len(planted),
        "planted_spikes_found": found,
        "false_spikes": false,
        "series": int(tested.select(pl.struct("category", "district").n_unique()).item()),
        "series_weeks_tested": round(series_weeks, 1),
        "false_spikes_per_100_series_weeks": round(100 * false / max(series_weeks, 1e-9), 3),
        "hotspot_counts_query_s": round(query_s, 2),
        "spike_test_s": round(test_s, 2),
        "first_testable_day": first_testable,
    }


def run(n_calls: int, days: int, repeats: int, keep: Path | None, seed: int = 20250301, reuse: bool = False, other_repeats: int | None = None) -> dict:
    """Generate and load (or, with ``reuse``, reopen the warehouse kept by an earlier run with the
    same --calls/--days/seed: migrations and rollup backfills apply), publish, time, evaluate."""
    from hotline.settings import WarehouseSettings
    from hotline.warehouse.snapshot import publish_snapshot
    from hotline.warehouse.store import open_writer

    rng = np.random.default_rng(seed)
    work = keep or Path(tempfile.mkdtemp(prefix="bench-warehouse-"))
    work.mkdir(parents=True, exist_ok=True)
    cfg = WarehouseSettings(database=work / "hotline.duckdb", snapshot=work / "snapshot.duckdb")
    reuse = reuse and cfg.database.exists()
    if not reuse:
        for f in (cfg.database, cfg.snapshot):
            f.unlink(missing_ok=True)
    n_spikes = max(10, min(60, days // 6))
    # Drawn first from the seeded generator: the same counts and spikes when a kept warehouse is reused.
    counts, planted = series_counts(n_calls, days, rng, n_spikes)
    total = int(counts.sum())
    log.info("%s %d calls over %d days, %d series, %d planted spikes", "reusing" if reuse else "generating", total, days,
             counts.shape[0] * counts.shape[1], len(planted))
    gen_s = load_s = derive_s = 0.0
    sink_rate = kept_sink_rate = kept_orders_rate = None
    order_refresh: dict[str, float] = {}
    next_id = 0
    events = 0
    chunk_days = max(1, int(days * 400_000 / max(total, 1)))
    t0 = time.perf_counter()
    con = open_writer(cfg)
    open_s = time.perf_counter() - t0
    try:
        if reuse:
            # The sink path is measured on a fresh file as in a full run (one day's calls is plenty),
            # and into the kept warehouse: new calls on its last day, ids beyond any it holds.
            day_frames = make_frames(counts, 0, 1, 0, np.random.default_rng(seed + 1))
            sink_rate = measure_sink_path(day_frames, work)
            kept_frames = make_frames(counts, days - 1, days, 10 * total, np.random.default_rng(seed + 2))
            kept_sink_rate = measure_sink_path_kept(con, kept_frames, cfg.batch_max_messages)
            kept_orders_rate = measure_sink_path_kept(con, kept_frames, cfg.batch_max_messages, with_orders=True)
            log.info("sink write path: %.0f calls/s on an empty file, %.0f into the kept warehouse, %.0f with their work-order events",
                     sink_rate, kept_sink_rate, kept_orders_rate)
        for lo in range(0, 0 if reuse else days, chunk_days):
            t0 = time.perf_counter()
            frames = make_frames(counts, lo, min(days, lo + chunk_days), next_id, rng)
            gen_s += time.perf_counter() - t0
            if sink_rate is None:
                sink_rate = measure_sink_path(frames, work)
                log.info("sink write path: %.0f calls/s", sink_rate)
            t0 = time.perf_counter()
            bulk_load(con, frames)
            load_s += time.perf_counter() - t0
            next_id += frames["calls"].height
            events += frames["events"].height
            del frames
            log.info("loaded %d / %d calls (%.0f calls/s bulk)", next_id, total, next_id / max(load_s, 1e-9))
        if not reuse:
            t0 = time.perf_counter()
            derive_work_orders(con)
            derive_s = time.perf_counter() - t0
            load_s += derive_s
            # The bulk path bypasses the sink, which keeps the report rollups: build them from their
            # definitions over everything stored, so the agent pages are timed on full tables.
            t0 = time.perf_counter()
            for name in ("rebuild_call_rollups", "fill_items_needing_review", "fill_queue_calls"):
                con.execute(sqlfiles.load(name, "internal"))
            rollups_s = time.perf_counter() - t0
            log.info("report rollups filled in %.1fs", rollups_s)
            load_s += rollups_s
        if reuse:
            fill_missing_talk(con)
        order_refresh = measure_order_refresh(con)
        log.info("work-order refresh (ms by orders touched): %s", order_refresh)
        t0 = time.perf_counter()
        publish_snapshot(con, cfg)
        publish_s = time.perf_counter() - t0
    finally:
        con.close()
    last_day = START + timedelta(days=days - 1)
    sample_call = _call_in_scope(cfg)
    pages = time_dashboard(cfg, last_day, sample_call, repeats)
    others = time_other_queries(cfg, last_day, sample_call, other_repeats or repeats)
    spikes = evaluate_spikes(cfg, planted, days)
    p95 = {k: v["p95_ms"] for k, v in pages.items()}
    over = sorted(k for k, v in p95.items() if v > 300.0)
    return {
        "calls": total,
        "days": days,
        "reused_warehouse": reuse,
        "work_order_events": events if not reuse else None,
        "check_results": total * len(ITEMS),
        "ingest_calls_per_s": round(sink_rate or 0.0, 1),
        "sink_calls_per_s": round(sink_rate or 0.0, 1),
        "sink_calls_per_s_kept_warehouse": round(kept_sink_rate, 1) if kept_sink_rate else None,
        "sink_calls_per_s_kept_warehouse_with_orders": round(kept_orders_rate, 1) if kept_orders_rate else None,
        "sink_batch_messages": cfg.batch_max_messages,
        "work_order_refresh_ms": order_refresh,
        "bulk_load_calls_per_s": round(total / load_s, 1) if load_s else None,
        "generate_s": round(gen_s, 1),
        "load_s": round(load_s, 1),
        "derive_work_orders_s": round(derive_s, 1),
        "open_writer_s": round(open_s, 1),
        "snapshot_publish_s": round(publish_s, 1),
        "database_mb": round(cfg.database.stat().st_size / 2**20, 1) if cfg.database.exists() else None,
        "repeats": repeats,
        "query_p50_ms": {k: v["p50_ms"] for k, v in pages.items()},
        "query_p95_ms": p95,
        "query_p95_ms_max": max(p95.values()) if p95 else None,
        "query_p95_ms_max_name": max(p95, key=p95.get) if p95 else None,
        "queries_over_300_ms": over,
        "other_query_p95_ms": {k: v["p95_ms"] for k, v in others.items()},
        **spikes,
        "peak_rss_mb": peak_rss_mb(),
        "kept": str(work) if keep else None,
    } | ({} if keep else {"_cleanup": str(work)})


def _call_in_scope(cfg) -> str:
    """A call every bench user may open (the team lead's team is inside the supervisor's centre,
    the administrator sees every centre)."""
    from bench.warehouse_pages import TEAM_LEAD
    from hotline.warehouse.reader import open_snapshot, query_frame

    con = open_snapshot(cfg)
    try:
        recent = query_frame(con, "access_calls", scope_centre=TEAM_LEAD.centre_id, scope_team=TEAM_LEAD.team_id, limit=1)
    finally:
        con.close()
    return recent["call_id"][0] if recent.height else "b000000042"


# --------------------------------------------------------------------------- TipDM


_PLACE = re.compile(r"(A\d+[区县市]|[A-Z]市)")


def mine_tipdm(path: Path, top: int = 15) -> dict | None:
    """Top hotspots in the TipDM 2020 messages (attachment 3: times, votes). None when absent."""
    from hotline.warehouse.hotspots import triage
    from hotline.warehouse.spikes import SpikeTest, score_series
    from hotline.warehouse.topics import find_topics

    csv = path / "attachment3_messages_with_votes_full4326.csv"
    if not csv.is_file():
        log.warning("TipDM messages not found at %s: skipped", csv)
        return None
    raw = pl.read_csv(csv)
    frame = raw.select(
        pl.col("留言编号").cast(pl.String).alias("call_id"),
        pl.col("留言用户").alias("user"),
        pl.col("留言时间").str.strptime(pl.Datetime, "%Y/%m/%d %H:%M:%S", strict=False).dt.date().alias("day"),
        (pl.col("留言主题").str.strip_chars() + "。" + pl.col("留言详情").str.replace_all(r"\s+", "").str.slice(0, 120)).alias("text"),
        pl.col("留言主题").str.strip_chars().alias("subject"),
        pl.col("点赞数").fill_null(0).alias("votes"),
        pl.col("反对数").fill_null(0).alias("against"),
    ).filter(pl.col("day").is_not_null()).with_columns(
        pl.col("text").str.extract(r"(A\d+[区县市])", 1).fill_null("A市").alias("place"),
        pl.lit(False).alias("complaint"), pl.lit(False).alias("negative"),
    )
    as_of = frame["day"].max()
    t0 = time.perf_counter()
    k = max(2, int(math.sqrt(frame.height / 2)))
    topics, assigned = find_topics(frame, as_of=as_of, recent_days=30, k=k, min_size=3)
    topic_s = time.perf_counter() - t0
    # Reach: different users plus votes (a vote is someone else saying "me too").
    per_topic = assigned.group_by("topic").agg(
        pl.col("user").n_unique().alias("users"), pl.col("votes").sum().alias("votes"), pl.len().alias("messages"),
        pl.col("place").mode().first().alias("place"), pl.col("day").min().alias("first_day"), pl.col("day").max().alias("last_day"),
    )
    daily = assigned.group_by("topic", "day").agg(pl.len().alias("calls"))
    tested = score_series(daily.with_columns(pl.col("topic").cast(pl.String)), ["topic"], SpikeTest(baseline_days=28, min_history_days=14))
    peak = tested.group_by("topic").agg(pl.col("p_value").min().alias("min_p_value"), pl.col("spike").any().alias("spiking")).with_columns(pl.col("topic").cast(pl.Int64))
    cand = topics.join(per_topic, on="topic").join(peak, on="topic", how="left").filter(pl.col("cohesion") > 0.2).with_columns(
        pl.lit("topic").alias("kind"), pl.col("label").alias("hotspot"), pl.lit(None, pl.String).alias("category"),
        pl.col("place").alias("district"), pl.col("messages").alias("recent_calls"),
        (pl.col("users") + pl.col("votes")).alias("reach"),
        # Concentration in time: messages per active day against the corpus's average topic.
        (pl.col("messages") / ((pl.col("last_day") - pl.col("first_day")).dt.total_days() + 1)).alias("growth"),
        (-pl.col("min_p_value").fill_null(1.0).clip(lower_bound=1e-300).log10()).alias("urgency"),
        pl.col("spiking").fill_null(False),
    )
    ranked = triage([cand]).head(top)
    lines = []
    for r in ranked.iter_rows(named=True):
        lines.append({
            "rank": r["rank"], "topic": r["hotspot"], "place": r["district"], "messages": r["recent_calls"], "reach": r["reach"],
            "min_p_value": r["min_p_value"], "examples": [t[:40] for t in (r["representative"] or [])][:3],
        })
    for line in lines:
        print(f"#{line['rank']:>2} [{line['place']}] {line['topic']}  messages={line['messages']} reach={line['reach']} p={line['min_p_value']}")
        for ex in line.pop("examples"):
            print(f"      · {ex}")
    # The messages are evaluation data: they are printed for a human, never written to bench/results.
    return {"tipdm_messages": frame.height, "tipdm_topics": topics.height, "tipdm_topic_s": round(topic_s, 1), "tipdm_top": lines}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=364)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated warehouse in this folder")
    parser.add_argument("--reuse", action="store_true", help="with --keep: reopen the warehouse kept there instead of generating it again")
    parser.add_argument("--other-repeats", type=int, default=None, help="repeats for the queries no page runs (default --repeats)")
    parser.add_argument("--tipdm", nargs="?", const=DEFAULT_DATA / "tipdm2020_gov_messages", type=Path, default=None,
                        help="only mine hotspots in the TipDM messages (default path under ../shared/data)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.tipdm is not None:
        result = mine_tipdm(args.tipdm)
        emit("warehouse_tipdm", result or {"skipped": f"no TipDM data at {args.tipdm}"})
        return
    result = run(args.calls, args.days, args.repeats, args.keep, reuse=args.reuse, other_repeats=args.other_repeats)
    cleanup = result.pop("_cleanup", None)
    if cleanup:
        shutil.rmtree(cleanup, ignore_errors=True)
    emit(f"warehouse_{args.calls}", result)


if __name__ == "__main__":
    main()
