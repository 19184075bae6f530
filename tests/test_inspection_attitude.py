"""The agent's attitude (issue 4): service-taboo and courtesy rules with the phrase quoted, nearest
prototypes with the real packaged e5 model for the other turns, stored through the real sink path
into a real DuckDB file, and shown on the call page next to the caller's sentiment."""

from __future__ import annotations

import pytest

from hotline.contracts import AgentAttitude, Evidence, Segment, TurnAttitude
from hotline.inspection.attitude import AttitudeClassifier, load_attitude_prototypes
from hotline.inspection.category import Categoriser, load_category_examples
from hotline.inspection.scorecard import load_scorecard
from hotline.warehouse.reader import run_query
from hotline.warehouse.store import seed_warehouse
from test_dashboard_pages import all_text, run_app, warehouse  # noqa: F401
from test_warehouse_messages import make_inspection, make_meta, make_transcript

SCORECARD = load_scorecard()


def call(*lines: tuple[str, str]) -> list[Segment]:
    return [Segment(speaker=who, start_s=i * 5.0, end_s=i * 5.0 + 4.0, text=text) for i, (who, text) in enumerate(lines)]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def rules_only() -> AttitudeClassifier:
    return AttitudeClassifier(load_attitude_prototypes(), None)


@pytest.fixture(scope="module")
def with_prototypes() -> AttitudeClassifier:
    return AttitudeClassifier(load_attitude_prototypes(), Categoriser(load_category_examples(), threads=1).embed)


def test_abuse_makes_the_agent_rude_with_the_phrase_as_evidence(rules_only):
    segments = call(("agent", "您好，12345热线"), ("caller", "我家停水三天了"), ("agent", "你有病吧，天天打电话，我已经说过了"))
    att = rules_only.agent_attitude(segments, SCORECARD)
    assert att is not None and att.overall == "rude"
    assert [t.label for t in att.turns] == ["polite", "rude"]
    assert "服务忌语（abuse）" in att.turns[1].reason
    assert att.evidence[0].quote == "你有病吧" and att.evidence[0].speaker == "agent" and att.evidence[0].verified


def test_impatience_and_shirking_make_the_agent_impatient(rules_only):
    segments = call(("agent", "您好，请讲"), ("caller", "社保的事情"), ("agent", "这个不归我们管，你自己去找社保局"))
    att = rules_only.agent_attitude(segments, SCORECARD)
    assert att.overall == "impatient" and att.evidence[0].quote == "这个不归我们管"
    assert att.turns[1].reason == "服务忌语（shirking）：不归我们管"


def test_a_courteous_agent_is_polite_and_a_call_without_agent_turns_has_no_attitude(rules_only):
    segments = call(("agent", "您好，12345热线，请问有什么可以帮您"), ("caller", "路灯坏了"), ("agent", "好的"), ("agent", "感谢您的来电，再见"))
    att = rules_only.agent_attitude(segments, SCORECARD)
    assert att.overall == "polite" and [t.label for t in att.turns] == ["polite", "neutral", "polite"]
    assert rules_only.agent_attitude(call(("caller", "喂？")), SCORECARD) is None


def test_prototypes_judge_turns_no_phrase_decides(with_prototypes):
    segments = call(
        ("agent", "您好，12345热线"),
        ("caller", "我想问问上次反映的事"),
        ("agent", "行了行了，别说了，说快点，后面还有好多电话等着呢"),
        ("agent", "这个处理时限是五个工作日"),
    )
    att = with_prototypes.agent_attitude(segments, SCORECARD)
    assert att.method.startswith("rules+nearest-prototypes")
    labels = [t.label for t in att.turns]
    assert labels[0] == "polite" and labels[1] == "impatient" and labels[2] in ("neutral", "polite")
    assert att.turns[1].reason.startswith("相近样例：impatient")
    # One impatient turn read by prototypes alone is not enough to call the agent impatient.
    assert att.overall == "polite"


def attitude_call():
    meta = make_meta("call-attitude")
    attitude = AgentAttitude(
        method="rules+nearest-prototypes", overall="impatient",
        turns=(TurnAttitude(start_s=0.0, end_s=3.5, label="polite", reason="礼貌用语：您好"),
               TurnAttitude(start_s=8.0, end_s=11.5, label="impatient", reason="服务忌语（impatience）：你烦不烦")),
        evidence=(Evidence(quote="你烦不烦", speaker="agent", start_s=8.0, end_s=11.5, verified=True),),
    )
    return [make_transcript(meta, turns=4), make_inspection(meta).model_copy(update={"agent_attitude": attitude})]


def test_the_attitude_is_stored_and_shown_on_the_call_page(warehouse):  # noqa: F811
    seed_warehouse(warehouse, attitude_call())
    rows = run_query(warehouse, "access_call_attitude", call_id="call-attitude", scope_centre=None, scope_team=None)
    assert rows.select("turn_no", "label", "overall", "attitude_quote").rows() == [
        (0, "polite", "impatient", "你烦不烦"), (1, "impatient", "impatient", "你烦不烦")]
    assert run_query(warehouse, "access_call_attitude", call_id="call-attitude", scope_centre="centre-99", scope_team=None).is_empty()
    at = run_app("views/call.py", as_user="supervisor", call_id="call-attitude")
    text = all_text(at)
    assert "坐席服务态度" in [h.value for h in at.subheader]
    assert "**不耐烦** · 礼貌 1 句，不耐烦 1 句" in text or "**不耐烦** · 不耐烦 1 句，礼貌 1 句" in text
    assert "依据：「你烦不烦」" in text and "服务忌语（impatience）：你烦不烦" in text
