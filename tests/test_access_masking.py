"""Numbers as they are said and transcribed never reach a role without ``see_pii``: a corpus of
phone and ID numbers in every spoken and typed form (and of ordinary text that must stay
readable), then every free-text field of a real warehouse read through the access layer, the
hotspot job's output and the call page, as a policy analyst. The corpus lives in
bench/hostile_text.py, shared with bench.adversarial."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from bench.hostile_text import KEEP, MUST_MASK, digits_of, leaks, page_markdown, rendered, strings_in
from hotline.contracts import AlertRaised, Demand, Evidence, LlmJudgement, WorkOrderEvent
from hotline.settings import Settings
from hotline.warehouse import access, sqlfiles
from hotline.warehouse.hotspot_store import read_for_user
from hotline.warehouse.jobs import JobsPolicy, refresh_hotspots
from hotline.warehouse.reader import run_query
from hotline.warehouse.store import seed_warehouse
from test_dashboard_pages import run_app, warehouse  # noqa: F401
from test_warehouse_messages import DAY1, make_inspection, make_meta, make_transcript

@pytest.mark.parametrize(("said", "number"), MUST_MASK)
def test_a_number_in_any_spoken_or_typed_form_is_masked(said, number):
    sentence = f"我的号码是{said}，麻烦尽快处理"
    masked = access.mask_text(sentence)
    assert number not in digits_of(masked), masked
    assert masked == f"我的号码是{access.NUMBER_MASK}，麻烦尽快处理"


@pytest.mark.parametrize("text", KEEP)
def test_ordinary_numbers_stay_readable(text):
    assert access.mask_text(text) == text


def test_a_building_number_is_masked_as_a_door_not_as_a_number():
    assert access.mask_text("阳光小区3号楼2单元501室，电话139 1234 5678") == f"阳光小区{access.DOOR_MASK}，电话{access.NUMBER_MASK}"


def test_frames_are_masked_at_any_depth_but_their_codes():
    analyst = access.User("p", "p", "policy_analyst", "centre-01")
    said = [s for s, _ in MUST_MASK]
    frame = pl.DataFrame({
        "call_id": ["13912345678"],  # an identifier: never masked
        "note": [said[0]],
        "quotes": [[said[1], None]],
        "evidence": [[{"quote": said[2], "speaker": "caller", "start_s": 1.0}]],
        "nested": [{"text": said[3], "parts": [{"quote": said[4]}]}],
    })
    masked = access.mask_frame(frame, analyst).row(0, named=True)
    assert masked["call_id"] == "13912345678" and masked["evidence"][0]["speaker"] == "caller"
    assert not leaks(str({k: v for k, v in masked.items() if k != "call_id"}))
    assert access.mask_frame(frame, access.User("s", "s", "qa_supervisor", "centre-01")).equals(frame)


# --- end to end: every field a masked role can see ------------------------------------------

CALL = "call-numbers"


def numbers_call() -> list:
    """One call with corpus numbers in every free-text field the warehouse keeps, and a second
    caller reporting the same address (a repeat place for the hotspot job)."""
    said = [s for s, _ in MUST_MASK]
    meta = make_meta(CALL, caller="13900001111")
    transcript = make_transcript(meta, turns=5)
    segments = [s.model_copy(update={"text": f"电话是{said[i]}", "words": ()}) for i, s in enumerate(transcript.segments)]
    transcript = transcript.model_copy(update={"segments": tuple(segments)})
    caller_line = next(s for s in segments if s.speaker == "caller")
    quote = Evidence(quote=caller_line.text, speaker="caller", start_s=caller_line.start_s, end_s=caller_line.end_s, verified=True)
    inspected = make_inspection(meta)
    checks = list(inspected.checks)
    checks[1] = checks[1].model_copy(update={"reason": f"来电人留了号码{said[5]}", "evidence": (quote,)})
    demand = Demand(
        summary=f"身份证{said[15]}的来电人反映停水", address=f"幸福路十八号，联系{said[6]}", requested_action=f"回电{said[7]}",
        todos=(f"回访{said[8]}",), source="llm", evidence=(quote,), type_evidence=(quote,), demand_type="求助",
    )
    llm = (
        LlmJudgement(name="demand_summary", status="judged", reason=f"据{said[9]}", value={"summary": f"联系{said[10]}", "category": "公用事业/供水"}, model="m"),
    )
    inspected = inspected.model_copy(update={"checks": tuple(checks), "demands": (demand,), "llm": llm})
    alert = AlertRaised(call_id=CALL, kind="media_exposure", severity="high", quote=f"我要打{said[11]}找媒体", speaker="caller", start_s=4.0, end_s=6.0,
                        raised_at=DAY1 + timedelta(minutes=5))
    t0 = DAY1 + timedelta(minutes=10)
    events = [
        WorkOrderEvent(event_id="n-0", work_order_id="WO-n", call_id=CALL, kind="created", occurred_at=t0, category="公用事业/供水",
                       recorded_type="求助", district="江北区", address=f"建设路{said[12]}", note=f"来电人{said[13]}"),
        WorkOrderEvent(event_id="n-1", work_order_id="WO-n", call_id=CALL, kind="dispatched", occurred_at=t0 + timedelta(hours=1),
                       department="江州水务集团", note=f"请回电{said[14]}，备用{said[16]}，{said[17]}，卡号{said[18]}"),
    ]
    again = make_meta(f"{CALL}-2", caller="13900002222")
    events.append(WorkOrderEvent(event_id="n-2", work_order_id="WO-n2", call_id=again.call_id, kind="created", occurred_at=t0,
                                 category="公用事业/供水", recorded_type="求助", district="江北区", address=f"建设路{said[12]}"))
    return [transcript, inspected, alert, make_transcript(again), make_inspection(again), *events]


def texts_of(frame: pl.DataFrame) -> str:
    return "\n".join(s for row in frame.iter_rows(named=True) for name, v in row.items() if name != "call_id" for s in strings_in(v))


@pytest.fixture
def seeded(warehouse, tmp_path, monkeypatch):  # noqa: F811
    seed_warehouse(warehouse, numbers_call())
    monkeypatch.setenv("HOTLINE_PATHS__DATA_DIR", str(tmp_path / "data"))
    refresh_hotspots(Settings(paths={"data_dir": tmp_path / "data"}, warehouse=warehouse), JobsPolicy(), as_of=DAY1.date())
    return warehouse


def everything_read_by(user: access.User, cfg) -> str:
    """What every scoped query returns for ``user`` about the seeded call (its own or listed)."""
    run = lambda name, params: run_query(cfg, name, **params)  # noqa: E731
    out = []
    for name in sqlfiles.list_names("queries"):
        if not name.startswith("access_") or name.endswith("_rollup") or name == "access_calls_newest_day":
            continue
        taken = sqlfiles.parameters(name)
        params = {"call_id": CALL} if "call_id" in taken else {}
        if "call_ids" in taken:
            params["call_ids"] = [CALL]
        out.append(texts_of(access.run_scoped(user, name, run, params)))
    return "\n".join(out)


def test_no_free_text_field_shows_a_number_to_an_analyst(seeded, tmp_path):
    analyst = access.User("p", "p", "policy_analyst", "centre-01")
    supervisor = access.User("s", "s", "qa_supervisor", "centre-01")
    # The numbers are there to leak: a supervisor reads every one of them.
    assert set(leaks(everything_read_by(supervisor, seeded))) == {s for s, _ in MUST_MASK}
    assert leaks(everything_read_by(analyst, seeded)) == []
    # The hotspot job's materialised texts, as the analyst's page reads them.
    root = tmp_path / "data" / "analytics" / "hotspots"
    assert leaks("\n".join(texts_of(f) for f in read_for_user(root, supervisor).frames.values()))
    stored = read_for_user(root, analyst)
    assert stored is not None
    assert leaks("\n".join(texts_of(f) for f in stored.frames.values())) == []


def test_the_call_page_shows_an_analyst_no_number(seeded):
    at = run_app("views/call.py", as_user="analyst", call_id=CALL)
    shown = "\n".join(rendered(source)[0] for source in page_markdown(at))
    shown += "\n".join(texts_of(pl.from_pandas(df.value.astype(str))) for df in at.dataframe)
    assert "幸福路" in shown and access.NUMBER_MASK in shown  # the page did show the call
    assert leaks(shown) == []
    supervisor = run_app("views/call.py", as_user="supervisor", call_id=CALL)
    assert leaks("\n".join(rendered(source)[0] for source in page_markdown(supervisor)))
