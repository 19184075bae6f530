-- score_days' one definition: how many scored calls of the relation named `inspected` (as
-- call_days_of) got each score, per agent-day.
CREATE OR REPLACE MACRO score_days_of(inspected) AS TABLE
SELECT
    day,
    centre_id,
    team_id,
    agent_id,
    score,
    count(*) AS calls
FROM query_table(inspected)
WHERE score IS NOT NULL
GROUP BY ALL;
