-- The agent—team—centre report (access_org_rollup) without joining every call of the window to
-- its inspection, its turns and its sentiment (3.3 M calls for one centre's year at 10 M calls,
-- and a window function over every turn: some 200 M turns with real transcripts).
--
-- 1. Talk and silence stored on the calls row. call_metrics was a view that ordered every turn
--    of the warehouse to find the gaps between them on each read. The sink now writes the same
--    figures with the transcript (warehouse/talk.py, from the message's segments in the same
--    order as turn_no), and the view reads them. The definition is 0008's, with one correction:
--    least()/greatest() skip NULLs in DuckDB, so the first turn of a call (no turn before it)
--    counted its whole length as overlap; overlap is now only time where a turn starts before an
--    earlier one ended.
ALTER TABLE calls ADD COLUMN turn_count INTEGER;
ALTER TABLE calls ADD COLUMN agent_talk_s DOUBLE;
ALTER TABLE calls ADD COLUMN caller_talk_s DOUBLE;
ALTER TABLE calls ADD COLUMN silence_s DOUBLE;
ALTER TABLE calls ADD COLUMN longest_silence_s DOUBLE;
ALTER TABLE calls ADD COLUMN overlap_s DOUBLE;
ALTER TABLE calls ADD COLUMN agent_talk_share DOUBLE;
ALTER TABLE calls ADD COLUMN silence_share DOUBLE;
ALTER TABLE sink_batch_calls ADD COLUMN turn_count INTEGER;
ALTER TABLE sink_batch_calls ADD COLUMN agent_talk_s DOUBLE;
ALTER TABLE sink_batch_calls ADD COLUMN caller_talk_s DOUBLE;
ALTER TABLE sink_batch_calls ADD COLUMN silence_s DOUBLE;
ALTER TABLE sink_batch_calls ADD COLUMN longest_silence_s DOUBLE;
ALTER TABLE sink_batch_calls ADD COLUMN overlap_s DOUBLE;
ALTER TABLE sink_batch_calls ADD COLUMN agent_talk_share DOUBLE;
ALTER TABLE sink_batch_calls ADD COLUMN silence_share DOUBLE;

-- The figures of calls stored before this migration, from their turns (the corrected overlap).
UPDATE calls
SET
    turn_count = m.turns,
    agent_talk_s = m.agent_talk_s,
    caller_talk_s = m.caller_talk_s,
    silence_s = m.silence_s,
    longest_silence_s = m.longest_silence_s,
    overlap_s = m.overlap_s,
    agent_talk_share = m.agent_talk_share,
    silence_share = m.silence_share
FROM (
    SELECT
        call_id,
        count(*) AS turns,
        coalesce(sum(end_s - start_s) FILTER (WHERE speaker = 'agent'), 0) AS agent_talk_s,
        coalesce(sum(end_s - start_s) FILTER (WHERE speaker = 'caller'), 0) AS caller_talk_s,
        coalesce(sum(greatest(start_s - prev_end_s, 0)), 0) AS silence_s,
        coalesce(max(greatest(start_s - prev_end_s, 0)), 0) AS longest_silence_s,
        coalesce(sum(CASE WHEN prev_end_s IS NOT NULL THEN greatest(least(prev_end_s, end_s) - start_s, 0) END), 0) AS overlap_s,
        CASE WHEN agent_talk_s + caller_talk_s > 0 THEN agent_talk_s / (agent_talk_s + caller_talk_s) END AS agent_talk_share,
        CASE WHEN any_value(duration_s) > 0 THEN silence_s / any_value(duration_s) END AS silence_share
    FROM (
        SELECT
            t.call_id,
            t.speaker,
            t.start_s,
            t.end_s,
            c.duration_s,
            max(t.end_s) OVER (PARTITION BY t.call_id ORDER BY t.turn_no ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end_s
        FROM turns AS t
        INNER JOIN calls AS c USING (call_id)
    )
    GROUP BY call_id
) AS m
WHERE calls.call_id = m.call_id;

-- Same columns as 0008's view: one row per call with turns.
CREATE OR REPLACE VIEW call_metrics AS
SELECT
    call_id,
    turn_count AS turns,
    agent_talk_s,
    caller_talk_s,
    silence_s,
    longest_silence_s,
    overlap_s,
    agent_talk_share,
    silence_share
FROM calls
WHERE turn_count > 0;

-- 2. The caller's sentiment on the inspection row, as call_sentiment (0012) resolves it: the
--    inspection's own where it has one, else the judged LLM item of the same inspection. The sink
--    writes it with the inspection (warehouse/batch.py); call_days counts it (below).
ALTER TABLE inspections ADD COLUMN caller_sentiment VARCHAR;
ALTER TABLE sink_batch_inspections ADD COLUMN caller_sentiment VARCHAR;

UPDATE inspections
SET caller_sentiment = s.caller_sentiment
FROM (SELECT call_id, any_value(caller_sentiment) AS caller_sentiment FROM call_sentiment GROUP BY call_id) AS s
WHERE inspections.call_id = s.call_id;

-- 3. call_days (0025) counts the inspected calls whose caller's sentiment is known, and the
--    negative ones (dissatisfied, angry), as the report's negative-caller share does.
ALTER TABLE call_days ADD COLUMN sentiment_known BIGINT NOT NULL DEFAULT 0;
ALTER TABLE call_days ADD COLUMN negative_caller BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sink_rollup_inspections ADD COLUMN caller_sentiment VARCHAR;

CREATE OR REPLACE VIEW call_days_derived AS
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
    count(*) FILTER (WHERE i.review_state = 'mandatory_review') AS mandatory_review,
    count(i.caller_sentiment) AS sentiment_known,
    count(*) FILTER (WHERE i.caller_sentiment IN ('dissatisfied', 'angry')) AS negative_caller
FROM inspections AS i
INNER JOIN calls AS c USING (call_id)
GROUP BY ALL;

DELETE FROM call_days;

INSERT INTO call_days
SELECT * FROM call_days_derived
ORDER BY day;

-- 4. score_days: how many inspected calls got each score, per day × agent. A median is not a
--    sum: no rollup of sums can give it, but the count of calls at each score can, exactly (a
--    scorecard's scores are sums of item weights: a few dozen values). Kept by the sink like
--    call_days: added from each batch of never-inspected calls (rollup_add_batch_score_days),
--    shifted out and back for a rewritten call (rollup_shift_score_days). Readers skip rows whose
--    calls went to zero.
CREATE TABLE score_days (
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    team_id VARCHAR NOT NULL,
    agent_id VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    calls BIGINT NOT NULL,
    PRIMARY KEY (day, centre_id, team_id, agent_id, score)
);

-- score_days as derived from everything stored: the backfill below, and the fill after a bulk
-- load without the sink (sql/internal/fill_score_days.sql, bench/warehouse.py).
CREATE VIEW score_days_derived AS
SELECT
    timezone('Asia/Shanghai', c.started_at)::DATE AS day,
    c.centre_id,
    c.team_id,
    c.agent_id,
    i.score,
    count(*) AS calls
FROM inspections AS i
INNER JOIN calls AS c USING (call_id)
WHERE i.score IS NOT NULL
GROUP BY ALL;

INSERT INTO score_days
SELECT * FROM score_days_derived
ORDER BY day;
