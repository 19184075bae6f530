-- One row per call that has an alert or was sent to mandatory review, with the review list's
-- columns (scoped_calls' columns but human_reviewed, which comes from the review store when read),
-- so the queue need not scan every call. Written by the sink whenever an alert, transcript or
-- inspection of the call lands (upsert_queue_calls.sql, rows from queue_call_rows_of). Read by the
-- review queue (scoped_queue_calls), the overview's alerts (scoped_alerted_calls) and
-- access_kpis_rollup.
CREATE TABLE queue_calls (
    call_id VARCHAR PRIMARY KEY,
    centre_id VARCHAR,
    team_id VARCHAR,
    agent_id VARCHAR,
    started_at TIMESTAMPTZ,
    duration_s DOUBLE,
    caller_number VARCHAR,
    transcript_final BOOLEAN,
    inspected BOOLEAN,
    score DOUBLE,
    max_score DOUBLE,
    fatal BOOLEAN,
    defects VARCHAR[],
    category VARCHAR,
    review_state VARCHAR,
    -- inspections.routing_district.
    district VARCHAR,
    -- How many alerts the call has.
    alerts BIGINT NOT NULL,
    -- false: the call is no longer in the queue (e.g. re-inspected out of mandatory review);
    -- readers skip it.
    queue_member BOOLEAN NOT NULL
);
