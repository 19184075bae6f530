-- The review queue's rows (migration 0026) for a list of calls at once. The sink wrote the rows
-- of each batch's alerted or mandatory calls one call at a time through the view
-- queue_call_rows, a key lookup of about 4 ms each: at ten million calls a third of the sink's
-- time (60 such calls in 4,000). The view cannot take a list (a filter "call_id IN (...)" on it is
-- not pushed through its joins into the tables: 130 ms for 60 calls); this macro filters each
-- table by the list itself, so DuckDB skips to those calls in each (6 ms for 60, 17 ms with the
-- upsert). ids NULL: every call, which is what the view now reads, so the row is defined once.
CREATE MACRO queue_call_rows_of(ids) AS TABLE
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
    coalesce(a.alerts, 0) > 0 OR coalesce(i.review_state = 'mandatory_review', false) AS queue_member
FROM (SELECT * FROM calls WHERE ids IS NULL OR list_contains(ids, call_id)) AS c
LEFT JOIN (SELECT * FROM inspections WHERE ids IS NULL OR list_contains(ids, call_id)) AS i ON i.call_id = c.call_id
LEFT JOIN (
    SELECT call_id, count(*) AS alerts
    FROM alerts
    WHERE ids IS NULL OR list_contains(ids, call_id)
    GROUP BY call_id
) AS a ON a.call_id = c.call_id;

CREATE OR REPLACE VIEW queue_call_rows AS
SELECT * FROM queue_call_rows_of(NULL::VARCHAR[]);
