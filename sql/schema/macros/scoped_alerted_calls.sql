-- scoped_calls' rows of the calls with alerts (its arguments and columns), read from queue_calls,
-- which has a row for every call with an alert, instead of every call of the window. Read by the
-- overview's alerts (access_alerts).
CREATE OR REPLACE MACRO scoped_alerted_calls(
    scope_centre, scope_team, date_from, date_to, centre, team, agent, category,
    score_min, score_max, review_state, reviewed, human_review, in_district
) AS TABLE
SELECT * EXCLUDE (alerts)
FROM scoped_queue_calls(
    scope_centre, scope_team, date_from, date_to, centre, team, agent, category,
    score_min, score_max, review_state, reviewed, human_review, in_district
)
WHERE alerts > 0;
