-- scoped_calls as in 0014, with the date window written as a range on the stored instant
-- (started_at >= local midnight of date_from, < local midnight after date_to) instead of a
-- cast of every row to a date: the same calls (the session's time zone makes both casts; the
-- reader sets it to the reporting zone), but the range can skip whole row groups by their
-- min/max (zone maps), and calls are stored in about the order they happened, so a 30-day
-- window reads about a month of row groups instead of all of them.
CREATE OR REPLACE MACRO scoped_calls(
    scope_centre, scope_team, date_from, date_to, centre, team, agent, category,
    score_min, score_max, review_state, reviewed, human_review, in_district
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
        -- Where the inspection located the caller's demand (the place the work order goes to).
        i.routing_district AS district,
        list_contains(coalesce(reviewed::VARCHAR[], []::VARCHAR[]), c.call_id) AS human_reviewed
    FROM calls AS c
    LEFT JOIN inspections AS i USING (call_id)
    WHERE (scope_centre::VARCHAR IS NULL OR c.centre_id = scope_centre::VARCHAR)
      AND (scope_team::VARCHAR IS NULL OR c.team_id = scope_team::VARCHAR)
      AND (date_from::DATE IS NULL OR c.started_at >= date_from::DATE::TIMESTAMPTZ)
      AND (date_to::DATE IS NULL OR c.started_at < (date_to::DATE + 1)::TIMESTAMPTZ)
      AND (centre::VARCHAR IS NULL OR c.centre_id = centre::VARCHAR)
      AND (team::VARCHAR IS NULL OR c.team_id = team::VARCHAR)
      AND (agent::VARCHAR IS NULL OR c.agent_id = agent::VARCHAR)
      AND (category::VARCHAR IS NULL OR i.category = category::VARCHAR)
      AND (score_min::DOUBLE IS NULL OR i.score >= score_min::DOUBLE)
      AND (score_max::DOUBLE IS NULL OR i.score < score_max::DOUBLE)
      AND (review_state::VARCHAR IS NULL OR i.review_state = review_state::VARCHAR)
      AND (in_district::VARCHAR IS NULL OR i.routing_district = in_district::VARCHAR)
) AS s
-- 'reviewed': a human decided the whole score; 'unreviewed': not yet.
WHERE human_review::VARCHAR IS NULL OR s.human_reviewed = (human_review::VARCHAR = 'reviewed');
