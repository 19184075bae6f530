"""Agent and team reports (team leads): centre → team → agent → call, each level with its figures.

Every number comes from a scoped query: a team lead's "centre" is their own team, and another
team's id in the address bar is refused. The printable report is built from the same frames and
charts, and is in the audit log before it is offered.
"""

from __future__ import annotations

from urllib.parse import quote

import polars as pl
import streamlit as st

from hotline.dashboards import auth, data, report_figures
from hotline.dashboards.drilldown import pick
from hotline.dashboards.filters import date_range
from hotline.dashboards.page_roles import REPORT_ROLES
from hotline.dashboards.labels import EMPTY_WAREHOUSE, format_score, format_share, review_advice
from hotline.dashboards.printable import report_html
from hotline.dashboards.plain import markdown_text as t
from hotline.warehouse.access import can
from hotline.warehouse.reports import ReportFigures

user = data.current_user()
if user.role not in REPORT_ROLES:
    auth.audit_or_stop("view_denied", page="reports")
    st.error("坐席与班组报告仅供质检主管、班组长和管理员查看。")
    st.stop()

st.title("坐席与班组报告")
with st.sidebar:
    st.header("报告范围")
    date_from, date_to = date_range(st.date_input("通话日期", value=(), help="不选表示全部日期", key="r_dates"))
period = f"{date_from or '最早'} 至 {date_to or '最新'}"
dates = {"date_from": date_from, "date_to": date_to}

rollup = data.load_scoped("access_org_rollup", **dates)
if rollup.is_empty():
    st.info(EMPTY_WAREHOUSE)
    st.stop()

with st.sidebar:
    centres = sorted(rollup.filter(pl.col("level") == "centre")["centre_id"].drop_nulls().to_list())
    centre = pick("中心", "centre", centres, key="r_centre", page="reports", allow_all=False) if len(centres) > 1 else centres[0]
    in_centre = rollup.filter(pl.col("centre_id") == centre)
    team = pick("班组", "team", sorted(in_centre.filter(pl.col("level") == "team")["team_id"].to_list()), key="r_team", page="reports")
    agents = sorted(in_centre.filter((pl.col("level") == "agent") & (pl.col("team_id") == team))["agent_id"].to_list()) if team else []
    agent = pick("坐席", "agent", agents, key="r_agent", page="reports") if team else None
scope = {"centre": centre, "team": team, "agent": agent}

if agent:
    row = in_centre.filter((pl.col("level") == "agent") & (pl.col("agent_id") == agent)).row(0, named=True)
    heading = f"坐席 {t(agent)}" + (f"（{t(row['name'])}）" if row["name"] and row["name"] != agent else "")
elif team:
    row = in_centre.filter((pl.col("level") == "team") & (pl.col("team_id") == team)).row(0, named=True)
    heading = f"班组 {t(team)}" + (f"（{t(row['name'])}）" if row["name"] and row["name"] != team else "")
else:
    row = in_centre.filter(pl.col("level") == "centre").row(0, named=True)
    heading = ("本班组合计" if user.role == "team_lead" else f"中心 {t(row['name'] or centre)}")
st.caption(f"{heading} · {period} · 路径：{t(centre)}" + (f" → {t(team)}" if team else "") + (f" → {t(agent)}" if agent else ""))

cols = st.columns(6)
cols[0].metric("通话", f"{row['calls']:,}", help=f"已质检 {row['inspected']:,}")
delta = None if not agent or row["vs_team_median"] is None else f"{row['vs_team_median']:+.1f} 对比班组中位数"
cols[1].metric("平均得分", format_score(row["avg_score"]), delta=delta)
cols[2].metric("有缺陷占比", format_share(row["defect_share"]))
cols[3].metric("致命错误率", format_share(row["fatal_share"]))
cols[4].metric("待复核通话", f"{row['calls_needing_review']:,}")
cols[5].metric("来电人负面情绪", format_share(row["negative_caller_share"]), help="仅统计已判定来电人情绪的通话（质检情绪模型或大模型）")
st.caption(
    f"坐席说话占比 {format_share(row['agent_talk_share'])} · 静默占比 {format_share(row['silence_share'])}"
    f" · 最长静默 {format_score(row['longest_silence_s'])} 秒"
)

scores = data.load_scoped("access_agent_scores_over_time", **dates, **scope)
rates = data.load_scoped("access_agent_item_pass_rates", **dates, **scope)
coaching = data.load_scoped("access_agent_coaching", **dates, **scope)
queue = data.load_scoped("access_agent_calls_needing_review", **dates, **scope, limit=200)
charts = []


def members_table(level: str) -> None:
    rows = in_centre.filter(pl.col("level") == level)
    if level == "agent":
        rows = rows.filter(pl.col("team_id") == team)
    link = (
        pl.concat_str(pl.lit("reports?centre="), pl.col("centre_id"), pl.lit("&team="), pl.col("team_id"))
        if level == "team"
        else pl.concat_str(pl.lit("reports?centre="), pl.col("centre_id"), pl.lit("&team="), pl.col("team_id"), pl.lit("&agent="), pl.col("agent_id"))
    )
    shown = rows.select(
        link.alias("下钻"),
        pl.col("name").alias("名称"),
        pl.col("calls").alias("通话"),
        pl.col("avg_score").round(1).alias("平均分"),
        pl.col("vs_team_median").round(1).alias("与班组中位数差"),
        (pl.col("defect_share") * 100).round(1).alias("缺陷占比(%)"),
        (pl.col("fatal_share") * 100).round(1).alias("致命(%)"),
        pl.col("calls_needing_review").alias("待复核"),
        (pl.col("silence_share") * 100).round(1).alias("静默(%)"),
    )
    if level == "team":
        shown = shown.drop("与班组中位数差")
    pattern = r"team=([^&]*)$" if level == "team" else r"agent=(.*)$"
    st.dataframe(shown, hide_index=True, column_config={"下钻": st.column_config.LinkColumn("班组" if level == "team" else "坐席", display_text=pattern)}, key=f"members_{level}")


if not team:
    st.subheader("各班组")
    members_table("team")
    charts.append(report_figures.members_vs_median(in_centre, "team"))
elif not agent:
    st.subheader("班组坐席（与班组中位数对比）")
    members_table("agent")
    charts.append(report_figures.members_vs_median(in_centre.filter(pl.col("team_id") == team), "agent"))
charts.append(report_figures.scores_over_time(scores, agent))
charts.append(report_figures.item_pass_rates(rates) if agent else report_figures.frequent_defects(rates))
if agent:
    charts.append(report_figures.frequent_defects(rates))
for n in range(0, len(charts), 2):
    left, right = st.columns(2)
    left.plotly_chart(charts[n], key=f"report_chart_{n}")
    if n + 1 < len(charts):
        right.plotly_chart(charts[n + 1], key=f"report_chart_{n + 1}")

st.subheader("辅导要点" + ("" if agent else "（各坐席通过率最低、低于班组中位数最多的质检项）"))
if coaching.is_empty():
    st.caption("没有未通过的质检项，暂无辅导要点。")
for point in coaching.head(30).iter_rows(named=True):
    who = "" if agent else f"{t(point['agent_id'])} · "
    st.markdown(
        f"**{who}{point['rank']}. {t(point['name'] or point['item_id'])}** — 通过率 {format_share(point['pass_rate'])}"
        f"（班组中位数 {format_share(point['team_median_pass_rate'])}），未通过 {point['failed']} / {point['applicable']} 次"
    )
    for example in point["examples"] or []:
        st.markdown(
            f"> 「{t(example['quote'])}」 — [{t(example['call_id'])}](call?call_id={quote(example['call_id'], safe='')})"
            f" {example['start_s'] or 0:.0f}s"
        )

st.subheader("需要复听的通话")
if queue.is_empty():
    st.caption("没有需要复核的通话。")
else:
    st.dataframe(
        queue.select(
            pl.concat_str(pl.lit("call?call_id="), pl.col("call_id")).alias("通话"),
            pl.col("started_at").alias("开始时间"),
            pl.col("team_id").alias("班组"),
            pl.col("agent_id").alias("坐席"),
            pl.col("score").alias("得分"),
            pl.col("fatal").alias("致命"),
            review_advice().alias("复核建议"),
            pl.col("defects").list.join("、").alias("缺陷项"),
            pl.col("items_needing_review").list.join("、").alias("待人工判定项"),
        ),
        hide_index=True,
        column_config={"通话": st.column_config.LinkColumn("通话", display_text=r"call_id=(.*)")},
        key="report_review_queue",
    )

if can(user, "export"):
    st.divider()
    if st.button("生成可打印报告（HTML）", key="report_prepare", help="导出会记入审计日志"):
        figures = ReportFigures(rollup=in_centre, pass_rates=rates, coaching=coaching, review=queue)
        document = report_html(figures, period=period, team=team, agent=agent, charts=charts)
        auth.audit_or_stop("export", what="report", rows=rollup.height, **{k: v for k, v in (scope | dates).items() if v is not None})
        name = "report-" + (agent or team or centre)
        st.download_button("下载报告", document.encode("utf-8"), file_name=f"{name}.html", mime="text/html", key="report_download", on_click="ignore")
