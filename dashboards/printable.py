"""The printable report: the report tables of hotline.warehouse.reports and the page's own charts in
one self-contained HTML file (plotly.js inlined once: the centre's network may have no internet).

Pure: frames and figures in, text out; the page audits the export before it offers the file.
"""

from __future__ import annotations

import html

import plotly.graph_objects as go

from hotline.warehouse.reports import ReportFigures, render_agent, render_centre, render_team

_PRINT_STYLE = "<style>@media print{.chart{page-break-inside:avoid}}</style>"


def report_html(figures: ReportFigures, *, period: str, team: str | None = None, agent: str | None = None, charts: list[go.Figure] = ()) -> str:
    """An agent's, a team's or the whole scope's report (the most specific one asked for), charts after the tables."""
    if agent is not None:
        page = render_agent(figures, agent, period)
    elif team is not None:
        page = render_team(figures, team, period)
    else:
        page = render_centre(figures, period)
    parts = []
    for n, fig in enumerate(charts):
        div = fig.to_html(full_html=False, include_plotlyjs=(n == 0), config={"staticPlot": True}, default_width="100%", default_height="360px")
        parts.append(f'<div class="chart">{div}</div>')
    body = "<h2>图表</h2>" + "".join(parts) if parts else ""
    footer = f"<p><small>生成范围：{html.escape(period)}。数据已按查看者的权限范围过滤。</small></p>"
    return page.replace("</head>", _PRINT_STYLE + "</head>", 1).replace("</body>", body + footer + "</body>", 1)
