"""The review loop on a real store and through the real pages: decisions, appeals, agreement."""

from __future__ import annotations

import json

import pytest

from hotline.warehouse import access, audit, review
from hotline.warehouse.store import seed_warehouse
from test_dashboard_pages import metrics, run_app, warehouse  # noqa: F401
from test_warehouse_messages import make_day

SUP = access.User("sup", "主管", "qa_supervisor", "centre-01")
LEAD = access.User("lead", "组长", "team_lead", "centre-01", "team-a")
OTHER_SUP = access.User("sup2", "主管2", "qa_supervisor", "centre-02")
CALL_A = review.CallRef("call-000", "centre-01", "team-a", "agent-1")
CALL_B = review.CallRef("call-002", "centre-01", "team-b", "agent-1")


def item(item_id, machine, human, points_m=10.0, points_h=10.0, reason=""):
    return review.ItemDecision(item_id, item_id, machine, points_m, human, points_h, reason)


@pytest.fixture
def store(tmp_path):
    return tmp_path / "access.sqlite3"


def test_verdicts_follow_from_machine_and_human():
    assert item("g", "passed", "passed").verdict == "confirm"
    assert item("g", "passed", "failed", points_h=0, reason="x").verdict == "override"
    assert item("g", "passed", "passed", points_h=5).verdict == "override"  # same status, other points
    assert item("e", "pending", "passed").verdict == "decide"


def test_decisions_are_stored_with_who_and_when_and_audited(store):
    ids = review.record_decisions(store, SUP, CALL_A, [item("greeting", "passed", "failed", 10, 0, "没有说工号"), item("silence", "passed", "passed")])
    assert len(ids) == 2
    history = review.call_history(store, SUP, "call-000")
    assert history["decided_by"].to_list() == ["sup", "sup"] and history["decided_at"].null_count() == 0
    assert set(history["verdict"]) == {"confirm", "override"}
    logged = audit.read_log(store, action="review").row(0, named=True)
    assert logged["call_id"] == "call-000" and json.loads(logged["detail"])["overridden"] == ["greeting"]


def test_an_override_needs_a_reason_and_a_reviewer_in_scope(store):
    with pytest.raises(ValueError, match="needs a reason"):
        review.record_decisions(store, SUP, CALL_A, [item("greeting", "passed", "failed", 10, 0)])
    with pytest.raises(access.AccessDenied):
        review.record_decisions(store, LEAD, CALL_A, [item("greeting", "passed", "passed")])  # leads record appeals, not verdicts
    with pytest.raises(access.AccessDenied):
        review.record_decisions(store, OTHER_SUP, CALL_A, [item("greeting", "passed", "passed")])
    with pytest.raises(access.AccessDenied):
        review.record_appeal(store, LEAD, CALL_B, "不是我们班组的通话")
    assert review.call_history(store, SUP, "call-000").is_empty()


def test_agreement_per_item_and_overall_uses_the_latest_decision(store):
    review.record_decisions(store, SUP, CALL_A, [item("greeting", "passed", "failed", 10, 0, "漏报"), item("silence", "passed", "passed")])
    # A second look at the same call changes the greeting verdict back: only the latest counts.
    review.record_decisions(store, SUP, CALL_A, [item("greeting", "passed", "passed")])
    review.record_decisions(
        store,
        SUP,
        CALL_B,
        [
            item("greeting", "failed", "passed", 0, 10, "其实说了"),
            item("silence", "passed", "passed"),
            item("empathy", "pending", "passed"),
            review.ItemDecision(review.WHOLE_SCORE, review.WHOLE_SCORE_NAME, "scored", 70.0, "scored", 80.0, "开场白误判"),
        ],
    )
    per_item = review.agreement(store, SUP)
    rows = {r["item_id"]: r for r in per_item.iter_rows(named=True)}
    assert (rows["greeting"]["decisions"], rows["greeting"]["confirmed"]) == (2, 1)
    assert rows["silence"]["agreement"] == 1.0
    assert "empathy" not in rows  # the machine had no verdict to agree with
    assert rows[""]["overridden"] == 1
    assert review.overall_agreement(per_item) == pytest.approx(3 / 4)
    # Scoped: the lead of team-a sees agreement on team-a's calls only.
    lead_rows = {r["item_id"]: r for r in review.agreement(store, LEAD).iter_rows(named=True)}
    assert lead_rows["greeting"]["decisions"] == 1 and "" not in lead_rows
    assert review.reviewed_calls(store, SUP) == ["call-002"]


def test_an_appeal_is_recorded_then_answered(store):
    appeal_id = review.record_appeal(store, LEAD, CALL_A, "我说了开场白，是录音截断了", item_id="greeting")
    assert review.appeals(store, SUP, only_open=True)["appeal_id"].to_list() == [appeal_id]
    review.record_decisions(store, SUP, CALL_A, [item("greeting", "failed", "passed", 0, 10, "录音截断")], appeal_id=appeal_id, appeal_outcome="upheld")
    assert review.appeals(store, SUP, only_open=True).is_empty()
    answered = review.appeals(store, LEAD).row(0, named=True)
    assert answered["outcome"] == "upheld" and answered["decided_by"] == "sup"
    assert [e["action"] for e in audit.read_log(store).to_dicts()] == ["review", "appeal"]


def test_a_supervisor_reviews_on_the_call_page_and_agreement_shows(warehouse, tmp_path):  # noqa: F811
    seed_warehouse(warehouse, make_day(n_calls=3))
    at = run_app("views/call.py", as_user="supervisor", call_id="call-001")
    at.selectbox(key="rv_status_greeting").select("passed")
    at.number_input(key="rv_points_greeting").set_value(10.0)
    at.text_input(key="rv_reason_greeting").input("开场白其实说了")
    next(b for b in at.button if b.label == "提交复核").click().run()
    assert not at.exception
    assert any("改判 1 项" in s.value for s in at.success)
    store = tmp_path / "access.sqlite3"
    assert review.reviewed_calls(store, access.User("s", "s", "qa_supervisor", "centre-01")) == ["call-001"]
    assert any("人工判定为通过" in e.label for e in at.expander)

    at = run_app("views/review.py", as_user="supervisor")
    shown = metrics(at)
    # greeting overridden, long_silence confirmed; empathy was pending (no machine verdict, not counted).
    assert shown["逐项一致率"] == "50.0%"
    assert shown["总分一致率"] == "100.0%"
    assert not at.exception


def test_a_team_lead_records_an_appeal_but_cannot_review(warehouse, tmp_path):  # noqa: F811
    seed_warehouse(warehouse, make_day(n_calls=3))
    at = run_app("views/call.py", as_user="teamlead", call_id="call-001")
    assert not any(b.label == "提交复核" for b in at.button)
    at.text_area(key="ap_text").input("客户没听清，我重复了开场白")
    next(b for b in at.button if b.label == "登记申诉").click().run()
    assert not at.exception
    assert any("已登记申诉" in s.value for s in at.success)
    at = run_app("views/review.py", as_user="supervisor")
    assert metrics(at)["待处理申诉"] == "1"
