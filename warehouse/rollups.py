"""Which named queries a rollup can answer, and when: the one place that picks a rollup variant.

The overview's queries (access_kpis, access_daily, access_categories) filter the
calls through scoped_calls, which joins every call of the window to its inspection: ten million
of each for a year at 10 M calls. Their ``<name>_rollup`` variants read the call_days rollup
(kept in step by the sink) and the calls table alone instead, and return the same
columns and values (up to floating-point rounding of averages), but only for the filters the
rollup keeps: the dates, the scope, centre, team and agent (and category where the rollup is
keyed by it). A filter on what an inspection found (score range, review state, district) or a
human-review filter sends the page to the base query. The routing pages' headline figures,
departments, agreement and bounces read every work order of the window; their variants read the routing
day rollups (work_order_days, ...), which are kept per centre: pages scoped to a team keep the base
query. ``run_scoped`` asks :func:`pick` before it runs a query; pages name the base query only.
"""

from __future__ import annotations

from typing import Any

from hotline.warehouse import sqlfiles

# Base query -> (variant, the parameters that must be "any" (NULL, or an empty list) for it).
VARIANTS: dict[str, tuple[str, frozenset[str]]] = {
    # Takes the reviewed calls ($reviewed) off the review queue itself.
    "access_kpis": (
        "access_kpis_rollup",
        frozenset({"category", "score_min", "score_max", "review_state", "district", "human_review"}),
    ),
    # $reviewed only matters through $human_review for these two.
    "access_daily": (
        "access_daily_rollup",
        frozenset({"category", "score_min", "score_max", "review_state", "district", "human_review"}),
    ),
    "access_categories": (
        "access_categories_rollup",
        frozenset({"score_min", "score_max", "review_state", "district", "human_review"}),
    ),
    # The routing day rollups (work_order_days, ...) are kept per centre: a page scoped to a team reads
    # the order rows (a team's share of them is small).
    "access_routing_kpis": ("access_routing_kpis_rollup", frozenset({"scope_team"})),
    "access_routing_departments": ("access_routing_departments_rollup", frozenset({"scope_team"})),
    "access_routing_agreement": ("access_routing_agreement_rollup", frozenset({"scope_team"})),
    "access_routing_bounces": ("access_routing_bounces_rollup", frozenset({"scope_team"})),
}


def _unset(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, list | tuple | set | frozenset):
        return len(value) == 0
    return False


def pick(name: str, params: dict[str, Any], kind: sqlfiles.Kind = "queries") -> tuple[str, dict[str, Any]]:
    """The query to run for ``name`` with ``params`` (which carry the scope): its rollup variant
    with the parameters that variant takes where that gives the same result, else ``name`` and
    ``params`` unchanged."""
    variant = VARIANTS.get(name) if kind == "queries" else None
    if variant is None:
        return name, params
    rollup, must_be_unset = variant
    # A parameter the base query does not take is the base query's error to report.
    if not set(params) <= set(sqlfiles.parameters(name, kind)):
        return name, params
    if not all(_unset(params.get(p)) for p in must_be_unset):
        return name, params
    taken = sqlfiles.parameters(rollup, kind)
    return rollup, {p: v for p, v in params.items() if p in taken}
