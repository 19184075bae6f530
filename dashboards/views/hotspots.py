"""Hotspots (policy staff): category × district heat map, daily series with spikes flagged by a
statistical test against each series' own baseline (p-value shown), emerging topics with example
demands, repeat addresses and callers, and the calls behind any of these numbers.

The figures are mined by the hourly job (``hotline jobs``), once per access scope, and read here
from the published generation (``hotspot_store.read_for_user``: the user's own scope's files,
masked by role), so a page load costs milliseconds, not a mining run; the page shows when they
were computed. An analyst sees demands and places with phone numbers, ID numbers and door numbers
masked, and a repeat caller only as a count. Only the calls behind a number are a live scoped query.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import polars as pl
import streamlit as st

from hotline.dashboards import data, hotspot_figures
from hotline.dashboards.drilldown import pick
from hotline.dashboards.export import export_frame
from hotline.warehouse.hotspot_store import read_for_user
from hotline.warehouse.hotspots import describe_p
from hotline.warehouse.spikes import SpikeTest, score_series

CALL_LINK = {"通话": st.column_config.LinkColumn("通话", display_text=r"call_id=(.*)")}

user = data.current_user()
settings = data.require_settings()
st.title("热点诉求")

# Mined by the hourly job (`hotline jobs`), per scope; this page only reads the result.
stored = read_for_user(settings.jobs.root(settings) / "hotspots", user)
if stored is None:
    st.info("热点分析尚未生成：定时任务（hotline jobs）每小时计算一次，首次运行后此页显示结果。(hotspots not computed yet: start `hotline jobs`)")
    st.stop()
tested, spikes_all, topics, assigned = stored["series"], stored["spikes"], stored["topics"], stored["assignments"]
ranked, places, callers = stored["triage"], stored["repeat_addresses"], stored["repeat_callers"]
m = stored.manifest
as_of, lookback, recent_days = stored.as_of, m["lookback_days"], m["recent_days"]
TEST = SpikeTest(alpha=m["alpha"], baseline_days=m["baseline_days"])
since = as_of - timedelta(days=lookback - 1)
recent_from = as_of - timedelta(days=recent_days - 1)
st.caption(
    f"计算于 {stored.computed_at:%Y-%m-%d %H:%M}（每小时更新），统计截至 {as_of}，回看 {lookback} 天，近期 = 最近 {recent_days} 天。"
    f"检验方法：{m['test']}，显著性 p < {TEST.alpha:g}。"
)
if tested.is_empty() or "expected" not in tested.columns:
    st.info("您的范围内暂无可分析的诉求。")
    st.stop()
daily = tested.select("day", "category", "district", "calls")
recent = daily.filter(pl.col("day") >= recent_from)
spikes = spikes_all.filter(pl.col("day") >= recent_from).sort("p_value")
repeat_window = {"date_from": recent_from - timedelta(days=23), "date_to": as_of}

cols = st.columns(5)
cols[0].metric(f"近 {recent_days} 天诉求", f"{int(recent['calls'].sum()):,}", help="表扬不计入")
cols[1].metric("异常峰值", f"{spikes.height:,}", help="近期窗口内被检验判为异常的 分类×区域×日")
cols[2].metric("话题", f"{topics.height:,}")
cols[3].metric("多人反映的地点", f"{places.height:,}")
cols[4].metric("重复来电号码", f"{callers.height:,}")

st.subheader("优先处理（紧急度、影响面、增长）")
if ranked.is_empty():
    st.caption("近期没有足够的数据排出热点。")
else:
    st.dataframe(
        ranked.head(20).select(
            pl.col("rank").alias("优先级"),
            pl.col("kind").replace_strict({"series": "分类×区域", "topic": "话题"}, default=pl.col("kind")).alias("类型"),
            pl.col("hotspot").alias("热点"),
            pl.col("recent_calls").alias("近期通话"),
            pl.col("reach").alias("涉及人数/通话"),
            pl.col("growth").round(2).alias("增长倍数"),
            pl.col("urgency").round(2).alias("紧急度"),
            pl.col("min_p_value").alias("最小 p 值"),
            pl.col("spiking").alias("异常峰值"),
            pl.col("representative").list.join("；").alias("代表性诉求"),
        ),
        hide_index=True,
        key="triage_table",
    )

left, right = st.columns([3, 2])
left.plotly_chart(hotspot_figures.category_district_heatmap(daily), key="heatmap")
with right:
    st.markdown("**下钻：选择分类与区域**")
    category = pick("分类", "category", sorted(daily["category"].unique().to_list()), key="h_category", page="hotspots")
    districts = daily.filter(pl.col("category") == category) if category else daily
    district = pick("区域", "district", sorted(districts["district"].unique().to_list()), key="h_district", page="hotspots")

chosen = daily
if category:
    chosen = chosen.filter(pl.col("category") == category)
if district:
    chosen = chosen.filter(pl.col("district") == district)
series_name = " · ".join(v for v in (category, district) if v) or "全部诉求"
if category and district:
    series = tested.filter((pl.col("category") == category) & (pl.col("district") == district))
else:
    # A coarser series is tested on its own sums: a spike may only show once districts are added up.
    series = score_series(chosen.group_by("day").agg(pl.col("calls").sum()).with_columns(pl.lit(series_name).alias("series")), ["series"], TEST)
st.plotly_chart(hotspot_figures.series_with_spikes(series, f"每日诉求量：{series_name}"), key="series_chart")
flagged = series.filter(pl.col("spike")).sort("day", descending=True)
for spike in flagged.head(5).iter_rows(named=True):
    st.markdown(
        f"🔺 **{spike['day']}**：{spike['calls']} 通，基线约 {spike['expected']:.1f} 通（{spike['ratio']:.1f} 倍），"
        f"p = {spike['p_value']:.2g} — {describe_p(spike['p_value'])}"
    )

st.subheader(f"近期异常峰值（{spikes.height}）")
if spikes.is_empty():
    st.caption("近期没有被检验判为异常的序列。")
else:
    st.dataframe(
        spikes.select(
            pl.concat_str(
                pl.lit("hotspots?category="), pl.col("category").map_elements(quote, return_dtype=pl.String),
                pl.lit("&district="), pl.col("district").map_elements(quote, return_dtype=pl.String),
            ).alias("下钻"),
            pl.col("day").alias("日期"),
            pl.col("category").alias("分类"),
            pl.col("district").alias("区域"),
            pl.col("calls").alias("通话"),
            pl.col("expected").round(2).alias("基线"),
            pl.col("ratio").round(1).alias("倍数"),
            pl.col("p_value").alias("p 值"),
            pl.col("p_value").map_elements(describe_p, return_dtype=pl.String).alias("解读"),
        ),
        hide_index=True,
        column_config={"下钻": st.column_config.LinkColumn("下钻", display_text="查看")},
        key="spikes_table",
    )

st.subheader("新兴话题")
if topics.is_empty():
    st.caption("诉求文本太少，暂不能聚类。")
else:
    st.dataframe(
        topics.head(20).select(
            pl.col("topic").alias("话题"),
            pl.col("label").alias("关键词"),
            pl.col("representative").list.join("；").alias("示例诉求"),
            pl.col("size").alias("通话"),
            pl.col("recent").alias("近期"),
            pl.col("growth").round(2).alias("增长倍数"),
        ),
        hide_index=True,
        key="topics_table",
    )

left, right = st.columns(2)
with left:
    st.subheader("多人反映的地点")
    if places.is_empty():
        st.caption("没有被多位来电人反映的地点。")
    else:
        st.dataframe(
            places.select(
                pl.col("address").alias("地点"), pl.col("district").alias("区域"), pl.col("callers").alias("来电人数"),
                pl.col("calls").alias("通话"), pl.col("categories").list.join("、").alias("分类"), pl.col("last_call_at").alias("最近来电"),
            ),
            hide_index=True,
            key="places_table",
        )
with right:
    st.subheader("重复来电")
    if callers.is_empty():
        st.caption("没有重复来电的号码。")
    else:
        st.dataframe(
            callers.select(
                pl.col("caller_masked").alias("号码"), pl.col("calls").alias("通话"), pl.col("days").alias("天数"),
                pl.col("categories").list.join("、").alias("分类"), pl.col("districts").list.join("、").alias("区域"),
                pl.col("last_call_at").alias("最近来电"),
            ),
            hide_index=True,
            key="callers_table",
        )

st.subheader("数字背后的通话")
# The calls behind a number are the one live query here (seconds at a million calls): it runs
# when someone asks, i.e. picks a number or arrives drilled down to a category or district.
sources = {"none": "—（选择一个数字）"} if not (category or district) else {}
sources |= {"cell": f"所选分类与区域（{series_name}，近 {recent_days} 天）"}
sources |= {f"topic:{t}": f"话题 {t}：{lbl or rep[0]}" for t, lbl, rep in topics.select("topic", "label", "representative").head(20).iter_rows()}
# Rows by position, not by their keys: the choice stays readable ("caller:0") in the session.
sources |= {f"place:{n}": f"地点：{a}（{c} 人）" for n, (a, c) in enumerate(places.select("address", "callers").iter_rows())}
sources |= {f"caller:{n}": f"来电：{m}（{c} 通）" for n, (m, c) in enumerate(callers.select("caller_masked", "calls").iter_rows())}
source = st.selectbox("查看哪一个数字背后的通话", list(sources), format_func=sources.get, key="h_source")
kind, _, value = source.partition(":")
if kind == "none":
    st.caption("选择上面的一个数字，查看它背后的通话。")
    st.stop()
if kind == "topic":
    ids = assigned.filter(pl.col("topic") == int(value))["call_id"].to_list()
    behind = data.load_scoped("access_hotspot_calls", call_ids=ids, date_from=since, date_to=as_of)
elif kind == "place":
    behind = data.load_scoped("access_hotspot_calls", address_key=places["address_key"][int(value)], **repeat_window)
elif kind == "caller":
    behind = data.load_scoped("access_hotspot_calls", caller_key=callers["caller_key"][int(value)], **repeat_window)
else:
    behind = data.load_scoped("access_hotspot_calls", category=category, district=district, date_from=recent_from, date_to=as_of)
st.caption(f"{behind.height} 通（最多显示 200 通）。")
shown = behind.select(
    pl.concat_str(pl.lit("call?call_id="), pl.col("call_id")).alias("通话"),
    pl.col("started_at").alias("开始时间"),
    pl.col("category").alias("分类"),
    pl.col("district").alias("区域"),
    pl.col("demand_summary").alias("诉求"),
    pl.col("address").alias("地点"),
    pl.col("recorded_type").alias("工单类型"),
    pl.col("caller_sentiment").alias("情绪"),
    pl.col("team_id").alias("班组"),
)
st.dataframe(shown, hide_index=True, column_config=CALL_LINK, key="calls_behind")
export_frame(shown.with_columns(pl.col("通话").str.replace("call?call_id=", "", literal=True)), name="hotspot_calls", key="export_hotspot_calls", source=source)
