"""The review loop: human decisions on the machine's verdicts, agents' appeals, and agreement.

Decisions are appended, never updated: the latest on a (call, item) counts and the history
stays. Each decision keeps the machine's verdict as the human saw it, so agreement is computed
from the decisions alone and a later re-inspection does not rewrite what was agreed. Stored in
the dashboard's SQLite store (see access.py for why not the warehouse); every decision and
appeal is also written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from hotline.warehouse import audit
from hotline.warehouse.access import AccessDenied, User, now_iso, open_store, require, run_scoped, scope_params, store_execute, store_frame

WHOLE_SCORE = ""  # item_id of a decision on the call's total score
WHOLE_SCORE_NAME = "总分"
# The machine gave no verdict on these: a human decision on them is not agreement or disagreement.
UNDECIDED_STATUSES = frozenset({"pending", "needs_review"})


@dataclass(frozen=True)
class CallRef:
    """The call a decision is about, as the user's scoped query returned it."""

    call_id: str
    centre_id: str
    team_id: str
    agent_id: str


@dataclass(frozen=True)
class ItemDecision:
    item_id: str
    item_name: str
    machine_status: str | None
    machine_points: float | None
    human_status: str | None
    human_points: float | None
    reason: str = ""

    @property
    def verdict(self) -> str:
        if self.machine_status in UNDECIDED_STATUSES:
            return "decide"
        same = self.human_status == self.machine_status and _same_points(self.human_points, self.machine_points)
        return "confirm" if same else "override"


def _same_points(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-9)


def _check_in_scope(user: User, call: CallRef) -> None:
    scope = scope_params(user)
    if (scope["scope_centre"] and scope["scope_centre"] != call.centre_id) or (scope["scope_team"] and scope["scope_team"] != call.team_id):
        raise AccessDenied(f"{user.username} may not act on call {call.call_id}")


def record_decisions(
    path: Path,
    user: User,
    call: CallRef,
    decisions: list[ItemDecision],
    *,
    appeal_id: int | None = None,
    appeal_outcome: str | None = None,
) -> list[int]:
    """Store a review of one call (its items and/or whole score) in one transaction, audited.

    An override needs a reason. ``appeal_id``/``appeal_outcome`` ('upheld' or 'rejected') mark
    the review as the answer to an appeal.
    """
    require(user, "review")
    _check_in_scope(user, call)
    if not decisions:
        raise ValueError("a review needs at least one decision")
    missing = [d.item_name for d in decisions if d.verdict == "override" and not d.reason.strip()]
    if missing:
        raise ValueError(f"an override needs a reason: {', '.join(missing)}")
    if (appeal_id is None) != (appeal_outcome is None):
        raise ValueError("an answer to an appeal needs both the appeal and its outcome")
    at = now_iso()
    ids: list[int] = []
    with open_store(path) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            for d in decisions:
                cur = store_execute(
                    con,
                    "review_insert_decision",
                    call_id=call.call_id,
                    centre_id=call.centre_id,
                    team_id=call.team_id,
                    agent_id=call.agent_id,
                    item_id=d.item_id,
                    item_name=d.item_name,
                    machine_status=d.machine_status,
                    machine_points=d.machine_points,
                    verdict=d.verdict,
                    human_status=d.human_status,
                    human_points=d.human_points,
                    reason=d.reason.strip(),
                    appeal_id=appeal_id,
                    appeal_outcome=appeal_outcome,
                    decided_by=user.username,
                    decided_at=at,
                )
                ids.append(int(cur.lastrowid))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    overridden = [d.item_id or WHOLE_SCORE_NAME for d in decisions if d.verdict == "override"]
    audit.record(path, user, "review", call_id=call.call_id, decisions=ids, overridden=overridden, appeal_id=appeal_id, appeal_outcome=appeal_outcome)
    return ids


def record_appeal(path: Path, user: User, call: CallRef, text: str, *, item_id: str | None = None) -> int:
    """Record an agent's appeal against the whole score (item_id None) or one item; audited."""
    require(user, "appeal")
    _check_in_scope(user, call)
    if not text.strip():
        raise ValueError("an appeal needs the agent's grounds")
    with open_store(path) as con:
        cur = store_execute(
            con,
            "review_insert_appeal",
            call_id=call.call_id,
            centre_id=call.centre_id,
            team_id=call.team_id,
            agent_id=call.agent_id,
            item_id=item_id,
            text=text.strip(),
            recorded_by=user.username,
            recorded_at=now_iso(),
        )
        appeal_id = int(cur.lastrowid)
    audit.record(path, user, "appeal", call_id=call.call_id, appeal_id=appeal_id, item_id=item_id)
    return appeal_id


# Types of the numeric columns: a store frame without rows cannot tell them.
_NUMERIC = {
    "decision_id": pl.Int64,
    "appeal_id": pl.Int64,
    "machine_points": pl.Float64,
    "human_points": pl.Float64,
    "decisions": pl.Int64,
    "confirmed": pl.Int64,
    "overridden": pl.Int64,
    "agreement": pl.Float64,
}


def _store_runner(path: Path):
    def run(name: str, params: dict) -> pl.DataFrame:
        frame = store_frame(path, name, **params)
        return frame.cast({c: t for c, t in _NUMERIC.items() if c in frame.columns})

    return run


def call_history(path: Path, user: User, call_id: str) -> pl.DataFrame:
    """Every decision on one call within the user's scope, newest first."""
    return run_scoped(user, "review_call_history", _store_runner(path), {"call_id": call_id}, kind="store")


def appeals(path: Path, user: User, *, call_id: str | None = None, only_open: bool = False) -> pl.DataFrame:
    return run_scoped(user, "review_appeals", _store_runner(path), {"call_id": call_id, "only_open": int(only_open)}, kind="store")


def reviewed_calls(path: Path, user: User) -> list[str]:
    """Calls within the user's scope whose whole score a human has decided."""
    return run_scoped(user, "review_reviewed_calls", _store_runner(path), kind="store")["call_id"].to_list()


def agreement(path: Path, user: User, *, day_from: str | None = None, day_to: str | None = None) -> pl.DataFrame:
    """Machine–human agreement per item (and the whole score, item_id ''), from the latest decisions."""
    return run_scoped(user, "review_agreement", _store_runner(path), {"day_from": day_from, "day_to": day_to}, kind="store")


def overall_agreement(per_item: pl.DataFrame) -> float | None:
    """Share of item verdicts (whole score left out) that humans confirmed."""
    items = per_item.filter(pl.col("item_id") != WHOLE_SCORE)
    total = items["decisions"].sum()
    return None if not total else items["confirmed"].sum() / total
