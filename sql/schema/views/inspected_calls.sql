-- Every inspected call with what the call rollups count of it (its inspection's score, defects,
-- category, review state, caller sentiment) and the agent-day it counts under: its calls row's
-- local day in the reporting time zone (Asia/Shanghai, warehouse/reader.py), centre, team and
-- agent (and its start, which bounds the sink's staging). The source of call_days_of, agent_days_of and score_days_of: over this view they give
-- the rollups from everything stored (rebuild_call_rollups); the sink stages the rows of the
-- agent-days a batch touched (sink_inspected_calls) and gives them those.
CREATE OR REPLACE VIEW inspected_calls AS
SELECT
    timezone('Asia/Shanghai', c.started_at)::DATE AS day,
    c.centre_id,
    c.team_id,
    c.agent_id,
    i.call_id,
    c.started_at,
    i.score,
    i.max_score,
    i.fatal,
    i.defects,
    i.category,
    i.review_state,
    i.caller_sentiment
FROM inspections AS i
INNER JOIN calls AS c USING (call_id);
