-- Empty the staged coaching groups (sink_coaching_groups) before they are refilled.
DELETE FROM coaching_examples
WHERE (day, centre_id, team_id, agent_id, item_id) IN (
    SELECT (day, centre_id, team_id, agent_id, item_id) FROM sink_coaching_groups
);
