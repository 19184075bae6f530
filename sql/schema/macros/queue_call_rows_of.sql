-- The review queue's row (queue_calls' columns) of each call in ids, from its calls, inspections
-- and alerts rows; ids NULL: every call (the view queue_call_rows). The sink writes a batch's queue
-- calls through it in one statement (sql/internal/upsert_queue_calls.sql). Each table is filtered
-- by the list itself: a filter on the view is not pushed through its joins and would read every
-- call.
CREATE OR REPLACE MACRO queue_call_rows_of(ids) AS TABLE
SELECT
    c.call_id,
    c.centre_id,
    c.team_id,
    c.agent_id,
    c.started_at,
    c.duration_s,
    c.caller_number,
    c.transcript_final,
    i.call_id IS NOT NULL AS inspected,
    i.score,
    i.max_score,
    i.fatal,
    i.defects,
    i.category,
    i.review_state,
    i.routing_district AS district,
    coalesce(a.alerts, 0) AS alerts,
    -- In the queue: has an alert, or was sent to mandatory review.
    coalesce(a.alerts, 0) > 0 OR coalesce(i.review_state = 'mandatory_review', false) AS queue_member
FROM (SELECT * FROM calls WHERE ids IS NULL OR list_contains(ids, call_id)) AS c
LEFT JOIN (SELECT * FROM inspections WHERE ids IS NULL OR list_contains(ids, call_id)) AS i ON i.call_id = c.call_id
LEFT JOIN (
    SELECT call_id, count(*) AS alerts
    FROM alerts
    WHERE ids IS NULL OR list_contains(ids, call_id)
    GROUP BY call_id
) AS a ON a.call_id = c.call_id;
