-- The batch's failed checks' evidence into coaching_examples, from the batch's new
-- checks (sink_batch_checks), attributed by the batch's calls rows; at most three per
-- group from the batch itself, the groups are trimmed to three next (coaching_trim_batch_groups).
-- Only for a batch none of whose calls was inspected before, so no row is there yet.
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
    FROM sink_batch_checks AS r
    INNER JOIN sink_batch_calls AS c USING (call_id),
        unnest(r.evidence) WITH ORDINALITY AS u(e, ev_no)
    WHERE r.status = 'failed'
)
QUALIFY row_number() OVER (
    PARTITION BY day, centre_id, team_id, agent_id, item_id
    ORDER BY verified DESC NULLS LAST, started_at DESC, call_id DESC, ev_no
) <= 3;
