-- Per day × agent × scorecard item: the few newest failed checks' evidence, with the call and the
-- quote, so a coaching page shows examples without reading every check result (a year at ten
-- million calls is a hundred million of them). One row per evidence item of a failed check
-- (ev_no its position in the check's evidence); each (day, agent, item) keeps its first three
-- by verified quotes first, then the newest call (access_agent_coaching orders the same way, so
-- its picks over any window of days are among these).
-- The sink keeps it in step in the same transaction as the checks (sql/internal/coaching_*.sql);
-- retention clears its quotes with the checks' (purge_evidence_quotes_before).
-- The day is the call's local day in the reporting time zone, as in agent_item_days (0016).
CREATE TABLE coaching_examples (
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    team_id VARCHAR NOT NULL,
    agent_id VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL,
    call_id VARCHAR NOT NULL,
    ev_no INTEGER NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    reason VARCHAR,
    quote VARCHAR,
    start_s DOUBLE,
    verified BOOLEAN,
    PRIMARY KEY (call_id, item_id, ev_no)
);

-- Fill it from what is already stored (a warehouse created before this migration).
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

-- The sink's scratch while it refills the examples of (day, agent, item) groups a rewritten or
-- re-inspected call leaves or joins (filled and emptied inside one batch's transaction).
CREATE TABLE sink_coaching_groups (
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    team_id VARCHAR NOT NULL,
    agent_id VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL
);

-- The sink's scratch for a batch's new check results (the rows it appends to check_results, as
-- far as the rollups and coaching examples read them): their deltas are computed from here, not
-- by finding them again in check_results (filled and emptied inside one batch's transaction).
CREATE TABLE sink_batch_checks (
    call_id VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL,
    name VARCHAR,
    status VARCHAR NOT NULL,
    fatal BOOLEAN NOT NULL,
    reason VARCHAR,
    evidence STRUCT(quote VARCHAR, speaker VARCHAR, start_s DOUBLE, end_s DOUBLE, verified BOOLEAN)[]
);
