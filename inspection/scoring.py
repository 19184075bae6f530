"""The call's score and where the inspected call goes next (automatic pass or human review)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from hotline.contracts import AlertRaised, CheckResult

from .scorecard import Scorecard

MAX_SCORE = 100.0
ReviewState = Literal["auto_pass", "sample_review", "mandatory_review"]


def score_checks(checks: Sequence[CheckResult]) -> tuple[float | None, bool]:
    """Passed weight over decided weight, out of 100; a failed fatal item makes it 0.

    Pending, needs_review and not_applicable items are not decided, so an unanswered LLM item
    neither helps nor hurts. A call where no item is decided (a silent call, one whose agent
    cannot be told apart) has nothing to score: None, not 0, which is a fatal failure's score and
    would drag every average down. Returns (score, fatal).
    """
    fatal = any(c.status == "failed" and c.fatal for c in checks)
    if fatal:
        return 0.0, True
    decided = [c for c in checks if c.status in ("passed", "failed")]
    total = sum(c.weight for c in decided)
    if total <= 0:
        return None, False
    return round(MAX_SCORE * sum(c.weight for c in decided if c.status == "passed") / total, 2), False


def route_review(scorecard: Scorecard, score: float | None, fatal: bool, checks: Sequence[CheckResult], alerts: Sequence[AlertRaised]) -> ReviewState:
    """Alerts, a fatal item or an item the machine could not decide send a call to mandatory review.

    A call that is not scored (``score`` None) joins no review queue unless it raised an alert:
    its undecided items are all there is, and two hundred silent calls would bury the calls that
    need a person. Pages list such calls apart, as not scored (access_calls_not_scored).
    """
    if alerts or fatal:
        return "mandatory_review"
    if score is None:
        return "auto_pass"
    if any(c.status == "needs_review" for c in checks):
        return "mandatory_review"
    # A language model's failing verdict is seen by a person before it counts against the agent:
    # the local judges' agreement on these items is weak or unmeasured (README "How right the judges are").
    if any(c.kind == "llm" and c.status == "failed" for c in checks):
        return "sample_review"
    if score < scorecard.review.sample_review_below:
        return "sample_review"
    return "auto_pass"
