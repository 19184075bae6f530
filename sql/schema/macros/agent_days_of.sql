-- agent_days' one definition: one row per agent-day of the inspected calls in the relation named
-- `inspected` (as call_days_of).
CREATE OR REPLACE MACRO agent_days_of(inspected) AS TABLE
SELECT
    day,
    centre_id,
    team_id,
    agent_id,
    count(*) AS inspected,
    count(score) AS scored,
    coalesce(sum(score), 0) AS score_sum,
    count(*) FILTER (WHERE fatal) AS fatal_calls
FROM query_table(inspected)
GROUP BY ALL;
