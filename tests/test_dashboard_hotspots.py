"""The hotspot page (AppTest, real warehouse snapshot, real users) reading what the hourly job
materialised: heat map, a planted spike found by the test with its p-value, topics with example
demands, repeat places and callers, the calls behind a number, scope per role and masking for
policy analysts; a clear message before the job first ran."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.contracts import LlmJudgement, WorkOrderEvent
from hotline.settings import Settings
from hotline.warehouse.jobs import JobsPolicy, refresh_hotspots
from hotline.warehouse.store import seed_warehouse
from test_dashboard_pages import all_text, metrics, run_app, warehouse  # noqa: F401
from test_warehouse_messages import DAY1, make_inspection, make_meta, make_transcript

PAGE = "views/hotspots.py"
DAYS = 35
LAST_DAY = DAY1 + timedelta(days=DAYS - 1)
WATER, NOISE = "公用事业/供水", "城乡建设/噪音扰民"
REPEAT_CALLER = "13700000001"
# Three ways water trouble is told (one wording for all would be over half the texts: every
# bigram too common to weigh in TF-IDF).
WATER_DEMANDS = ("小区停水三天没有恢复供水，电话13912345678", "楼里水压太低用不了热水器，电话13912345678", "自来水发黄有异味不敢喝，电话13912345678")


def _call(call_id, day, *, team, category, district, caller, address, summary, story):
    """One call with its inspection, judged demand and work-order history; returns its messages."""
    meta = make_meta(call_id, started_at=day, team=team, agent="agent-1" if team == "team-a" else "agent-3", caller=caller)
    demand = LlmJudgement(name="demand_summary", status="judged", reason="judged", value={"summary": summary, "category": category, "district": district}, model="m")
    inspected = make_inspection(meta, category=category)
    judged = (demand,)
    if story == "bounced":  # the noise callers are angry (the drill-down shows the judged label)
        judged += (LlmJudgement(name="caller_sentiment", status="judged", reason="judged", value={"label": "angry", "quote": "吵得睡不着"}, model="m"),)
    inspected = inspected.model_copy(update={"llm": judged})
    wo = f"WO-{call_id}"
    t0 = day + timedelta(minutes=10)

    def ev(n, kind, at, **kw):
        return WorkOrderEvent(event_id=f"{wo}-{n}", work_order_id=wo, call_id=call_id, kind=kind, occurred_at=at, **kw)

    events = [ev(0, "created", t0, category=category, recorded_type="投诉", district=district, address=address)]
    if story == "straight":
        events += [ev(1, "dispatched", t0 + timedelta(hours=1), department="江州水务集团"),
                   ev(2, "closed", t0 + timedelta(hours=30)), ev(3, "callback", t0 + timedelta(hours=31), satisfaction="satisfied")]
    else:  # bounced: returned (退单) by the wrong bureau, transferred on, closed past its five-day SLA
        events += [ev(1, "dispatched", t0 + timedelta(hours=1), department="江南区城市管理局"),
                   ev(2, "returned", t0 + timedelta(hours=8), department="江南区城市管理局", note="非本单位职责"),
                   ev(3, "dispatched", t0 + timedelta(hours=9), department="江北区城市管理局"),
                   ev(4, "transferred", t0 + timedelta(hours=20), department="江南区城市管理局", from_department="江北区城市管理局"),
                   ev(5, "closed", t0 + timedelta(hours=200)), ev(6, "callback", t0 + timedelta(hours=201), satisfaction="dissatisfied")]
    return [make_transcript(meta), inspected, *events]


def analytics_messages() -> list:
    """Five weeks: team-a's water cuts in 江北区 (2 a day, then 14 on the last day: a spike) go
    straight to the water company; team-b's noise in 江南区 (1 a day) bounces between bureaus.
    Several callers report 幸福路十八号 in the last week; one number calls about noise three times."""
    msgs: list = []
    for d in range(DAYS):
        day = DAY1 + timedelta(days=d)
        water_calls = 2 + (12 if d == DAYS - 1 else 0)
        for k in range(water_calls):
            address = "江北区幸福路十八号" if d >= DAYS - 5 else f"江北区建设路{d}号"
            msgs += _call(f"w-{d:02d}-{k:02d}", day + timedelta(minutes=k), team="team-a", category=WATER, district="江北区",
                          caller=f"1390000{d:02d}{k:02d}", address=address,
                          summary=WATER_DEMANDS[k % 3], story="straight")
        caller = REPEAT_CALLER if d >= DAYS - 3 else f"1370000{d:04d}"
        msgs += _call(f"n-{d:02d}", day + timedelta(hours=2), team="team-b", category=NOISE, district="江南区", caller=caller,
                      address=f"江南区工地{d}号", summary="夜间施工噪音扰民影响休息", story="bounced")
    return msgs


@pytest.fixture
def analytics(warehouse, tmp_path, monkeypatch):  # noqa: F811
    seed_warehouse(warehouse, analytics_messages())
    monkeypatch.setenv("HOTLINE_PATHS__DATA_DIR", str(tmp_path / "data"))
    # What `hotline jobs` does every hour: the page only reads its output.
    refresh_hotspots(Settings(paths={"data_dir": tmp_path / "data"}, warehouse=warehouse), JobsPolicy(), as_of=LAST_DAY.date())
    return tmp_path / "access.sqlite3"


def test_before_the_job_first_ran_the_page_says_so(warehouse, tmp_path, monkeypatch):  # noqa: F811
    seed_warehouse(warehouse, analytics_messages()[:30])
    monkeypatch.setenv("HOTLINE_PATHS__DATA_DIR", str(tmp_path / "data"))
    at = run_app(PAGE, as_user="supervisor")
    assert "hotline jobs" in all_text(at) and not at.dataframe


def table(at, column):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_the_planted_spike_is_flagged_with_its_p_value(analytics):
    at = run_app(PAGE, as_user="supervisor")
    assert metrics(at)["异常峰值"] == "1"
    spikes = table(at, "解读")
    row = spikes.iloc[0]
    assert (row["分类"], row["区域"], row["通话"], str(row["日期"])[:10]) == (WATER, "江北区", 14, str(LAST_DAY.date()))
    assert row["p 值"] < 1e-4 and row["解读"].startswith(("偶然出现的概率约 1/", "几乎不可能"))
    assert row["下钻"].startswith("hotspots?category=")
    assert len(at.get("plotly_chart")) == 2  # heat map, series
    ranked = table(at, "优先级")
    assert ranked.iloc[0]["异常峰值"]  # the spiking series ranks first


def test_drill_down_to_a_cell_shows_its_series_and_the_calls_behind(analytics):
    at = run_app(PAGE, as_user="supervisor", category=WATER, district="江北区")
    assert at.selectbox(key="h_category").value == WATER
    text = all_text(at)
    assert f"🔺 **{LAST_DAY.date()}**：14 通" in text and "p = " in text
    behind = table(at, "诉求")
    assert len(behind) == 2 * 6 + 14  # the last seven days of the cell
    assert set(behind["区域"]) == {"江北区"} and behind["通话"].str.startswith("call?call_id=w-").all()


def test_topics_repeat_places_and_callers_drill_down_to_calls(analytics):
    at = run_app(PAGE, as_user="supervisor")
    topics = table(at, "示例诉求")
    assert any("停水" in t or "水压" in t or "发黄" in t for t in topics["示例诉求"]) and any("噪音" in t for t in topics["示例诉求"])
    places = table(at, "来电人数")
    assert places.iloc[0]["地点"] == "江北区幸福路十八号" and places.iloc[0]["来电人数"] >= 10
    callers = table(at, "天数")
    assert list(callers["号码"]) == ["137****0001"] and callers.iloc[0]["通话"] == 3
    assert "来电：137****0001（3 通）" in at.selectbox(key="h_source").options
    at.selectbox(key="h_source").set_value("caller:0").run()
    behind = table(at, "诉求")
    assert sorted(behind["通话"]) == [f"call?call_id=n-{d}" for d in (32, 33, 34)]
    at.selectbox(key="h_source").set_value("place:0").run()
    assert len(table(at, "诉求")) >= 10 and set(table(at, "诉求")["地点"]) == {"江北区幸福路十八号"}


def test_a_team_lead_sees_only_their_teams_demands(analytics):
    at = run_app(PAGE, as_user="teamlead")
    assert at.selectbox(key="h_category").options == ["全部", WATER]
    assert metrics(at)["重复来电号码"] == "0"  # the repeat caller called team-b
    assert not any("诉求" in df.value.columns for df in at.dataframe)  # the live query runs when asked
    at.selectbox(key="h_source").set_value("cell").run()
    behind = table(at, "诉求")
    assert behind["通话"].str.startswith("call?call_id=w-").all()


def test_an_analyst_sees_demands_and_places_with_personal_data_masked(analytics):
    at = run_app(PAGE, as_user="analyst")
    at.selectbox(key="h_source").set_value("cell").run()
    behind = table(at, "诉求")
    assert not behind["诉求"].str.contains("13912345678").any() and behind["诉求"].str.contains("电话[号码]", regex=False).any()
    places = table(at, "来电人数")
    assert places.iloc[0]["地点"] == "江北区幸福路[门牌]"
    callers = table(at, "天数")
    assert list(callers["号码"]) == ["[号码]"]
    assert metrics(at)["异常峰值"] == "1"  # the aggregates are the same as the supervisor's


def test_the_calls_behind_a_number_match_call_facts_within_the_scope(analytics, warehouse):  # noqa: F811
    """access_hotspot_calls builds the matter from base tables for the picked calls only (fast at
    10 M calls); what it returns must be exactly call_facts' rows for the same filters and scope."""
    import polars as pl

    from hotline.warehouse.reader import open_snapshot, query_frame

    week = {"date_from": (LAST_DAY - timedelta(days=6)).date(), "date_to": LAST_DAY.date()}
    month = {"date_from": (LAST_DAY - timedelta(days=29)).date(), "date_to": LAST_DAY.date()}
    con = open_snapshot(warehouse)
    try:
        # The reference: the wide view, read whole, filtered here (reads every row: tests only).
        facts = con.sql("SELECT * FROM call_facts").pl().with_columns(
            pl.col("category").fill_null("未分类"), pl.col("district").fill_null("未知区域"),
        )
        callers = query_frame(con, "access_hotspot_repeat_callers", **month, scope_centre="centre-01")
        places = query_frame(con, "access_hotspot_repeat_addresses", **month, scope_centre="centre-01")
        address_of = {k: a for k, a in zip(places["address_key"], places["address"])}
        shapes = [
            ("window", week, pl.lit(True)),
            ("cell", week | {"category": WATER, "district": "江北区"}, (pl.col("category") == WATER) & (pl.col("district") == "江北区")),
            ("caller", month | {"caller_key": callers["caller_key"][0]}, pl.col("caller_number") == REPEAT_CALLER),
            ("place", month | {"address_key": places["address_key"][0]}, pl.col("address") == address_of[places["address_key"][0]]),
            ("topic", month | {"call_ids": ["w-34-00", "n-33", "w-30-01", "nope"]}, pl.col("call_id").is_in(["w-34-00", "n-33", "w-30-01"])),
        ]
        checked = judged_angry = 0
        for scope_team in (None, "team-a", "team-b"):
            for shape, params, keep in shapes:
                got = query_frame(con, "access_hotspot_calls", scope_centre="centre-01", scope_team=scope_team, limit=1000, **params)
                in_window = (pl.col("started_at").dt.date() >= params["date_from"]) & (pl.col("started_at").dt.date() <= params["date_to"])
                in_scope = pl.lit(True) if scope_team is None else pl.col("team_id") == scope_team
                want = facts.filter(in_window & in_scope & keep).sort(["started_at", "call_id"], descending=[True, False]).select(got.columns)
                assert got.equals(want), (shape, scope_team)
                checked += got.height
                judged_angry += got.filter(pl.col("caller_sentiment") == "angry").height
                # Nobody outside the scope's team ever shows up.
                assert scope_team is None or set(got["team_id"]) <= {scope_team}
    finally:
        con.close()
    assert checked > 50 and judged_angry > 0
