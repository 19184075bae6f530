"""Scorecard items judged by an LLM, as check results held to the same evidence rule as the rules.

A verdict is only decided when its quote is found verbatim in the transcript; otherwise it goes to
a person. Pending judgements (no LLM, stand-in, server down) stay pending and are not scored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hotline.contracts import CheckResult, LlmJudgement, Segment

from .callview import make_result
from .evidence import find_quote
from .llm import NOT_REQUESTED_REASON
from .scorecard import ScorecardItem


def llm_item_checks(items: Sequence[ScorecardItem], judgements: Mapping[str, LlmJudgement], segments: Sequence[Segment]) -> list[CheckResult]:
    checks = []
    for item in items:
        j = judgements.get(item.id)
        if j is None:
            checks.append(make_result(item, "pending", NOT_REQUESTED_REASON))
            continue
        if j.status != "judged" or not j.value:
            checks.append(make_result(item, j.status, j.reason))
            continue
        verdict, quote, why = j.value.get("verdict"), str(j.value.get("quote", "")), str(j.value.get("reason", ""))
        source = f"LLM {j.model or '?'} (prompt {j.prompt_version})"
        if verdict == "not_applicable":
            checks.append(make_result(item, "not_applicable", f"{source}: {why}"))
            continue
        evidence = find_quote(quote, segments)
        if evidence is None:
            checks.append(make_result(item, "needs_review", f"{source} judged '{verdict}' but its quote {quote!r} is not verbatim in the transcript"))
            continue
        checks.append(make_result(item, str(verdict), f"{source}: {why}", [evidence], fatal=item.fatal))
    return checks
