-- The review queue's calls (queue_calls rows with queue_member) within a user's scope and a page's
-- filters: scoped_calls' arguments and columns, plus the call's alert count. Read by the review
-- queue (access_review_queue) and scoped_alerted_calls.
CREATE OR REPLACE MACRO scoped_queue_calls(
    scope_centre, scope_team, date_from, date_to, centre, team, agent, category,
    score_min, score_max, review_state, reviewed, human_review, in_district
) AS TABLE
SELECT s.*
FROM (
    SELECT
        q.* EXCLUDE (alerts, queue_member),
        list_contains(coalesce(reviewed::VARCHAR[], []::VARCHAR[]), q.call_id) AS human_reviewed,
        q.alerts
    FROM queue_calls AS q
    WHERE q.queue_member
      AND (scope_centre::VARCHAR IS NULL OR q.centre_id = scope_centre::VARCHAR)
      AND (scope_team::VARCHAR IS NULL OR q.team_id = scope_team::VARCHAR)
      AND (date_from::DATE IS NULL OR q.started_at >= date_from::DATE::TIMESTAMPTZ)
      AND (date_to::DATE IS NULL OR q.started_at < (date_to::DATE + 1)::TIMESTAMPTZ)
      AND (centre::VARCHAR IS NULL OR q.centre_id = centre::VARCHAR)
      AND (team::VARCHAR IS NULL OR q.team_id = team::VARCHAR)
      AND (agent::VARCHAR IS NULL OR q.agent_id = agent::VARCHAR)
      AND (category::VARCHAR IS NULL OR q.category = category::VARCHAR)
      AND (score_min::DOUBLE IS NULL OR q.score >= score_min::DOUBLE)
      AND (score_max::DOUBLE IS NULL OR q.score < score_max::DOUBLE)
      AND (review_state::VARCHAR IS NULL OR q.review_state = review_state::VARCHAR)
      AND (in_district::VARCHAR IS NULL OR q.district = in_district::VARCHAR)
) AS s
-- 'reviewed': a human decided the whole score; 'unreviewed': not yet.
WHERE human_review::VARCHAR IS NULL OR s.human_reviewed = (human_review::VARCHAR = 'reviewed');
