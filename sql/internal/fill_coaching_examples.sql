-- Fill an empty coaching_examples from everything stored: for a
-- warehouse loaded in bulk without the sink (bench/warehouse.py), after the load.
INSERT INTO coaching_examples
SELECT day, centre_id, team_id, agent_id, item_id, call_id, ev_no, started_at, reason, quote, start_s, verified
FROM (
    SELECT
        timezone('Asia/Shanghai', c.started_at)::DATE AS day,
        c.centre_id,
        c.team_id,
        c.agent_id,
        r.item_id,
        r.call_id,
        u.ev_no::INTEGER AS ev_no,
        c.started_at,
        r.reason,
        u.e.quote AS quote,
        u.e.start_s AS start_s,
        u.e.verified AS verified
    FROM check_results AS r
    INNER JOIN calls AS c USING (call_id),
        unnest(r.evidence) WITH ORDINALITY AS u(e, ev_no)
    WHERE r.status = 'failed'
)
QUALIFY row_number() OVER (
    PARTITION BY day, centre_id, team_id, agent_id, item_id
    ORDER BY verified DESC NULLS LAST, started_at DESC, call_id DESC, ev_no
) <= 3
ORDER BY day;
