-- The calls a dashboard page shows: within the signed-in user's scope and the page's filters.
-- Six named queries (access_calls, access_kpis, access_alerts, access_daily, access_categories,
-- access_defects) start from the same filtered set; it is defined once here, as a table macro in
-- the warehouse's catalogue, so it travels with every published snapshot and the queries read
-- `FROM scoped_calls($scope_centre, $scope_team, ...)` with every argument still bound.
-- Every argument NULL means "any". Columns are qualified throughout: an unqualified name that
-- matches an argument (category, review_state) would read the argument, not the column.
--   scope_centre, scope_team  the user's scope (bound by access.run_scoped; NULL = unrestricted)
--   date_from, date_to        local calendar days, inclusive
--   centre, team, agent, category, review_state   exact matches
--   score_min, score_max      score_min <= score < score_max
--   reviewed                  call ids a human has decided (from the dashboard's own store)
--   human_review              'reviewed' or 'unreviewed'
CREATE OR REPLACE MACRO scoped_calls(
    scope_centre, scope_team, date_from, date_to, centre, team, agent, category,
    score_min, score_max, review_state, reviewed, human_review
) AS TABLE
SELECT s.*
FROM (
    SELECT
        c.call_id,
        c.centre_id,
        c.team_id,
        c.agent_id,
        c.started_at,
        c.duration_s,
        c.caller_number,
        c.transcript_final,
        i.call_id IS NOT NULL AS inspected,
        i.score,
        i.max_score,
        i.fatal,
        i.defects,
        i.category,
        i.review_state,
        list_contains(coalesce(reviewed::VARCHAR[], []::VARCHAR[]), c.call_id) AS human_reviewed
    FROM calls AS c
    LEFT JOIN inspections AS i USING (call_id)
    WHERE (scope_centre::VARCHAR IS NULL OR c.centre_id = scope_centre::VARCHAR)
      AND (scope_team::VARCHAR IS NULL OR c.team_id = scope_team::VARCHAR)
      AND (date_from::DATE IS NULL OR c.started_at::DATE >= date_from::DATE)
      AND (date_to::DATE IS NULL OR c.started_at::DATE <= date_to::DATE)
      AND (centre::VARCHAR IS NULL OR c.centre_id = centre::VARCHAR)
      AND (team::VARCHAR IS NULL OR c.team_id = team::VARCHAR)
      AND (agent::VARCHAR IS NULL OR c.agent_id = agent::VARCHAR)
      AND (category::VARCHAR IS NULL OR i.category = category::VARCHAR)
      AND (score_min::DOUBLE IS NULL OR i.score >= score_min::DOUBLE)
      AND (score_max::DOUBLE IS NULL OR i.score < score_max::DOUBLE)
      AND (review_state::VARCHAR IS NULL OR i.review_state = review_state::VARCHAR)
) AS s
-- 'reviewed': a human decided the whole score; 'unreviewed': not yet.
WHERE human_review::VARCHAR IS NULL OR s.human_reviewed = (human_review::VARCHAR = 'reviewed');
