-- Per day × agent × scorecard item: how many checks applied (passed or failed), failed, and were
-- fatal items. The agent reports (pass rates, coaching) read this instead of joining every
-- check result to its call: its size grows with days × agents × items, not with calls, so a
-- year's report at ten million calls reads about a million small rows.
-- The sink keeps it in step in the same transaction as the rows it summarises, by adding each
-- batch's new checks and subtracting the ones a re-inspection or a changed call replaces
-- (sql/internal/rollup_*.sql), so replays are never counted twice. A (day, agent, item) whose
-- checks all went away stays with zero counts: readers skip rows with applicable = 0.
-- The day is the call's local calendar day in the reporting time zone (warehouse/reader.py
-- REPORTING_TIMEZONE), spelled out so the writer's session time zone does not matter.
CREATE TABLE agent_item_days (
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    team_id VARCHAR NOT NULL,
    agent_id VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL,
    name VARCHAR,
    applicable BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    fatal_checks BIGINT NOT NULL,
    PRIMARY KEY (day, centre_id, team_id, agent_id, item_id)
);

-- Fill it from what is already stored (a warehouse created before this migration).
INSERT INTO agent_item_days
SELECT
    timezone('Asia/Shanghai', c.started_at)::DATE AS day,
    c.centre_id,
    c.team_id,
    c.agent_id,
    r.item_id,
    any_value(r.name) AS name,
    count(*) AS applicable,
    count(*) FILTER (WHERE r.status = 'failed') AS failed,
    count(*) FILTER (WHERE r.fatal) AS fatal_checks
FROM check_results AS r
INNER JOIN calls AS c USING (call_id)
WHERE r.status IN ('passed', 'failed')
GROUP BY ALL
ORDER BY day;

-- The sink's scratch for one rollup step: the check results being added or taken away
-- (filled and emptied inside one batch's transaction, like the sink_batch_* tables).
CREATE TABLE sink_rollup_checks (
    call_id VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL,
    name VARCHAR,
    status VARCHAR NOT NULL,
    fatal BOOLEAN NOT NULL
);

-- Per day × agent: inspected calls, their scores' sum and count, fatal calls. The score trend
-- reads this; the sink keeps it as agent_item_days (rollup_shift_agent_days).
CREATE TABLE agent_days (
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    team_id VARCHAR NOT NULL,
    agent_id VARCHAR NOT NULL,
    inspected BIGINT NOT NULL,
    scored BIGINT NOT NULL,
    score_sum DOUBLE NOT NULL,
    fatal_calls BIGINT NOT NULL,
    PRIMARY KEY (day, centre_id, team_id, agent_id)
);

INSERT INTO agent_days
SELECT
    timezone('Asia/Shanghai', c.started_at)::DATE AS day,
    c.centre_id,
    c.team_id,
    c.agent_id,
    count(*) AS inspected,
    count(i.score) AS scored,
    coalesce(sum(i.score), 0) AS score_sum,
    count(*) FILTER (WHERE i.fatal) AS fatal_calls
FROM inspections AS i
INNER JOIN calls AS c USING (call_id)
GROUP BY ALL
ORDER BY day;

-- Scratch for agent_days: the inspections being added or taken away.
CREATE TABLE sink_rollup_inspections (
    call_id VARCHAR NOT NULL,
    score DOUBLE,
    fatal BOOLEAN
);
