-- agent_item_days' one definition: per agent-day and scorecard item of the check results in the
-- relation named `checked` (checked_items, or the sink's sink_checked_items), the checks that
-- applied (passed or failed), failed, and were fatal.
CREATE OR REPLACE MACRO agent_item_days_of(checked) AS TABLE
SELECT
    day,
    centre_id,
    team_id,
    agent_id,
    item_id,
    any_value(name) AS name,
    count(*) AS applicable,
    count(*) FILTER (WHERE status = 'failed') AS failed,
    count(*) FILTER (WHERE fatal) AS fatal_checks
FROM query_table(checked)
WHERE status IN ('passed', 'failed')
GROUP BY ALL;
