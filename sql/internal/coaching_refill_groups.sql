-- Refill the staged coaching groups from what is stored: the calls of those agents on those days
-- (a range on the stored instant, so row groups outside it are skipped), their failed checks.
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
      AND c.agent_id IN (SELECT agent_id FROM sink_coaching_groups)
      AND c.started_at >= (SELECT min(day) - 1 FROM sink_coaching_groups)::TIMESTAMPTZ
      AND c.started_at < (SELECT max(day) + 2 FROM sink_coaching_groups)::TIMESTAMPTZ
)
WHERE (day, centre_id, team_id, agent_id, item_id) IN (
    SELECT (day, centre_id, team_id, agent_id, item_id) FROM sink_coaching_groups
)
QUALIFY row_number() OVER (
    PARTITION BY day, centre_id, team_id, agent_id, item_id
    ORDER BY verified DESC NULLS LAST, started_at DESC, call_id DESC, ev_no
) <= 3;
