-- score_days as derived from everything stored (the rows the sink keeps in step): used by
-- sql/internal/fill_score_days.sql after a bulk load that bypassed the sink (backfill, benchmark),
-- and by tests.
CREATE OR REPLACE VIEW score_days_derived AS
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
