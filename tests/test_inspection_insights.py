"""Sentiment, service moments, place, demands and routing on hand-built transcripts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hotline.contracts import CallInspected, LlmJudgement, Segment
from hotline.inspection.category import Categoriser, load_category_examples
from hotline.inspection.demands import demands_from_llm, draft_demands, first_substantive_turn
from hotline.inspection.llm import STAND_IN_REASON, LlmClient
from hotline.inspection.llm_prompts import DemandsReply, demands_task, render_transcript, strict_schema, system_prompt, user_message
from hotline.inspection.moments import detect_moments
from hotline.inspection.place import Place, find_place
from hotline.inspection.routing import RoutingCatalogueError, load_routing_catalogue, suggest_route
from hotline.inspection.scorecard import ScorecardError, load_scorecard, parse_scorecard
from hotline.inspection.sentiment import SentimentClassifier, _trend, load_sentiment_prototypes
from devtools.llm_standin import StandinServer, standin_binary, standin_model
from hotline.inspection.worker import inspect_call
from hotline.settings import InspectionSettings, LlmSettings

from test_inspection_rules import good_call, seg, transcript

SCORECARD = load_scorecard()
CATALOGUE = load_routing_catalogue()
ADDRESS = SCORECARD.item("address_repeat").params


@pytest.fixture(scope="module")
def categoriser() -> Categoriser:
    return Categoriser(load_category_examples(), threads=1)


@pytest.fixture(scope="module")
def sentiment(categoriser) -> SentimentClassifier:
    return SentimentClassifier(load_sentiment_prototypes(), categoriser.embed)


# --- sentiment -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("你们这帮人到底干不干活，我打了二十次电话了，气死我了！", "angry"),
        ("太谢谢你们了，问题一下子就解决了，非常满意", "satisfied"),
        ("孩子发高烧，家里又停电了，我现在特别着急，怎么办啊", "anxious"),
    ],
)
def test_turn_sentiment_for_held_out_sentences(sentiment, text, label):
    [(got, margin)] = sentiment.classify([text])
    assert got == label and margin >= 0


def test_call_sentiment_per_turn_overall_trend_and_verbatim_evidence(sentiment):
    segments = [
        seg("agent", 0.0, 2.0, "您好，12345热线。"),
        seg("caller", 2.5, 8.0, "你们到底管不管，我都打了十几次电话了，简直是乱来！"),
        seg("agent", 8.5, 10.0, "您别着急，我马上帮您处理。"),
        seg("caller", 10.5, 12.0, "对。"),
        seg("caller", 12.5, 16.0, "上次反映的问题到现在都没有人管，我很不满意。"),
        seg("agent", 16.5, 18.0, "已经给您加急派单了。"),
        seg("caller", 18.5, 22.0, "好的，谢谢你，这次服务态度挺好的，很满意。"),
    ]
    s = sentiment.call_sentiment(segments)
    assert s is not None and s.method.startswith("nearest-prototypes")
    assert [(t.start_s, t.label) for t in s.turns] == [(2.5, "angry"), (10.5, "neutral"), (12.5, "dissatisfied"), (18.5, "satisfied")]
    assert s.first_third_valence == -2.0 and s.last_third_valence == 1.0 and s.trend == "improving"
    assert s.overall in ("angry", "dissatisfied")
    [e] = s.evidence
    assert e.verified and e.speaker == "caller" and any(e.quote == x.text for x in segments)


def test_trend_needs_two_turns_and_a_real_change():
    assert _trend(["angry"]) == (None, None, "unknown")
    assert _trend(["neutral", "neutral", "satisfied"])[2] == "improving"
    assert _trend(["neutral", "anxious", "neutral"])[2] == "steady"
    assert _trend(["satisfied", "neutral", "angry"])[2] == "worsening"


def test_no_caller_speech_has_no_sentiment(sentiment):
    assert sentiment.call_sentiment([seg("agent", 0, 1, "您好，12345热线。")]) is None


# --- service moments -------------------------------------------------------------------------

def test_moments_are_found_with_verbatim_quotes():
    segments = [
        seg("agent", 0.0, 2.0, "您好，很高兴为您服务。"),
        seg("caller", 2.5, 4.0, "我想查一下话费。"),
        seg("agent", 4.5, 7.0, "好的，请问怎么称呼您？本机号码能联系到您吗？"),
        seg("agent", 8.0, 10.0, "已经帮您查好了。请问还有其他可以帮到您的吗？"),
        seg("agent", 10.5, 13.0, "稍后请您对我的服务进行评价，再见。"),
    ]
    found = detect_moments(segments, SCORECARD)
    assert set(found) == {"greeting", "verification", "closing", "satisfaction_invitation"}
    assert found["greeting"].quote == "您好" and found["verification"].quote == "怎么称呼"
    for e in found.values():
        assert e is not None and any(e.quote in s.text and s.speaker == "agent" for s in segments)


def test_moments_are_not_invented():
    segments = [
        seg("agent", 0.0, 2.0, "喂，请讲。"),
        seg("agent", 3.0, 6.0, "您得带上身份证去营业厅办理，请您回复一下短信里的验证码。"),
        seg("agent", 7.0, 8.0, "不客气。"),
    ]
    found = detect_moments(segments, SCORECARD)
    assert found == {"greeting": None, "verification": None, "closing": None, "satisfaction_invitation": None}


def test_moment_patterns_must_compile():
    text = load_scorecard.__globals__["resources"].files("hotline.inspection").joinpath("scorecard_12345.yaml").read_text(encoding="utf-8")
    with pytest.raises(ScorecardError, match="not a valid regular expression"):
        parse_scorecard(text.replace('"怎么称呼|您贵姓|姓什么|您的姓名"', '"怎么称呼(("'))


# --- place, demands, routing -----------------------------------------------------------------

def test_place_from_the_callers_address_and_catalogue_districts():
    segments = [seg("caller", 0, 5, "我住在江北区临江路八十八号滨江花园，工地太吵了。")]
    place = find_place(segments, ADDRESS, CATALOGUE.districts)
    assert (place.district, place.street) == ("江北区", "临江路")
    assert place.address.startswith("江北区临江路") and place.address in segments[0].text
    bare = find_place([seg("caller", 0, 3, "我在滨海新区这边，工资一直没发。")], ADDRESS, CATALOGUE.districts)
    assert bare.district == "滨海新区" and bare.evidence[0].quote == "滨海新区"


def test_rules_demand_draft_is_marked_machine_extracted():
    segments = [seg("agent", 0, 2, "您好，12345热线。"), seg("caller", 2.5, 3.0, "喂，你好。"),
                seg("caller", 3.5, 9.0, "我家住在江南区梧桐路翠湖小区十二栋，从昨天晚上开始就停水了。")]
    assert first_substantive_turn(segments).start_s == 3.5
    place = find_place(segments, ADDRESS, CATALOGUE.districts)
    [d] = draft_demands(segments, None, place)
    assert d.source == "rules" and d.machine_extracted and d.requested_action is None and d.todos == ()
    assert d.summary == segments[2].text and d.district == "江南区" and d.urgency == "normal"
    assert all(e.verified for e in d.evidence[:1])
    assert draft_demands([seg("caller", 0, 1, "喂？")], None, Place()) == ()


def test_llm_demands_are_kept_only_with_verbatim_quotes_and_places_said():
    segments = [seg("caller", 0, 5, "江南区梧桐路停水了，麻烦尽快修。")]
    demand = {"summary": "停水", "category": "公用事业/供水/停水", "district": "江南区", "street": "梧桐路", "address": "",
              "urgency": "high", "requested_action": "尽快恢复供水", "todos": ["派人抢修"], "quote": "江南区梧桐路停水了"}
    judged = LlmJudgement(name="demands", status="judged", reason="ok", value={"demands": [demand]}, model="m", prompt_version="p")
    [d], why = demands_from_llm(judged, segments)
    assert why is None and d.source == "llm" and d.todos == ("派人抢修",) and d.evidence[0].verified
    forged = judged.model_copy(update={"value": {"demands": [{**demand, "district": "海淀区"}]}})
    assert demands_from_llm(forged, segments) == ((), "demand 1: district '海淀区' was not said in the call")
    pending = LlmJudgement(name="demands", status="pending", reason="stand-in", model="m", prompt_version="p")
    assert demands_from_llm(pending, segments) == ((), "stand-in")


def test_routing_takes_the_most_specific_rule_and_says_why():
    r = suggest_route(CATALOGUE, "劳动和社会保障/拖欠工资", Place(district="滨海新区"))
    assert (r.department, r.rule_id) == ("滨海新区人力资源和社会保障局", "R-301-wages")
    assert "R-301-wages" in r.reason and r.catalogue_version == "jiangzhou-12345@" + CATALOGUE.version
    # Top-level rule when no subcategory rule exists.
    assert suggest_route(CATALOGUE, "教育文体/校外培训与收费", Place(district="江北区")).department == "江北区教育局"
    # A rule that needs a place the call did not give is skipped, and the skip is explained.
    r = suggest_route(CATALOGUE, "劳动和社会保障/拖欠工资", Place())
    assert r.rule_id == "R-303-labour" and "R-301-wages needs the district" in r.reason
    r = suggest_route(CATALOGUE, None, Place(district="江北区"))
    assert r.rule_id == CATALOGUE.default.id and "no category" in r.reason


def test_routing_catalogue_errors_name_the_problem(tmp_path):
    bad = tmp_path / "catalogue.yaml"
    bad.write_text('catalogue_id: x\nversion: "1"\ndefault: {id: d, department: 中心}\nrules:\n  - {id: r1, category: 教育文体, department: "{city}教育局"}\n', encoding="utf-8")
    with pytest.raises(RoutingCatalogueError, match=r"may only name \{district\} or \{street\}"):
        load_routing_catalogue(bad)
    with pytest.raises(RoutingCatalogueError, match="not found"):
        load_routing_catalogue(tmp_path / "missing.yaml")


def test_inspect_call_carries_sentiment_demands_and_routing(categoriser, sentiment):
    segments = good_call()
    segments[1] = seg("caller", 3.8, 10.5, "你好，我家住在江北区幸福路十八号阳光小区3栋，楼下的工地每天晚上施工到十二点，吵得睡不着。")
    inspected, _ = inspect_call(transcript(segments), scorecard=SCORECARD, categoriser=categoriser, llm=LlmClient(LlmSettings()),
                                settings=InspectionSettings(), sentiment=sentiment, catalogue=CATALOGUE)
    assert inspected.sentiment is not None and len(inspected.sentiment.turns) == 3
    [d] = inspected.demands
    assert d.source == "rules" and d.category == inspected.category.category == "城乡建设/噪音扰民" and d.district == "江北区"
    assert inspected.routing.department == "江北区城市管理局" and inspected.routing.rule_id == "R-101-noise"
    # The new fields survive the wire, and a message from an older producer (without them) still decodes.
    assert CallInspected.decode(inspected.encode()) == inspected
    old = inspected.model_copy(update={"sentiment": None, "demands": (), "routing": None}).model_dump(mode="json")
    for k in ("sentiment", "demands", "routing"):
        del old[k]
    import json

    assert CallInspected.decode(json.dumps(old).encode()).routing is None


# --- the LLM demands task: protocol only ------------------------------------------------------

def test_demands_schema_is_strict_and_bounded():
    categories = tuple(load_category_examples().categories)
    for schema in (strict_schema(DemandsReply), strict_schema(demands_task((2, 4), categories).reply_model)):
        item = schema["properties"]["demands"]["items"]
        assert schema["properties"]["demands"]["maxItems"] == 4 and item["additionalProperties"] is False
        assert set(item["required"]) == set(item["properties"])
        assert item["properties"]["todos"]["maxItems"] == 3 and item["properties"]["summary"]["maxLength"] == 60
    # Per call: the demand cites one of the caller's turns (or 0), its category is one of the taxonomy's (or none).
    assert item["properties"]["turn"]["enum"] == [0, 2, 4]
    assert item["properties"]["category"]["enum"] == ["", *categories, "其他"]


@pytest.mark.llm
def test_standin_answers_the_demands_schema_and_is_never_used():
    binary, model = standin_binary(), standin_model()
    if binary is None or model is None:
        pytest.skip("the LLM stand-in is not installed: run ops/llm_standin.sh")
    segments = good_call()
    # SmolLM2 fills every string to its bound, more than the task's max_tokens (sized for real
    # replies) allow: the protocol check gives it room for a full schema-bounded reply.
    task = replace(demands_task((2, 4, 6)), max_tokens=1600)  # good_call's caller turns
    with StandinServer(binary, model) as server:
        with LlmClient(LlmSettings(base_url=server.base_url, stand_in=True, timeout_s=300)) as client:
            reply = client.request(task, system_prompt(SCORECARD), user_message(render_transcript(segments), task))
        # Asked through the worker's path; a reply cut short is still the stand-in's "pending".
        with LlmClient(LlmSettings(base_url=server.base_url, stand_in=True, timeout_s=300, max_tokens=48)) as client:
            judged = client.extract_demands(segments, SCORECARD)
    assert reply.outcome == "ok", reply.error
    task.reply_model.model_validate_json(reply.parsed.model_dump_json())
    assert all(d.turn in (0, 2, 4, 6) for d in reply.parsed.demands)
    assert judged.status == "pending" and judged.value is None and judged.reason.startswith(STAND_IN_REASON)
    assert demands_from_llm(judged, segments)[0] == ()
