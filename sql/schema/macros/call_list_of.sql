-- The call list's columns of rows, the name of a relation with scoped_calls' columns: the caller's
-- number masked (a list never carries a full number) and the defects counted. Read by the call
-- lists, access_calls (which adds the alert counts) and access_calls_not_scored (which leaves out
-- the scores), so both lists show a call the same way.
CREATE OR REPLACE MACRO call_list_of(rows) AS TABLE
SELECT
    r.call_id,
    r.started_at,
    r.centre_id,
    r.team_id,
    r.agent_id,
    masked_number(r.caller_number) AS caller_masked,
    r.duration_s,
    r.transcript_final,
    r.inspected,
    r.score,
    r.max_score,
    r.fatal,
    coalesce(len(r.defects), 0) AS defects,
    r.category,
    r.review_state,
    r.human_reviewed
FROM query_table(rows) AS r;
