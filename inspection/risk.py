"""Risk alerts: phrases in the caller's speech that a supervisor must see at once.

Raised for partial transcripts too, so a threat is seen while the call is still going on. Only
caller (or unattributed) speech is scanned: an agent saying "您别想不开" is not a risk.

A partial and the final transcript raise the same alert again, from decodes whose times (and
segment boundaries) differ slightly. So an alert's ``identity`` is the phrase it quotes and which
occurrence of that phrase in the caller's speech it is ("拉横幅#1"): the same in every decode that
heard the same words. Readers de-duplicate on (call_id, kind, identity).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from hotline.contracts import AlertRaised, CheckResult, Segment

from .evidence import quote_segment
from .scorecard import Scorecard
from .textmatch import find_phrases


def detect_risks(call_id: str, segments: Sequence[Segment], scorecard: Scorecard, *, from_partial: bool = False) -> list[AlertRaised]:
    """One alert per risk kind per segment, quoting the first phrase that matched."""
    alerts: list[AlertRaised] = []
    # Occurrences so far of each (kind, phrase) in the caller's speech, every hit counted (not only
    # the quoted one), so the count does not depend on where a decode put its segment boundaries.
    seen: Counter[tuple[str, str]] = Counter()
    for seg in sorted(segments, key=lambda s: (s.start_s, s.end_s)):
        if seg.speaker == "agent":
            continue
        for kind, spec in scorecard.alerts.items():
            hits = find_phrases(seg.text, spec.phrases)
            if not hits:
                continue
            first = seen[(kind, hits[0].phrase)] + 1
            seen.update((kind, h.phrase) for h in hits)
            ev = quote_segment(seg, hits[0].start, hits[0].end)
            alerts.append(
                AlertRaised(
                    call_id=call_id,
                    kind=kind,
                    severity=spec.severity,
                    quote=ev.quote,
                    speaker=ev.speaker,
                    start_s=ev.start_s,
                    end_s=ev.end_s,
                    from_partial=from_partial,
                    identity=f"{hits[0].phrase}#{first}",
                )
            )
    return alerts


def abusive_agent_alerts(call_id: str, checks: Sequence[CheckResult]) -> list[AlertRaised]:
    """An agent's fatal forbidden phrase is also an alert: a supervisor should hear it today."""
    return [
        AlertRaised(call_id=call_id, kind="abusive_agent", severity="high", quote=e.quote, speaker=e.speaker, start_s=e.start_s, end_s=e.end_s)
        for c in checks
        if c.item_id == "forbidden_phrase" and c.status == "failed" and c.fatal
        for e in c.evidence[:1]
        if e.verified
    ]
