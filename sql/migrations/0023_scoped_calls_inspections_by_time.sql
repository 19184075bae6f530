-- scoped_calls as in 0020, with the inspections side of the join cut to the same window: an
-- inspection is written after the call it inspects has started (inspected_at >= started_at), so
-- inspections of calls that started on or after date_from were all inspected on or after it. The
-- join used to read every inspection (ten million at 10 M calls) to find the few thousand of a
-- day's calls; the bound lets the scan skip the row groups of older inspections by their min/max,
-- as the calls side already does. A day's margin covers clock skew between the telephony system
-- (started_at) and the inspection workers (inspected_at). Same arguments and columns as 0020.
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
    LEFT JOIN (
        SELECT *
        FROM inspections
        WHERE date_from::DATE IS NULL OR inspected_at >= (date_from::DATE - 1)::TIMESTAMPTZ
    ) AS i USING (call_id)
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

-- scoped_alerted_calls: the same calls, only those with alerts (thousands among millions). The
-- review queue sorts them first however old they are (access_calls). Both sides of the join are
-- cut to them before it, which a filter after the join (or an optional argument of scoped_calls)
-- cannot do: the same body as scoped_calls above otherwise, and the two change together.
CREATE OR REPLACE MACRO scoped_alerted_calls(
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
    -- Joins, not IN (...): the planner then hashes the few alerted ids, not the millions of calls.
    INNER JOIN (SELECT DISTINCT call_id FROM alerts) AS alerted USING (call_id)
    LEFT JOIN (
        SELECT i.*
        FROM (SELECT DISTINCT call_id FROM alerts) AS alerted
        INNER JOIN inspections AS i USING (call_id)
        WHERE date_from::DATE IS NULL OR i.inspected_at >= (date_from::DATE - 1)::TIMESTAMPTZ
    ) AS i USING (call_id)
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
