-- Recent alerts with the call's team and agent, newest first.
WITH scoped AS (
    SELECT a.*, c.team_id, c.agent_id, c.started_at
    FROM alerts AS a
    INNER JOIN calls AS c USING (call_id)
    WHERE ($date_from::DATE IS NULL OR c.started_at::DATE >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR c.started_at::DATE <= $date_to::DATE)
)

SELECT call_id, kind, severity, quote, speaker, start_s, end_s, from_partial, raised_at, team_id, agent_id, started_at
FROM scoped
ORDER BY raised_at DESC, call_id, start_s
LIMIT coalesce($limit::INTEGER, 200);
