-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted);
-- the other parameters are the page's.
-- The same figures for every agent, team and centre (个体—班组—机构), one row per level:
-- level = 'agent' | 'team' | 'centre'. Talk/silence come from the transcripts, the caller's
-- sentiment from the inspection or its judged LLM item (NULL where none). $centre / $team narrow
-- the scope; NULL = all.
-- Read from what the sink keeps per call and per day, not by joining every call
-- of the window to its inspection, turns and sentiment: the calls row's own talk figures, the
-- day rollup call_days (inspections, defects, review, sentiment) and score_days (how many calls got
-- each score: medians exactly, without every score). Inspections count by their call's day, as the
-- calls do: the window's local days are the call's, in the reporting time zone of the session.
WITH agent_calls AS (
    -- Every landed call, inspected or not; talk figures where the transcript had turns.
    SELECT
        centre_id,
        team_id,
        agent_id,
        count(*) AS calls,
        sum(agent_talk_share) AS talk_share_sum,
        count(agent_talk_share) AS talk_share_calls,
        sum(silence_share) AS silence_share_sum,
        count(silence_share) AS silence_share_calls,
        max(longest_silence_s) AS longest_silence_s
    FROM scoped_landed_calls($scope_centre, $scope_team, $date_from, $date_to, $centre, $team, NULL)
    GROUP BY centre_id, team_id, agent_id
),

agent_inspections AS (
    SELECT
        centre_id,
        team_id,
        agent_id,
        sum(inspected) AS inspected,
        sum(scored) AS scored,
        sum(score_sum) AS score_sum,
        sum(fatal_calls) AS fatal_calls,
        sum(defective) AS defective,
        sum(review_queue) AS needing_review,
        sum(sentiment_known) AS sentiment_known,
        sum(negative_caller) AS negative_caller
    FROM scoped_call_days($scope_centre, $scope_team, $date_from, $date_to, $centre, $team, NULL)
    WHERE inspected > 0
    GROUP BY centre_id, team_id, agent_id
),

rolled AS (
    SELECT
        CASE
            WHEN grouping(c.agent_id) = 0 THEN 'agent'
            WHEN grouping(c.team_id) = 0 THEN 'team'
            ELSE 'centre'
        END AS level,
        c.centre_id,
        CASE WHEN grouping(c.team_id) = 0 THEN c.team_id END AS team_id,
        CASE WHEN grouping(c.agent_id) = 0 THEN c.agent_id END AS agent_id,
        sum(c.calls)::BIGINT AS calls,
        coalesce(sum(i.inspected), 0)::BIGINT AS inspected,
        sum(i.score_sum) / nullif(sum(i.scored), 0) AS avg_score,
        -- Shares of scored calls: a call not scored (score NULL) is not a failure either.
        sum(i.fatal_calls) / nullif(sum(i.scored), 0) AS fatal_share,
        sum(i.defective) / nullif(sum(i.scored), 0) AS defect_share,
        coalesce(sum(i.needing_review), 0)::BIGINT AS calls_needing_review,
        sum(c.talk_share_sum) / nullif(sum(c.talk_share_calls), 0) AS agent_talk_share,
        sum(c.silence_share_sum) / nullif(sum(c.silence_share_calls), 0) AS silence_share,
        max(c.longest_silence_s) AS longest_silence_s,
        sum(i.negative_caller) / nullif(sum(i.sentiment_known), 0) AS negative_caller_share
    FROM agent_calls AS c
    LEFT JOIN agent_inspections AS i USING (centre_id, team_id, agent_id)
    GROUP BY GROUPING SETS ((c.centre_id, c.team_id, c.agent_id), (c.centre_id, c.team_id), (c.centre_id))
),

score_counts AS (
    -- How many calls of each level got each score in the window.
    SELECT
        CASE
            WHEN grouping(agent_id) = 0 THEN 'agent'
            WHEN grouping(team_id) = 0 THEN 'team'
            ELSE 'centre'
        END AS level,
        centre_id,
        CASE WHEN grouping(team_id) = 0 THEN team_id END AS team_id,
        CASE WHEN grouping(agent_id) = 0 THEN agent_id END AS agent_id,
        score,
        sum(calls) AS calls
    FROM score_days_in_scope($scope_centre, $scope_team)
    WHERE calls > 0
      AND ($date_from::DATE IS NULL OR day >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR day <= $date_to::DATE)
      AND ($centre::VARCHAR IS NULL OR centre_id = $centre::VARCHAR)
      AND ($team::VARCHAR IS NULL OR team_id = $team::VARCHAR)
    GROUP BY GROUPING SETS ((centre_id, team_id, agent_id, score), (centre_id, team_id, score), (centre_id, score))
),

score_ranks AS (
    -- Each score's place in its level's sorted scores: positions [below, below + calls).
    SELECT
        *,
        sum(calls) OVER (PARTITION BY level, centre_id, team_id, agent_id ORDER BY score) - calls AS below,
        sum(calls) OVER (PARTITION BY level, centre_id, team_id, agent_id) AS scored
    FROM score_counts
),

medians AS (
    -- median() of the sorted scores as DuckDB computes it: the value at position (n - 1) / 2,
    -- interpolated between its neighbours lo and hi when that position falls between two.
    SELECT
        level,
        centre_id,
        team_id,
        agent_id,
        any_value(score) FILTER (WHERE below <= floor((scored - 1) / 2) AND floor((scored - 1) / 2) < below + calls) AS lo,
        any_value(score) FILTER (WHERE below <= ceil((scored - 1) / 2) AND ceil((scored - 1) / 2) < below + calls) AS hi,
        any_value((scored - 1) / 2 - floor((scored - 1) / 2)) AS fraction
    FROM score_ranks
    GROUP BY level, centre_id, team_id, agent_id
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
    s.lo + s.fraction * (s.hi - s.lo) AS median_score,
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
LEFT JOIN medians AS s
    ON s.level = r.level
    AND s.centre_id = r.centre_id
    AND s.team_id IS NOT DISTINCT FROM r.team_id
    AND s.agent_id IS NOT DISTINCT FROM r.agent_id
LEFT JOIN agent_medians AS m ON m.centre_id = r.centre_id AND m.team_id = r.team_id
LEFT JOIN agents AS a ON r.level = 'agent' AND a.agent_id = r.agent_id
LEFT JOIN teams AS t ON r.level = 'team' AND t.team_id = r.team_id
LEFT JOIN centres AS ce ON r.level = 'centre' AND ce.centre_id = r.centre_id
ORDER BY r.centre_id, r.team_id NULLS FIRST, r.agent_id NULLS FIRST;
