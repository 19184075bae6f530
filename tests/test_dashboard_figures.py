"""Figures are pure functions of query frames: checked here without a browser, on real query output."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from hotline.dashboards import figures
from hotline.dashboards.labels import format_clock, format_share
from hotline.settings import WarehouseSettings
from hotline.warehouse.reader import run_query
from hotline.warehouse.store import seed_warehouse
from test_warehouse_messages import make_day

# As the pages run them for an administrator: the scope bound, unrestricted.
ADMIN = {"scope_centre": None, "scope_team": None}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> WarehouseSettings:
    root = tmp_path_factory.mktemp("wh")
    cfg = WarehouseSettings(database=root / "hotline.duckdb", snapshot=root / "snapshot.duckdb")
    seed_warehouse(cfg, make_day(n_calls=4))
    return cfg


def test_calls_per_day_plots_landed_and_inspected(warehouse):
    fig = figures.calls_per_day(run_query(warehouse, "access_daily", **ADMIN))
    assert isinstance(fig, go.Figure)
    assert [t.name for t in fig.data] == ["入库通话", "已质检"]
    assert list(fig.data[0].y) == [2, 2]
    assert fig.layout.title.text == "每日通话量" and fig.layout.xaxis.title.text == "日期"


def test_score_per_day_has_score_and_defect_share(warehouse):
    fig = figures.score_per_day(run_query(warehouse, "access_daily", **ADMIN))
    score, share = fig.data
    assert score.name == "平均得分" and list(score.y) == [80.0, 70.0]  # day 1: 90, 70; day 2: 80, 60
    assert share.name == "缺陷通话占比 (%)" and list(share.y) == [0.0, 50.0]


def test_categories_and_defects_are_horizontal_bars(warehouse):
    cats = figures.categories_bar(run_query(warehouse, "access_categories", **ADMIN))
    assert cats.data[0].orientation == "h" and list(cats.data[0].y) == ["市政设施"] and list(cats.data[0].x) == [4]
    defects = figures.defects_by_item(run_query(warehouse, "access_defects", **ADMIN))
    assert list(defects.data[0].y) == ["标准开场白"] and list(defects.data[0].x) == [1]


def test_alerts_by_kind_uses_chinese_names(warehouse):
    fig = figures.alerts_by_kind(run_query(warehouse, "access_alerts", **ADMIN))
    assert list(fig.data[0].x) == ["媒体曝光"] and list(fig.data[0].y) == [1]


@pytest.mark.parametrize("build", [figures.calls_per_day, figures.score_per_day, figures.categories_bar, figures.defects_by_item, figures.alerts_by_kind])
def test_empty_frames_give_an_empty_figure_with_a_note(warehouse, build):
    query = {
        figures.calls_per_day: "access_daily",
        figures.score_per_day: "access_daily",
        figures.categories_bar: "access_categories",
        figures.defects_by_item: "access_defects",
        figures.alerts_by_kind: "access_alerts",
    }[build]
    empty = run_query(warehouse, query, **ADMIN).clear()
    fig = build(empty)
    assert not fig.data
    assert fig.layout.annotations[0].text == "暂无数据"


def test_display_formats():
    assert format_clock(4.4) == "00:04" and format_clock(3725) == "1:02:05" and format_clock(None) == "—"
    assert format_share(1 / 3) == "33.3%" and format_share(None) == "—"
