"""Hotspots: the spike test's arithmetic and error rates, topics, and mining a real warehouse."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta, timezone

import numpy as np
import polars as pl
import pytest

from hotline.contracts import WorkOrderEvent
from hotline.settings import WarehouseSettings
from hotline.warehouse.hotspots import mine_hotspots
from hotline.warehouse.reader import open_snapshot
from hotline.warehouse.spikes import SpikeTest, flag_spikes, score_series, upper_tail_p
from hotline.warehouse.store import seed_warehouse
from hotline.warehouse.topics import find_topics, spherical_kmeans, tfidf_vectors
from test_warehouse_messages import make_inspection, make_meta

START = date(2025, 1, 1)


def test_tail_probabilities_match_direct_sums():
    poisson = 1 - sum(math.exp(-2.0) * 2.0**k / math.factorial(k) for k in range(7))
    assert upper_tail_p(7, 2.0, 2.0) == pytest.approx(poisson, rel=1e-9)
    r, mean = 1.5, 4.0
    q = mean / (r + mean)
    pmf = [math.exp(math.lgamma(k + r) - math.lgamma(r) - math.lgamma(k + 1) + r * math.log(1 - q) + k * math.log(q)) for k in range(12)]
    assert upper_tail_p(12, mean, mean + mean**2 / r) == pytest.approx(1 - sum(pmf), rel=1e-9)
    assert upper_tail_p(0, 3.0, 3.0) == 1.0
    assert 0 < upper_tail_p(500, 10.0, 10.0) < 1e-300 or upper_tail_p(500, 10.0, 10.0) == 0.0


def _poisson_series(rng, n_series: int, days: int, lam: float) -> pl.DataFrame:
    rows = [
        {"category": f"c{s}", "district": "d", "day": START + timedelta(days=d), "calls": int(rng.poisson(lam))}
        for s in range(n_series) for d in range(days)
    ]
    return pl.DataFrame(rows)


def test_quiet_series_rarely_spike_and_planted_surges_do():
    rng = np.random.default_rng(7)
    daily = _poisson_series(rng, 150, 98, 4.0)
    # Plant: series c3 triples on day 70; series c9 doubles plus on day 80.
    plant = {("c3", START + timedelta(days=70)): 14, ("c9", START + timedelta(days=80)): 13}
    daily = daily.with_columns(
        pl.struct("category", "day").map_elements(lambda s: plant.get((s["category"], s["day"]), 0), return_dtype=pl.Int64).alias("extra")
    ).with_columns((pl.col("calls") + pl.col("extra")).alias("calls")).drop("extra")
    spikes = flag_spikes(daily, ["category", "district"])
    found = set(zip(spikes["category"], spikes["day"]))
    assert set(plant) <= found
    false = len(found - set(plant))
    tested_weeks = 150 * (98 - SpikeTest().min_history_days - SpikeTest().guard_days) / 7
    assert false / tested_weeks * 100 <= 1.0
    planted = spikes.filter(pl.col("category") == "c3").row(0, named=True)
    assert planted["p_value"] < 1e-4 and planted["expected"] == pytest.approx(4.0, abs=1.5) and planted["test"].startswith("negative-binomial")


def test_the_threshold_follows_each_series_own_baseline():
    days = [START + timedelta(days=d) for d in range(40)]
    quiet = [0] * 39 + [7]
    busy = [60 + (d % 5) - 2 for d in range(39)] + [75]
    daily = pl.DataFrame({"category": ["quiet"] * 40 + ["busy"] * 40, "district": ["d"] * 80, "day": days * 2, "calls": quiet + busy})
    tested = score_series(daily, ["category", "district"])
    last = tested.filter(pl.col("day") == days[-1]).sort("category")
    assert last["category"].to_list() == ["busy", "quiet"]
    assert last["spike"].to_list() == [False, True]  # 7 calls spike where 0 is normal; 75 where ~60 is normal does not
    assert last["p_value"][0] > 1e-4 and last["p_value"][1] < 1e-4
    first_tested = SpikeTest().min_history_days + SpikeTest().guard_days
    assert tested.filter(pl.col("day") < days[first_tested])["p_value"].null_count() == 2 * first_tested  # no verdict without history


TEXTS = {
    "noise": ["楼下工地半夜施工打桩噪音太大", "工地夜间施工噪音扰民睡不着", "晚上十一点工地还在打桩施工噪音", "附近工地施工噪音严重影响休息"],
    "water": ["小区突然停水没有通知", "我们这里停水两天了还没来水", "停水了什么时候恢复供水", "整栋楼停水影响做饭"],
    "parking": ["小区停车费上涨太多物业乱收费", "物业停车费一下子涨了一倍", "停车费涨价物业没有公示", "物业乱收停车费要求退还"],
}


def test_topics_group_similar_texts_and_show_representatives():
    rows = []
    for topic, texts in TEXTS.items():
        for i, text in enumerate(texts * 2):
            # Parking complaints are new: all in the last week.
            day = date(2025, 3, 28) - timedelta(days=i if topic == "parking" else 8 + i * 3)
            rows.append({"call_id": f"{topic}-{i}", "day": day, "text": text, "complaint": True, "negative": False})
    frame = pl.DataFrame(rows)
    topics, assigned = find_topics(frame, as_of=date(2025, 3, 28), k=3)
    assert topics.height == 3
    groups = assigned.group_by("topic").agg(pl.col("call_id").str.split("-").list.first().unique().alias("kinds"))
    assert all(len(k) == 1 for k in groups["kinds"].to_list())  # each cluster is one kind of demand
    newest = topics.sort("growth", descending=True).row(0, named=True)
    assert all(t in TEXTS["parking"] for t in newest["representative"])
    assert "停车" in newest["label"] or "车费" in newest["label"]
    vectors, _ = tfidf_vectors(frame["text"].to_list())
    assert np.array_equal(spherical_kmeans(vectors, 3)[0], spherical_kmeans(vectors, 3)[0])  # seeded: repeatable


def _call_with_order(i: int, day: date, category: str, district: str, caller: str, address: str) -> list:
    at = datetime.combine(day, time(10, 0), tzinfo=timezone.utc) + timedelta(minutes=i % 300)
    meta = make_meta(f"call-{i:05d}", started_at=at, caller=caller)
    event = WorkOrderEvent(
        event_id=f"wo-{i:05d}-1", work_order_id=f"wo-{i:05d}", call_id=meta.call_id, kind="created", category=category,
        recorded_type="投诉", district=district, address=address, occurred_at=at + timedelta(minutes=5),
    )
    return [make_inspection(meta), event]


def test_mining_a_warehouse_finds_the_planted_surge_repeaters_and_ranks_it_first(tmp_path):
    cfg = WarehouseSettings(database=tmp_path / "wh.duckdb", snapshot=tmp_path / "snap.duckdb")
    rng = np.random.default_rng(3)
    as_of = START + timedelta(days=59)
    messages, i = [], 0
    series = [("城乡建设/噪音扰民", "江北区"), ("公用事业/供水", "江南区"), ("物业管理/物业服务", "高新区"), ("交通运输/公共交通", "滨海新区")]
    for d in range(60):
        day = START + timedelta(days=d)
        for category, district in series:
            n = int(rng.poisson(2.0))
            if category == "公用事业/供水" and d >= 58:
                n += 15  # a burst main: many different households at once
            for _ in range(n):
                messages += _call_with_order(i, day, category, district, f"139{i:08d}", f"{district}某路{i}号")
                i += 1
    for k in range(4):  # one number calling again and again
        messages += _call_with_order(i, as_of - timedelta(days=k), "城乡建设/噪音扰民", "江北区", "13700001111", "江北区临江路八十八号")
        i += 1
    for k in range(3):  # three households reporting the same place
        messages += _call_with_order(i, as_of - timedelta(days=k), "城乡建设/噪音扰民", "江北区", f"13600000{k:03d}", "江北区 临江路 一百号")
        i += 1
    seed_warehouse(cfg, messages)
    con = open_snapshot(cfg)
    try:
        found = mine_hotspots(con, as_of=as_of, recent_days=7)
    finally:
        con.close()
    water = found.spikes.filter(pl.col("category") == "公用事业/供水")
    assert set(water["day"]) == {as_of - timedelta(days=1), as_of}
    assert found.spikes.height - water.height <= 1
    assert water["p_value"].max() < 1e-4 and water["ratio"].min() > 4
    assert found.repeat_callers.row(0, named=True)["caller_masked"] == "137****1111"
    assert found.repeat_callers.row(0, named=True)["calls"] == 4
    assert found.repeat_addresses.row(0, named=True)["callers"] == 3  # spaces ignored when comparing places
    top = found.triage.row(0, named=True)
    assert (top["kind"], top["category"], top["district"], top["spiking"]) == ("series", "公用事业/供水", "江南区", True)
    assert set(found.frames()) == {"series", "spikes", "topics", "repeat_callers", "repeat_addresses", "triage", "assignments"}
    # The calls behind each topic, for the page's drill-down: as many as the topic's size.
    sizes = dict(found.assignments.group_by("topic").len().iter_rows())
    assert sizes == dict(found.topics.select("topic", "size").iter_rows())
