"""The call's score and where the inspected call goes next (automatic pass or human review)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from hotline.contracts import AlertRaised, CheckResult

from .scorecard import Scorecard

MAX_SCORE = 100.0
ReviewState = Literal["auto_pass", "sample_review", "mandatory_review"]


def score_checks(checks: Sequence[CheckResult]) -> tuple[float, bool]:
    """Passed weight over decided weight, out of 100; a failed fatal item makes it 0.

    Pending, needs_review and not_applicable items are not decided, so an unanswered LLM item
    neither helps nor hurts. Returns (score, fatal).
    """
    fatal = any(c.status == "failed" and c.fatal for c in checks)
    decided = [c for c in checks if c.status in ("passed", "failed")]
    total = sum(c.weight for c in decided)
    if fatal or total <= 0:
        return 0.0, fatal
    return round(MAX_SCORE * sum(c.weight for c in decided if c.status == "passed") / total, 2), fatal


def route_review(scorecard: Scorecard, score: float, fatal: bool, checks: Sequence[CheckResult], alerts: Sequence[AlertRaised]) -> ReviewState:
    if alerts or fatal or any(c.status == "needs_review" for c in checks):
        return "mandatory_review"
    if score < scorecard.review.sample_review_below:
        return "sample_review"
    return "auto_pass"
