"""Hotspots for policy staff: spiking series, emerging topics, repeat callers and places, ranked.

Reads a snapshot connection (never the writer's file): one scope through the dashboard's scoped
queries (``mine_hotspots``), or every scope the hourly job publishes from one read per frame
(``mine_all_scopes``). The triage rank follows how policy
staff sort a pile of issues: urgency (complaints, angry callers, risk alerts, how unlikely the
surge is by chance), reach (how many different people) and growth (now against before). Each
is turned into a percentile rank among the candidates and the three are averaged, so no one
scale dominates and the figures behind the rank stay visible beside it.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import polars as pl

from hotline.warehouse.reader import internal_frame, query_frame
from hotline.warehouse.spikes import SpikeTest, score_series
from hotline.warehouse.topics import Method, find_topics

log = logging.getLogger(__name__)

SERIES_KEYS = ["category", "district"]


@dataclass(frozen=True)
class Hotspots:
    as_of: date
    # Every series-day of the lookback with its baseline and test figures (for charts).
    series: pl.DataFrame
    spikes: pl.DataFrame
    topics: pl.DataFrame
    repeat_callers: pl.DataFrame
    repeat_addresses: pl.DataFrame
    triage: pl.DataFrame
    # call_id -> topic: the calls behind each topic (the page's drill-down).
    assignments: pl.DataFrame

    def frames(self) -> dict[str, pl.DataFrame]:
        return {
            "series": self.series, "spikes": self.spikes, "topics": self.topics,
            "repeat_callers": self.repeat_callers, "repeat_addresses": self.repeat_addresses, "triage": self.triage,
            "assignments": self.assignments,
        }


def _pct_rank(column: str) -> pl.Expr:
    # Ties share a rank; one candidate alone ranks 1.0.
    return ((pl.col(column).rank("average") - 1) / (pl.len() - 1).clip(lower_bound=1)).fill_nan(1.0).fill_null(0.0)


def rank_series(tested: pl.DataFrame, daily: pl.DataFrame, *, as_of: date, recent_days: int) -> pl.DataFrame:
    """One triage row per category × district active in the recent window."""
    recent_from = as_of - timedelta(days=recent_days - 1)
    recent_tested = tested.filter(pl.col("day") >= recent_from)
    if recent_tested.is_empty():
        return _empty_triage()
    figures = recent_tested.group_by(SERIES_KEYS).agg(
        pl.col("calls").sum().alias("recent_calls"),
        pl.col("expected").fill_null(0).sum().alias("expected_calls"),
        pl.col("p_value").min().alias("min_p_value"),
        pl.col("spike").any().alias("spiking"),
    )
    extra = daily.filter(pl.col("day") >= recent_from).group_by(SERIES_KEYS).agg(
        pl.col("callers").sum().alias("reach"),
        ((pl.col("complaints").sum() + pl.col("negative").sum() + 3 * pl.col("alerted").sum()) / pl.col("calls").sum()).alias("concern"),
    )
    out = figures.join(extra, on=SERIES_KEYS, how="inner").filter(pl.col("recent_calls") > 0)
    surprise = (-pl.col("min_p_value").fill_null(1.0).clip(lower_bound=1e-300).log10()).clip(upper_bound=30) / 30
    return out.with_columns(
        pl.lit("series").alias("kind"),
        (pl.col("category") + " · " + pl.col("district")).alias("hotspot"),
        ((pl.col("recent_calls") + 1) / (pl.col("expected_calls") + 1)).alias("growth"),
        (pl.col("concern") + surprise).alias("urgency"),
        pl.lit(None, pl.List(pl.String)).alias("representative"),
    )


def rank_topics(topics: pl.DataFrame, assigned: pl.DataFrame, *, as_of: date, recent_days: int) -> pl.DataFrame:
    if topics.is_empty():
        return _empty_triage()
    recent_from = as_of - timedelta(days=recent_days - 1)
    concern = assigned.filter(pl.col("day") >= recent_from).group_by("topic").agg(
        ((pl.col("complaint").fill_null(False).sum() + pl.col("negative").fill_null(False).sum()) / pl.len()).alias("concern"),
        pl.col("call_id").n_unique().alias("reach"),
    )
    out = topics.filter(pl.col("recent") > 0).join(concern, on="topic", how="left")
    return out.with_columns(
        pl.lit("topic").alias("kind"),
        pl.when(pl.col("label") != "").then(pl.col("label")).otherwise(pl.col("representative").list.first()).alias("hotspot"),
        pl.lit(None, pl.String).alias("category"),
        pl.lit(None, pl.String).alias("district"),
        pl.col("recent").alias("recent_calls"),
        pl.lit(None, pl.Float64).alias("min_p_value"),
        pl.lit(False).alias("spiking"),
        pl.col("concern").fill_null(0.0).alias("urgency"),
        pl.col("reach").fill_null(0),
    )


_TRIAGE_COLUMNS = ["kind", "hotspot", "category", "district", "recent_calls", "reach", "growth", "urgency", "min_p_value", "spiking", "representative"]


def _empty_triage() -> pl.DataFrame:
    return pl.DataFrame(schema={
        "kind": pl.String, "hotspot": pl.String, "category": pl.String, "district": pl.String, "recent_calls": pl.Int64,
        "reach": pl.Int64, "growth": pl.Float64, "urgency": pl.Float64, "min_p_value": pl.Float64, "spiking": pl.Boolean,
        "representative": pl.List(pl.String),
    })


def triage(candidates: list[pl.DataFrame]) -> pl.DataFrame:
    """Rank candidates by the mean percentile of urgency, reach and growth (highest first)."""
    frames = [c.select(_TRIAGE_COLUMNS).cast({"recent_calls": pl.Int64, "reach": pl.Int64}) for c in candidates if not c.is_empty()]
    if not frames:
        return _empty_triage().with_columns(pl.lit(None, pl.Float64).alias("triage_score"), pl.lit(None, pl.Int64).alias("rank"))
    pool = pl.concat(frames, how="vertical_relaxed")
    scored = pool.with_columns(((_pct_rank("urgency") + _pct_rank("reach") + _pct_rank("growth")) / 3).alias("triage_score"))
    # The hotspot's name breaks ties: group_by's row order varies from run to run.
    return scored.sort(["triage_score", "recent_calls", "hotspot"], descending=[True, True, False], nulls_last=True).with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))


Scope = tuple[str | None, str | None]


def mine_hotspots(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    lookback_days: int = 90,
    recent_days: int = 7,
    test: SpikeTest = SpikeTest(),
    topic_method: Method = "tfidf",
    max_texts: int = 5000,
    scope: Scope = (None, None),
) -> Hotspots:
    """Everything the hotspot page shows, from a snapshot connection, as of the end of ``as_of``,
    for one scope (centre, team; None = unrestricted) bound as the dashboard binds a user's."""
    since = as_of - timedelta(days=lookback_days - 1)
    repeat_window = _repeat_window(as_of, recent_days)
    bound = {"scope_centre": scope[0], "scope_team": scope[1]}
    return derive_hotspots(
        daily=query_frame(con, "access_hotspot_daily_counts", date_from=since, date_to=as_of, **bound),
        texts=query_frame(con, "access_hotspot_texts", date_from=since, date_to=as_of, limit=max_texts, **bound),
        # The scoped variants: they carry the hash keys the page drills down by.
        callers=query_frame(con, "access_hotspot_repeat_callers", **repeat_window, **bound),
        places=query_frame(con, "access_hotspot_repeat_addresses", **repeat_window, **bound),
        as_of=as_of, recent_days=recent_days, test=test, topic_method=topic_method, scope=scope,
    )


def mine_all_scopes(
    con: duckdb.DuckDBPyConnection,
    scopes: list[Scope],
    *,
    as_of: date,
    lookback_days: int = 90,
    recent_days: int = 7,
    test: SpikeTest = SpikeTest(),
    topic_method: Method = "tfidf",
    max_texts: int = 5000,
) -> dict[Scope, Hotspots]:
    """``mine_hotspots`` for every scope, reading the warehouse once per frame instead of once
    per scope and frame: each ``hotspot_scoped_*`` query returns every scope's rows at once
    (the same rows, columns and order the scoped query returns for that scope), and each
    scope's frames are cut from them here. The hourly job's cost then hardly grows with the
    number of centres and teams."""
    since = as_of - timedelta(days=lookback_days - 1)
    repeat_window = _repeat_window(as_of, recent_days)
    daily = internal_frame(con, "hotspot_scoped_daily_counts", date_from=since, date_to=as_of)
    texts = internal_frame(con, "hotspot_scoped_texts", date_from=since, date_to=as_of, limit=max_texts)
    callers = internal_frame(con, "hotspot_scoped_repeat_callers", **repeat_window)
    places = internal_frame(con, "hotspot_scoped_repeat_addresses", **repeat_window)
    found = {}
    for scope in scopes:
        found[scope] = derive_hotspots(
            daily=_rows_of(daily, scope),
            texts=_texts_of(texts, scope, max_texts),
            callers=_rows_of(callers, scope),
            places=_rows_of(places, scope),
            as_of=as_of, recent_days=recent_days, test=test, topic_method=topic_method, scope=scope,
        )
    return found


def _rows_of(frame: pl.DataFrame, scope: Scope) -> pl.DataFrame:
    """One scope's rows of a ``hotspot_scoped_*`` frame (already in the scoped query's order)."""
    centre, team = scope
    match = (pl.col("scope_centre").is_null() if centre is None else pl.col("scope_centre") == centre) & (
        pl.col("scope_team").is_null() if team is None else pl.col("scope_team") == team
    )
    return frame.filter(match).drop("scope_centre", "scope_team")


def _texts_of(frame: pl.DataFrame, scope: Scope, limit: int) -> pl.DataFrame:
    """A scope's ``limit`` most recent texts, as access_hotspot_texts picks them for the scope."""
    centre, team = scope
    if centre is not None:
        frame = frame.filter(pl.col("centre_id") == centre)
    if team is not None:
        frame = frame.filter(pl.col("team_id") == team)
    picked = frame.sort(["started_at", "call_id"], descending=[True, False]).head(limit)
    return picked.drop("centre_id", "team_id", "started_at")


def _repeat_window(as_of: date, recent_days: int) -> dict[str, date]:
    # Repeats are counted over 30 days: the recent window and the 23 days before it.
    recent_from = as_of - timedelta(days=recent_days - 1)
    return {"date_from": recent_from - timedelta(days=23), "date_to": as_of}


def derive_hotspots(
    *,
    daily: pl.DataFrame,
    texts: pl.DataFrame,
    callers: pl.DataFrame,
    places: pl.DataFrame,
    as_of: date,
    recent_days: int,
    test: SpikeTest,
    topic_method: Method,
    scope: Scope,
) -> Hotspots:
    """Spike tests, topics and the triage rank from one scope's fetched frames."""
    tested = score_series(daily, SERIES_KEYS, test) if not daily.is_empty() else daily
    spikes = tested.filter(pl.col("spike")).sort("p_value") if not tested.is_empty() else tested
    topics, assigned = find_topics(texts, as_of=as_of, recent_days=recent_days, method=topic_method)
    candidates = []
    if not tested.is_empty():
        candidates.append(rank_series(tested, daily, as_of=as_of, recent_days=recent_days))
    candidates.append(rank_topics(topics, assigned, as_of=as_of, recent_days=recent_days))
    ranked = triage(candidates)
    log.info("hotspots as of %s, scope %s: %d series-days, %d spikes, %d topics", as_of, scope, tested.height, spikes.height, topics.height)
    return Hotspots(as_of, tested, spikes, topics, callers, places, ranked, assigned.select("call_id", "topic").filter(pl.col("topic").is_not_null()))


def describe_p(p: float | None) -> str:
    """A p-value as policy staff read it: "1 in N by chance"."""
    if p is None or math.isnan(p):
        return "—"
    return "几乎不可能是偶然" if p < 1e-12 else f"偶然出现的概率约 1/{int(round(1 / max(p, 1e-300))):,}"
