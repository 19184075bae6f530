"""Text that came from outside is shown as text: no link, image, HTML, emoji or autolink made of
a caller's words, a work-order field or a model's answer, on the call page (AppTest, real
warehouse) or anywhere dashboards/plain.py's markdown_text is used.

What Streamlit's markdown makes of a string is read by bench/hostile_text.py's ``rendered``
(markdown-it, CommonMark as the browser's parser, plus the text-level rewrites Streamlit's renderer
runs afterwards: GFM literal autolinks and emoji shortcodes); bench.adversarial uses the same check.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bench.hostile_text import HOSTILE, IMAGE_LINK, page_markdown, rendered
from hotline.contracts import Demand, Evidence, LlmJudgement, WorkOrderEvent
from hotline.dashboards.plain import markdown_text
from hotline.warehouse.store import seed_warehouse
from test_dashboard_pages import run_app, warehouse  # noqa: F401
from test_warehouse_messages import make_inspection, make_meta, make_transcript


@pytest.mark.parametrize("hostile", HOSTILE)
def test_markdown_text_shows_exactly_the_text_and_nothing_else(hostile):
    shown, markup = rendered(markdown_text(hostile))
    assert markup == []
    assert shown == hostile
    # Inside a page's own markdown too.
    shown, markup = rendered(f"**说明** {markdown_text(hostile)} · 结束")
    assert [m for m in markup if m != "strong_open"] == []
    assert hostile in shown


def test_the_renderer_model_sees_markup_where_there_is_some():
    """The check above can fail: unescaped, the same strings are links, images and emoji."""
    assert {"link_open", "image"} <= set(rendered(IMAGE_LINK)[1])
    assert any(m.startswith("autolink") for m in rendered(HOSTILE[1])[1])
    assert any(m.startswith("email") for m in rendered(HOSTILE[2])[1])
    assert any(m.startswith("emoji") for m in rendered(HOSTILE[4])[1])


def hostile_call() -> list:
    """A call whose every outside text field carries markdown: transcript, alert-free evidence,
    check reason, demand, LLM reason, and the work-order system's fields."""
    meta = make_meta("call-md")
    transcript = make_transcript(meta, turns=4)
    segments = list(transcript.segments)
    segments[1] = segments[1].model_copy(update={"text": "看这里 http://evil.example/a 和 www.evil.example " + IMAGE_LINK, "words": ()})
    transcript = transcript.model_copy(update={"segments": tuple(segments)})
    inspected = make_inspection(meta)
    checks = list(inspected.checks)
    checks[1] = checks[1].model_copy(update={"reason": "理由 " + IMAGE_LINK})
    demand = Demand(summary="诉求 " + IMAGE_LINK, requested_action="处理 www.evil.example", todos=("回访 :smile:",), address="地址 " + IMAGE_LINK, source="llm",
                    evidence=(Evidence(quote="看这里", speaker="caller", start_s=4.0, end_s=7.5, verified=True),))
    llm = (LlmJudgement(name="empathy", status="pending", reason="原因 " + IMAGE_LINK),)
    inspected = inspected.model_copy(update={"checks": tuple(checks), "demands": (demand,), "llm": llm})
    t0 = meta.started_at + timedelta(minutes=10)
    events = [
        WorkOrderEvent(event_id="md-0", work_order_id="WO-md", call_id="call-md", kind="created", occurred_at=t0,
                       recorded_type=IMAGE_LINK, category="市政设施", district="江北区 http://evil.example", address=IMAGE_LINK),
        WorkOrderEvent(event_id="md-1", work_order_id="WO-md", call_id="call-md", kind="dispatched", occurred_at=t0 + timedelta(hours=1),
                       department="[城管](http://evil.example)", note=IMAGE_LINK),
    ]
    return [transcript, inspected, *events]


def test_the_call_page_shows_outside_text_as_text(warehouse):  # noqa: F811
    seed_warehouse(warehouse, hostile_call())
    at = run_app("views/call.py", as_user="supervisor", call_id="call-md")
    shown, markup = [], []
    for source in page_markdown(at):
        text, found = rendered(source)
        shown.append(text)
        markup += [(m, source) for m in found if m != "strong_open"]
    assert markup == []
    everything = "\n".join(shown)
    # The hostile strings are there, as text: the transcript, the reason, the demand, the work order.
    assert everything.count(IMAGE_LINK) >= 5
    assert "看这里 http://evil.example/a 和 www.evil.example" in everything
    assert "江北区 http://evil.example" in everything and "处理 www.evil.example" in everything


def test_a_crafted_address_bar_puts_no_link_on_the_page(warehouse):  # noqa: F811
    """A drill-down value from the address bar is refused with a warning that shows it as text."""
    seed_warehouse(warehouse, hostile_call())
    at = run_app("views/reports.py", as_user="supervisor", team=IMAGE_LINK)
    warnings = [w.value for w in at.warning]
    assert warnings and all(rendered(w)[1] == [] for w in warnings)
    assert any(IMAGE_LINK in rendered(w)[0] for w in warnings)
