-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted);
-- the other parameters are the page's.
-- The same figures for every agent, team and centre (个体—班组—机构), one row per level:
-- level = 'agent' | 'team' | 'centre'. Talk/silence come from the transcripts, sentiment from
-- judged LLM items (NULL where none). $centre / $team narrow the scope; NULL = all.
WITH scoped AS (
    SELECT
        c.call_id,
        c.centre_id,
        c.team_id,
        c.agent_id,
        i.call_id IS NOT NULL AS inspected,
        i.score,
        i.fatal,
        CASE WHEN i.call_id IS NULL THEN NULL WHEN len(i.defects) > 0 OR i.fatal THEN 1.0 ELSE 0.0 END AS defective,
        i.review_state IS NOT NULL AND i.review_state <> 'auto_pass' AS needs_review
    FROM calls AS c
    -- Inspections are written after their call starts: those before the window (less a day for
    -- clock skew) belong to older calls, and their row groups are skipped unread (as in 0023).
    LEFT JOIN (
        SELECT *
        FROM inspections
        WHERE $date_from::DATE IS NULL OR inspected_at >= ($date_from::DATE - 1)::TIMESTAMPTZ
    ) AS i USING (call_id)
    -- The window as a range on the stored instant, not a cast of every row: row groups outside it are skipped.
    WHERE ($date_from::DATE IS NULL OR c.started_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR c.started_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
      AND ($scope_centre::VARCHAR IS NULL OR c.centre_id = $scope_centre::VARCHAR)
      AND ($scope_team::VARCHAR IS NULL OR c.team_id = $scope_team::VARCHAR)
      AND ($centre::VARCHAR IS NULL OR c.centre_id = $centre::VARCHAR)
      AND ($team::VARCHAR IS NULL OR c.team_id = $team::VARCHAR)
),

enriched AS (
    SELECT
        s.*,
        m.agent_talk_share,
        m.silence_share,
        m.longest_silence_s,
        CASE WHEN t.caller_sentiment IS NULL THEN NULL WHEN t.caller_sentiment IN ('dissatisfied', 'angry') THEN 1.0 ELSE 0.0 END
            AS negative_caller
    FROM scoped AS s
    LEFT JOIN call_metrics AS m USING (call_id)
    LEFT JOIN call_sentiment AS t USING (call_id)
),

rolled AS (
    SELECT
        CASE
            WHEN grouping(agent_id) = 0 THEN 'agent'
            WHEN grouping(team_id) = 0 THEN 'team'
            ELSE 'centre'
        END AS level,
        centre_id,
        CASE WHEN grouping(team_id) = 0 THEN team_id END AS team_id,
        CASE WHEN grouping(agent_id) = 0 THEN agent_id END AS agent_id,
        count(*) AS calls,
        count(*) FILTER (WHERE inspected) AS inspected,
        avg(score) AS avg_score,
        median(score) AS median_score,
        avg(CASE WHEN fatal THEN 1.0 WHEN inspected THEN 0.0 END) AS fatal_share,
        avg(defective) AS defect_share,
        count(*) FILTER (WHERE needs_review) AS calls_needing_review,
        avg(agent_talk_share) AS agent_talk_share,
        avg(silence_share) AS silence_share,
        max(longest_silence_s) AS longest_silence_s,
        avg(negative_caller) AS negative_caller_share
    FROM enriched
    GROUP BY GROUPING SETS ((centre_id, team_id, agent_id), (centre_id, team_id), (centre_id))
),

agent_medians AS (
    -- The team's median agent: each agent is compared with it (not with the team's average call).
    SELECT centre_id, team_id, median(avg_score) AS team_median_agent_score
    FROM rolled
    WHERE level = 'agent'
    GROUP BY centre_id, team_id
)

SELECT
    r.level,
    r.centre_id,
    r.team_id,
    r.agent_id,
    coalesce(a.name, t.name, ce.name) AS name,
    r.calls,
    r.inspected,
    r.avg_score,
    r.median_score,
    m.team_median_agent_score,
    CASE WHEN r.level = 'agent' THEN r.avg_score - m.team_median_agent_score END AS vs_team_median,
    r.fatal_share,
    r.defect_share,
    r.calls_needing_review,
    r.agent_talk_share,
    r.silence_share,
    r.longest_silence_s,
    r.negative_caller_share
FROM rolled AS r
LEFT JOIN agent_medians AS m ON m.centre_id = r.centre_id AND m.team_id = r.team_id
LEFT JOIN agents AS a ON r.level = 'agent' AND a.agent_id = r.agent_id
LEFT JOIN teams AS t ON r.level = 'team' AND t.team_id = r.team_id
LEFT JOIN centres AS ce ON r.level = 'centre' AND ce.centre_id = r.centre_id
ORDER BY r.centre_id, r.team_id NULLS FIRST, r.agent_id NULLS FIRST;
