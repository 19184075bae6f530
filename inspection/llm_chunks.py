"""Long calls: split a transcript into parts that fit one prompt, and merge the parts' replies.

Nothing is cut. A transcript longer than ``max_chars`` is split at turn boundaries (a single turn
longer than a part is split inside itself), every part is asked the same tasks, and the replies are
merged by rules that keep what matters for quality inspection:

* scorecard items: ``failed`` in any part wins (with that part's quote), else ``passed`` in any
  part, else ``not_applicable``: one rude remark anywhere fails the item;
* caller sentiment: the most negative label any part shows (a caller angry for part of the call
  is a caller to look at), with that part's quote;
* demand summary: the first part's (the caller states the matter at the start of a 12345 call);
* demands: every part's demands in order, the same summary once, at most the schema's maximum.

Quotes are still checked verbatim against the whole transcript afterwards, as for short calls.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

SEVERITY = ("satisfied", "neutral", "anxious", "dissatisfied", "angry")
_ITEM_RANK = {"failed": 2, "passed": 1, "not_applicable": 0}
MAX_DEMANDS = 4


def chunk_transcript(transcript: str, max_chars: int) -> list[str]:
    """Parts of at most ``max_chars`` characters, split between turns where possible; [] for an empty one."""
    if not transcript:
        return []
    if len(transcript) <= max_chars:
        return [transcript]
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in transcript.split("\n"):
        pieces = [line[i:i + max_chars] for i in range(0, len(line), max_chars)] or [""]
        for piece in pieces:
            if current and size + 1 + len(piece) > max_chars:
                parts.append("\n".join(current))
                current, size = [], 0
            current.append(piece)
            size += len(piece) + (1 if size else 0)
    if current:
        parts.append("\n".join(current))
    return parts


def merge_parsed(task_name: str, reply_model: type[BaseModel], parsed: Sequence[BaseModel]) -> BaseModel:
    """One reply for the whole call from the replies of its parts (all valid), by the rules above."""
    if len(parsed) == 1:
        return parsed[0]
    if task_name == "caller_sentiment":
        return max(parsed, key=lambda p: SEVERITY.index(p.label))  # type: ignore[attr-defined]
    if task_name == "demand_summary":
        return parsed[0]
    if task_name == "scorecard_items":
        merged = {}
        for name in reply_model.model_fields:
            merged[name] = max((getattr(p, name) for p in parsed), key=lambda v: _ITEM_RANK[v.verdict])
        return reply_model(**merged)
    if task_name == "demands":
        seen: set[str] = set()
        demands = []
        for p in parsed:
            for d in p.demands:  # type: ignore[attr-defined]
                if d.summary not in seen and len(demands) < MAX_DEMANDS:
                    seen.add(d.summary)
                    demands.append(d)
        return reply_model(demands=tuple(demands))
    raise ValueError(f"no merge rule for task {task_name}")
