-- Keep the first three examples (verified first, newest call next, as coaching_examples keeps them) of
-- each group the batch's new failed checks (sink_batch_checks) added examples to. The groups are
-- joined on their columns, so the scan of coaching_examples skips row groups outside the
-- batch's days.
DELETE FROM coaching_examples AS x
USING (
    SELECT e.call_id, e.item_id, e.ev_no
    FROM coaching_examples AS e
    SEMI JOIN (
        SELECT DISTINCT
            timezone('Asia/Shanghai', c.started_at)::DATE AS day,
            c.centre_id,
            c.team_id,
            c.agent_id,
            r.item_id
        FROM sink_batch_checks AS r
        INNER JOIN sink_batch_calls AS c USING (call_id)
        WHERE r.status = 'failed' AND len(r.evidence) > 0
    ) AS g USING (day, centre_id, team_id, agent_id, item_id)
    QUALIFY row_number() OVER (
        PARTITION BY e.day, e.centre_id, e.team_id, e.agent_id, e.item_id
        ORDER BY e.verified DESC NULLS LAST, e.started_at DESC, e.call_id DESC, e.ev_no
    ) > 3
) AS d
WHERE x.call_id = d.call_id AND x.item_id = d.item_id AND x.ev_no = d.ev_no;
