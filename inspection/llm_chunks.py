"""Long calls: split a transcript into parts that fit one prompt, and merge the parts' replies.

Nothing is cut. A transcript longer than ``max_chars`` is split at turn boundaries (a single turn
longer than a part is split inside itself), every part is asked the same tasks, and the replies are
merged by rules that keep what matters for quality inspection:

* a scorecard item: ``failed`` in any part wins (with the turn that part cited), else ``passed`` in
  any part, else ``not_applicable``: one rude remark anywhere fails the item;
* caller sentiment: the most negative label any part shows (a caller angry for part of the call
  is a caller to look at), with that part's cited turn;
* demand summary: the first part's (the caller states the matter at the start of a 12345 call);
* demands: every part's demands in order, the same summary once, at most the schema's maximum.

Turn numbers are global (the transcript is numbered before it is split), so a part's citation
resolves against the whole call.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from .llm_prompts import DemandsReply

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


def merge_parsed(kind: str, reply_model: type[BaseModel], parsed: Sequence[BaseModel]) -> BaseModel:
    """One reply for the whole call from the replies of its parts (all valid), by the rules above."""
    if len(parsed) == 1:
        return parsed[0]
    if kind == "sentiment":
        return max(parsed, key=lambda p: SEVERITY.index(p.label))  # type: ignore[attr-defined]
    if kind == "summary":
        return parsed[0]
    if kind == "item":
        return max(parsed, key=lambda p: _ITEM_RANK[p.verdict])  # type: ignore[attr-defined]
    if kind == "demands":
        seen: set[str] = set()
        demands = []
        for p in parsed:
            for d in p.demands:  # type: ignore[attr-defined]
                if d.summary not in seen and len(demands) < MAX_DEMANDS:
                    seen.add(d.summary)
                    demands.append(d)
        # Each part was validated against its own turn numbers (a subclass of DemandItem each), so
        # the merged reply is the base model: it holds items of every part.
        return DemandsReply(demands=tuple(demands))
    raise ValueError(f"no merge rule for tasks of kind {kind}")
