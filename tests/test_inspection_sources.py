"""settings.inspection.{category,sentiment}_source: which judge a call's own figures come from."""

from __future__ import annotations

from hotline.contracts import CallSentiment, CategorySuggestion, Evidence, LlmJudgement
from hotline.inspection.sources import choose_category, choose_sentiment
from hotline.settings import InspectionSettings

EMBEDDED_CATEGORY = CategorySuggestion(category="公用事业/供水", score=0.8, method="nearest-examples")
EMBEDDED_SENTIMENT = CallSentiment(method="prototypes", overall="neutral", trend="steady")
EVIDENCE = Evidence(quote="我真的很着急", speaker="caller", start_s=3.5, end_s=10.0, verified=True)


def judgement(name: str, status: str = "judged", **value) -> LlmJudgement:
    return LlmJudgement(name=name, status=status, reason="judged by LLM", value=value or None, model="qwen-test")


def test_embedding_is_the_default_whatever_the_llm_said():
    settings = InspectionSettings()
    llm = [judgement("demand_summary", summary="停电", category="公用事业/供电", district=""),
           judgement("caller_sentiment", label="angry", turn=2, quote="x", evidence=EVIDENCE.model_dump(mode="json"))]
    assert choose_category(settings, EMBEDDED_CATEGORY, llm) == EMBEDDED_CATEGORY
    assert choose_sentiment(settings, EMBEDDED_SENTIMENT, llm) == EMBEDDED_SENTIMENT


def test_llm_source_takes_the_judged_answer_and_names_the_model():
    settings = InspectionSettings(category_source="llm", sentiment_source="llm")
    llm = [judgement("demand_summary", summary="停电", category="公用事业/供电", district=""),
           judgement("caller_sentiment", label="angry", turn=2, quote="x", evidence=EVIDENCE.model_dump(mode="json"))]
    category = choose_category(settings, EMBEDDED_CATEGORY, llm)
    assert category.category == "公用事业/供电" and category.method == "llm:qwen-test"
    sentiment = choose_sentiment(settings, EMBEDDED_SENTIMENT, llm)
    assert sentiment.overall == "angry" and sentiment.method == "llm:qwen-test" and sentiment.evidence == (EVIDENCE,)
    assert sentiment.trend == "steady"  # per-turn figures stay the embedding judge's


def test_llm_source_falls_back_when_the_llm_has_no_trusted_answer():
    settings = InspectionSettings(category_source="llm", sentiment_source="llm")
    pending = [judgement("demand_summary", status="pending"), judgement("caller_sentiment", status="needs_review", label="angry", turn=0)]
    assert choose_category(settings, EMBEDDED_CATEGORY, pending) == EMBEDDED_CATEGORY
    assert choose_sentiment(settings, EMBEDDED_SENTIMENT, pending) == EMBEDDED_SENTIMENT
    other = [judgement("demand_summary", summary="其他事项", category="其他", district="")]
    assert choose_category(settings, EMBEDDED_CATEGORY, other) == EMBEDDED_CATEGORY


def test_a_failing_llm_verdict_is_sampled_for_a_person_before_it_counts():
    from hotline.contracts import CheckResult
    from hotline.inspection.scorecard import load_scorecard
    from hotline.inspection.scoring import route_review, score_checks

    def check(item_id: str, kind: str, status: str, weight: float = 10.0) -> CheckResult:
        return CheckResult(item_id=item_id, name=item_id, kind=kind, status=status, weight=weight,
                           points=weight if status == "passed" else 0.0, reason="x", evidence=(EVIDENCE,))

    scorecard = load_scorecard()
    rules = [check(f"rule{i}", "rule", "passed") for i in range(9)]
    by_llm = [*rules, check("empathy", "llm", "failed")]
    score, fatal = score_checks(by_llm)
    assert score == 90.0 and route_review(scorecard, score, fatal, by_llm, []) == "sample_review"
    by_rule = [*rules, check("greeting", "rule", "failed")]
    assert route_review(scorecard, *score_checks(by_rule), by_rule, []) == "auto_pass"


def test_measured_agreement_is_shown_for_measured_items_and_unmeasured_says_so():
    from hotline.inspection.llm_agreement import UNMEASURED, agreement_note

    measured = agreement_note("qwen2.5-coder-1.5b-instruct-q4_k_m", "demand_summary")
    assert "qwen2.5-coder-1.5b-instruct-q4_k_m" in measured and "%" in measured and "bench.eval_inspection" in measured
    assert agreement_note("qwen2.5-coder-1.5b-instruct-q4_k_m", "empathy").endswith(UNMEASURED)
    assert agreement_note("someone-elses-model", "caller_sentiment").endswith(UNMEASURED)
    assert agreement_note(None, "caller_sentiment").endswith(UNMEASURED)
