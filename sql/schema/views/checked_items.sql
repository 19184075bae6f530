-- Every check result with the agent-day its call counts under (as inspected_calls) and the call's
-- start: the source of agent_item_days_of and coaching_examples_of, over everything stored
-- (rebuild_call_rollups) or over the rows of the agent-days a sink batch touched
-- (sink_checked_items).
CREATE OR REPLACE VIEW checked_items AS
SELECT
    timezone('Asia/Shanghai', c.started_at)::DATE AS day,
    c.centre_id,
    c.team_id,
    c.agent_id,
    r.call_id,
    c.started_at,
    r.item_id,
    r.name,
    r.status,
    r.fatal,
    r.reason,
    r.evidence
FROM check_results AS r
INNER JOIN calls AS c USING (call_id);
