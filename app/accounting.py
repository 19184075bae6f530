"""Every call that entered is accounted for: landed (inspected) or dead-lettered with a reason."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from hotline.settings import WarehouseSettings

# The accounting query returns at most this many calls; a window larger than this is an error.
MAX_CALLS = 1_000_000


@dataclass(frozen=True)
class Accounting:
    outcomes: dict[str, str] = field(default_factory=dict)  # call id -> inspected | landed | dead_lettered
    reasons: dict[str, str] = field(default_factory=dict)  # call id -> dead-letter reasons
    pending: frozenset[str] = frozenset()  # expected but neither inspected nor dead-lettered yet

    @property
    def landed(self) -> int:
        return sum(1 for o in self.outcomes.values() if o == "inspected")

    @property
    def dead_lettered(self) -> int:
        return sum(1 for o in self.outcomes.values() if o == "dead_lettered")


def final_outcome(row: Mapping) -> str:
    """A call's final state from its `accounting` row: inspected, dead_lettered, or landed (still on its way).

    Inspected needs both halves stored, the inspection and the final transcript it was made from
    (the sink reads their topics independently, so either can arrive first). Otherwise a dead letter
    is the call's end, also when partial transcripts had already created its row (a call refused
    after its partials were published); a call that lands after a dead letter (a bad copy of a chunk,
    a refused recording under its id) ends inspected.
    """
    if row["inspected"] and row["transcript_final"] is True:
        return "inspected"
    if row["dead_letters"]:
        return "dead_lettered"
    return "landed"


def account_calls(cfg: WarehouseSettings, expected: Iterable[str]) -> Accounting:
    from hotline.warehouse.reader import SnapshotMissing, run_internal

    expected = set(expected)
    try:
        frame = run_internal(cfg, "accounting", limit=MAX_CALLS)
    except SnapshotMissing:
        return Accounting(pending=frozenset(expected))
    outcomes: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for row in frame.iter_rows(named=True):
        if row["call_id"] not in expected:
            continue
        outcomes[row["call_id"]] = final_outcome(row)
        if row["dead_letter_reasons"]:
            reasons[row["call_id"]] = row["dead_letter_reasons"]
    done = {c for c, o in outcomes.items() if o in ("inspected", "dead_lettered")}
    return Accounting(outcomes=outcomes, reasons=reasons, pending=frozenset(expected - done))
