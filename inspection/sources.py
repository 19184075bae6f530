"""Which judge a call's category and caller sentiment come from: the embedding judges or the LLM.

Both always run when an LLM is configured; the LLM's answers are kept as LLM judgements either way.
settings.inspection.category_source / sentiment_source say which one the call's own figures use,
chosen by measured agreement with human labels (bench.eval_inspection). The LLM's answer is used
only when it was judged with verified evidence; otherwise the embedding judge's stands.
"""

from __future__ import annotations

from collections.abc import Sequence

from hotline.contracts import CallSentiment, CategorySuggestion, Evidence, LlmJudgement
from hotline.settings import InspectionSettings

from .llm_prompts import OTHER_CATEGORY


def _judged(judgements: Sequence[LlmJudgement], name: str) -> LlmJudgement | None:
    j = next((j for j in judgements if j.name == name), None)
    return j if j is not None and j.status == "judged" and isinstance(j.value, dict) else None


def choose_category(settings: InspectionSettings, embedding: CategorySuggestion | None,
                    judgements: Sequence[LlmJudgement]) -> CategorySuggestion | None:
    j = _judged(judgements, "demand_summary") if settings.category_source == "llm" else None
    if j is None or j.value.get("category") in (None, "", OTHER_CATEGORY):  # type: ignore[union-attr]
        return embedding
    # The model names one category with no similarity to report: its score is not a probability.
    return CategorySuggestion(category=j.value["category"], score=1.0, method=f"llm:{j.model}")  # type: ignore[index]


def choose_sentiment(settings: InspectionSettings, embedding: CallSentiment | None,
                     judgements: Sequence[LlmJudgement]) -> CallSentiment | None:
    j = _judged(judgements, "caller_sentiment") if settings.sentiment_source == "llm" else None
    if j is None or "evidence" not in j.value:  # type: ignore[operator]
        return embedding
    evidence = Evidence.model_validate(j.value["evidence"])  # type: ignore[index]
    # Per-turn labels and the trend are the embedding judge's (the LLM gives one label per call).
    base = embedding.model_dump() if embedding is not None else {}
    return CallSentiment(**{**base, "method": f"llm:{j.model}", "overall": j.value["label"], "evidence": (evidence,)})  # type: ignore[index]
