-- coaching_examples' one definition: of the failed checks in the relation named `checked` (as
-- agent_item_days_of), each quote of their evidence, the first three per agent-day and item:
-- verified quotes first, then the newest call (the order access_agent_coaching shows them in).
CREATE OR REPLACE MACRO coaching_examples_of(checked) AS TABLE
SELECT
    r.day,
    r.centre_id,
    r.team_id,
    r.agent_id,
    r.item_id,
    r.call_id,
    u.ev_no::INTEGER AS ev_no,
    r.started_at,
    r.reason,
    u.e.quote AS quote,
    u.e.start_s AS start_s,
    u.e.verified AS verified
-- Failed checks first, then their evidence unnested: the passed ones' is never expanded.
FROM (SELECT * FROM query_table(checked) WHERE status = 'failed') AS r,
    unnest(r.evidence) WITH ORDINALITY AS u(e, ev_no)
QUALIFY row_number() OVER (
    PARTITION BY r.day, r.centre_id, r.team_id, r.agent_id, r.item_id
    ORDER BY u.e.verified DESC NULLS LAST, r.started_at DESC, r.call_id DESC, u.ev_no
) <= 3;
