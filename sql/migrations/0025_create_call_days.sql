-- Per day × agent × category: what the overview reads of inspected calls (how many, score and
-- max-score sums, passed, defective, fatal, waiting for review). The overview's KPIs, daily
-- trend and category counts read this instead of joining every call to its inspection (ten
-- million of each at 10 M calls): its size grows with days × agents × categories, not with calls.
-- Only inspected calls are counted here: a call lands (calls row) without its inspection, often
-- in a batch with no inspection at all, so the calls landed are counted from calls itself.
-- The sink keeps it in step in the same transaction as the rows it summarises, like agent_days
-- (migration 0016): each batch of never-inspected calls adds its inspections
-- (rollup_add_batch_call_days); a batch rewriting a call inspected before subtracts everything
-- stored about it under its old attribution and adds it back after (rollup_shift_call_days), so
-- replays are never counted twice. A row whose calls all went away stays with zero counts:
-- readers skip rows with inspected = 0.
-- category is the inspection's suggested category, '' where it has none (a key column cannot be
-- NULL); readers turn '' back into NULL. The day is the call's local calendar day in the
-- reporting time zone (warehouse/reader.py REPORTING_TIMEZONE), spelled out as in 0016.
-- passed / defective follow access_kpis' CASE expressions exactly: passed = no defects and not
-- fatal; defective = some defect or fatal; a NULL defects list or fatal flag is neither.
CREATE TABLE call_days (
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    team_id VARCHAR NOT NULL,
    agent_id VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    inspected BIGINT NOT NULL,
    scored BIGINT NOT NULL,
    score_sum DOUBLE NOT NULL,
    max_scored BIGINT NOT NULL,
    max_score_sum DOUBLE NOT NULL,
    passed BIGINT NOT NULL,
    defective BIGINT NOT NULL,
    fatal_calls BIGINT NOT NULL,
    review_queue BIGINT NOT NULL,
    mandatory_review BIGINT NOT NULL,
    PRIMARY KEY (day, centre_id, team_id, agent_id, category)
);

-- call_days as derived from everything stored: the backfill below, and the fill after a bulk
-- load without the sink (sql/internal/fill_call_days.sql, bench/warehouse.py).
CREATE VIEW call_days_derived AS
SELECT
    timezone('Asia/Shanghai', c.started_at)::DATE AS day,
    c.centre_id,
    c.team_id,
    c.agent_id,
    coalesce(i.category, '') AS category,
    count(*) AS inspected,
    count(i.score) AS scored,
    coalesce(sum(i.score), 0) AS score_sum,
    count(i.max_score) AS max_scored,
    coalesce(sum(i.max_score), 0) AS max_score_sum,
    count(*) FILTER (WHERE len(i.defects) = 0 AND NOT i.fatal) AS passed,
    count(*) FILTER (WHERE len(i.defects) > 0 OR i.fatal) AS defective,
    count(*) FILTER (WHERE i.fatal) AS fatal_calls,
    count(*) FILTER (WHERE i.review_state IN ('mandatory_review', 'sample_review')) AS review_queue,
    count(*) FILTER (WHERE i.review_state = 'mandatory_review') AS mandatory_review
FROM inspections AS i
INNER JOIN calls AS c USING (call_id)
GROUP BY ALL;

-- Fill it from what is already stored (a warehouse created before this migration).
INSERT INTO call_days
SELECT * FROM call_days_derived
ORDER BY day;

-- The sink's scratch for the slow path (sink_rollup_inspections, 0016) now carries what both day
-- rollups need: the inspection's columns and the calls row's attribution (day, centre, team,
-- agent) as it stands when staged (rollup_stage_call_inspections). agent_days and call_days are
-- then shifted from it alone, and the calls table is read once per step, not once per rollup.
ALTER TABLE sink_rollup_inspections ADD COLUMN max_score DOUBLE;
ALTER TABLE sink_rollup_inspections ADD COLUMN defects VARCHAR[];
ALTER TABLE sink_rollup_inspections ADD COLUMN category VARCHAR;
ALTER TABLE sink_rollup_inspections ADD COLUMN review_state VARCHAR;
ALTER TABLE sink_rollup_inspections ADD COLUMN day DATE;
ALTER TABLE sink_rollup_inspections ADD COLUMN centre_id VARCHAR;
ALTER TABLE sink_rollup_inspections ADD COLUMN team_id VARCHAR;
ALTER TABLE sink_rollup_inspections ADD COLUMN agent_id VARCHAR;
