"""Per-agent, per-team and per-centre report files: HTML to read, CSV and Excel to work with.

Figures come from the named queries (access_org_rollup, access_agent_item_pass_rates,
access_agent_coaching, access_agent_calls_needing_review) on a snapshot connection, with the scope
left unbound: NULL scope is every centre, the same queries the dashboard runs per user. HTML is written with the standard
library's escaping (every value from the warehouse is escaped); CSV carries a UTF-8 BOM so
Excel opens Chinese text correctly; the workbook has one sheet per figure.
"""

from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from hotline.warehouse.reader import REPORTING_TIMEZONE, query_frame

log = logging.getLogger(__name__)

_PERCENT_COLUMNS = {"fatal_share", "defect_share", "agent_talk_share", "silence_share", "negative_caller_share", "pass_rate", "team_median_pass_rate"}
_LABELS = {
    "level": "层级", "centre_id": "机构", "team_id": "班组", "agent_id": "坐席", "name": "名称", "calls": "通话数", "inspected": "已质检",
    "avg_score": "平均分", "median_score": "中位分", "team_median_agent_score": "班组坐席中位分", "vs_team_median": "与班组中位数差",
    "fatal_share": "致命错误率", "defect_share": "有缺陷占比", "calls_needing_review": "待复核通话", "agent_talk_share": "坐席说话占比",
    "silence_share": "静默占比", "longest_silence_s": "最长静默(秒)", "negative_caller_share": "来电人负面情绪占比",
    "item_id": "质检项", "applicable": "适用次数", "failed": "未通过", "pass_rate": "通过率", "team_median_pass_rate": "班组中位通过率",
    "rank": "优先级", "examples": "示例原话",
}


@dataclass(frozen=True)
class ReportFigures:
    rollup: pl.DataFrame
    pass_rates: pl.DataFrame
    coaching: pl.DataFrame
    review: pl.DataFrame


def collect_figures(con: duckdb.DuckDBPyConnection, date_from: date, date_to: date) -> ReportFigures:
    return ReportFigures(
        rollup=query_frame(con, "access_org_rollup", date_from=date_from, date_to=date_to),
        pass_rates=query_frame(con, "access_agent_item_pass_rates", date_from=date_from, date_to=date_to),
        coaching=query_frame(con, "access_agent_coaching", date_from=date_from, date_to=date_to),
        review=query_frame(con, "access_agent_calls_needing_review", date_from=date_from, date_to=date_to, limit=1000),
    )


def _cell(column: str, value) -> str:
    if value is None:
        return "—"
    if column in _PERCENT_COLUMNS and isinstance(value, float):
        return f"{value:.0%}"
    if isinstance(value, float):
        return f"{value:.1f}"
    if column == "examples" and isinstance(value, list):
        return "<br>".join(f"「{html.escape(str(e['quote']))}」<small>（{html.escape(str(e['call_id']))} {e['start_s']:.0f}s）</small>" for e in value)
    if isinstance(value, list):
        return html.escape("、".join(str(v) for v in value))
    return html.escape(str(value))


def html_table(frame: pl.DataFrame, columns: list[str]) -> str:
    columns = [c for c in columns if c in frame.columns]
    head = "".join(f"<th>{html.escape(_LABELS.get(c, c))}</th>" for c in columns)
    rows = "".join("<tr>" + "".join(f"<td>{_cell(c, row[c])}</td>" for c in columns) + "</tr>" for row in frame.iter_rows(named=True))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows or '<tr><td>（无）</td></tr>'}</tbody></table>"


def _page(title: str, body: str) -> str:
    style = "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f3f3f3}"
    return f"<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title><style>{style}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>\n"


_ROLLUP_COLUMNS = ["level", "team_id", "agent_id", "name", "calls", "inspected", "avg_score", "team_median_agent_score", "vs_team_median",
                   "fatal_share", "defect_share", "calls_needing_review", "agent_talk_share", "silence_share", "negative_caller_share"]


def render_agent(figures: ReportFigures, agent_id: str, period: str) -> str:
    row = figures.rollup.filter((pl.col("level") == "agent") & (pl.col("agent_id") == agent_id))
    body = f"<p>统计周期：{html.escape(period)}</p><h2>概览（与班组中位数对比）</h2>" + html_table(row, _ROLLUP_COLUMNS)
    body += "<h2>辅导要点（本人通过率最低、低于班组最多的质检项）</h2>" + html_table(
        figures.coaching.filter(pl.col("agent_id") == agent_id), ["rank", "item_id", "name", "failed", "pass_rate", "team_median_pass_rate", "examples"]
    )
    body += "<h2>各质检项通过率</h2>" + html_table(
        figures.pass_rates.filter(pl.col("agent_id") == agent_id), ["item_id", "name", "applicable", "failed", "pass_rate", "team_median_pass_rate"]
    )
    body += "<h2>待复核通话</h2>" + html_table(
        figures.review.filter(pl.col("agent_id") == agent_id), ["call_id", "started_at", "score", "review_state", "defects"]
    )
    return _page(f"坐席质检报告 {agent_id}", body)


def render_team(figures: ReportFigures, team_id: str, period: str) -> str:
    rows = figures.rollup.filter(pl.col("team_id") == team_id)
    body = f"<p>统计周期：{html.escape(period)}</p><h2>班组与坐席</h2>" + html_table(rows, _ROLLUP_COLUMNS)
    body += "<h2>各坐席辅导要点</h2>" + html_table(
        figures.coaching.filter(pl.col("team_id") == team_id), ["agent_id", "rank", "item_id", "name", "pass_rate", "team_median_pass_rate", "examples"]
    )
    return _page(f"班组质检报告 {team_id}", body)


def render_centre(figures: ReportFigures, period: str) -> str:
    body = f"<p>统计周期：{html.escape(period)}</p>" + html_table(figures.rollup.filter(pl.col("level") != "agent"), _ROLLUP_COLUMNS)
    return _page("中心质检报告", body)


def _as_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    # CSV and Excel cells hold text, not lists or structs.
    # Excel has no time zones: times are written as Beijing wall-clock time.
    out = frame
    for name, dtype in frame.schema.items():
        if isinstance(dtype, (pl.List, pl.Struct, pl.Array)):
            out = out.with_columns(pl.col(name).map_elements(_as_json, return_dtype=pl.String))
        elif isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            out = out.with_columns(pl.col(name).dt.convert_time_zone(REPORTING_TIMEZONE).dt.replace_time_zone(None))
    return out


def write_reports(figures: ReportFigures, out_dir: Path, period: str) -> list[Path]:
    """Write centre, team and agent HTML pages, one CSV per figure and one workbook; returns the files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def write_text(name: str, text: str) -> None:
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)

    write_text("centre.html", render_centre(figures, period))
    for team_id in sorted(t for t in figures.rollup["team_id"].unique().to_list() if t is not None):
        write_text(f"team-{team_id}.html", render_team(figures, team_id, period))
    for agent_id in sorted(a for a in figures.rollup["agent_id"].unique().to_list() if a is not None):
        write_text(f"agent-{agent_id}.html", render_agent(figures, agent_id, period))
    sheets = {"rollup": figures.rollup, "pass_rates": figures.pass_rates, "coaching": figures.coaching, "review": figures.review}
    for name, frame in sheets.items():
        path = out_dir / f"{name}.csv"
        _flat(frame).write_csv(path, include_bom=True)
        written.append(path)
    workbook = out_dir / "reports.xlsx"
    import xlsxwriter  # polars writes Excel through it

    with xlsxwriter.Workbook(str(workbook)) as book:
        for name, frame in sheets.items():
            _flat(frame).write_excel(book, worksheet=name, autofit=True)
    written.append(workbook)
    log.info("wrote %d report files under %s", len(written), out_dir)
    return written
