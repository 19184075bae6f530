-- rows (the name of a relation with the call list's columns: scoped_calls' calls joined to their
-- inspections, scoped_queue_calls' queue_calls rows) narrowed to the signed-in user's scope and a
-- dashboard page's filters, with human_reviewed added: the one definition of what the page
-- filters mean, so a call is listed or counted by the same rules whichever table it is read from.
-- Arguments as scoped_calls takes them, all bound; NULL means "any". Columns are qualified
-- throughout: an unqualified name that matches an argument (category, review_state) would read the
-- argument, not the column.
CREATE OR REPLACE MACRO page_filtered_calls(
    rows, scope_centre, scope_team, date_from, date_to, centre, team, agent, category,
    score_min, score_max, review_state, reviewed, human_review, in_district
) AS TABLE
SELECT s.*
FROM (
    SELECT
        r.*,
        list_contains(coalesce(reviewed::VARCHAR[], []::VARCHAR[]), r.call_id) AS human_reviewed
    FROM query_table(rows) AS r
    WHERE (scope_centre::VARCHAR IS NULL OR r.centre_id = scope_centre::VARCHAR)
      AND (scope_team::VARCHAR IS NULL OR r.team_id = scope_team::VARCHAR)
      AND (date_from::DATE IS NULL OR r.started_at >= date_from::DATE::TIMESTAMPTZ)
      AND (date_to::DATE IS NULL OR r.started_at < (date_to::DATE + 1)::TIMESTAMPTZ)
      AND (centre::VARCHAR IS NULL OR r.centre_id = centre::VARCHAR)
      AND (team::VARCHAR IS NULL OR r.team_id = team::VARCHAR)
      AND (agent::VARCHAR IS NULL OR r.agent_id = agent::VARCHAR)
      AND (category::VARCHAR IS NULL OR r.category = category::VARCHAR)
      AND (score_min::DOUBLE IS NULL OR r.score >= score_min::DOUBLE)
      AND (score_max::DOUBLE IS NULL OR r.score < score_max::DOUBLE)
      AND (review_state::VARCHAR IS NULL OR r.review_state = review_state::VARCHAR)
      AND (in_district::VARCHAR IS NULL OR r.district = in_district::VARCHAR)
) AS s
-- 'reviewed': a human decided the whole score; 'unreviewed': not yet.
WHERE human_review::VARCHAR IS NULL OR s.human_reviewed = (human_review::VARCHAR = 'reviewed');
