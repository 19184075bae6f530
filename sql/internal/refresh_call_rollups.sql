-- The call rollups (call_days, agent_days, score_days, agent_item_days, coaching_examples) of the
-- agent-days a sink batch changed (sink_rollup_keys): each key's rows go, and the rollup's
-- definition (<rollup>_of) over the keys' staged rows (sink_inspected_calls, sink_checked_items)
-- takes their place; a key with no calls left keeps no rows. Then the scratch is emptied.
-- rebuild_call_rollups gives the same definitions everything stored.

DELETE FROM call_days
WHERE (day, centre_id, team_id, agent_id) IN (SELECT (day, centre_id, team_id, agent_id) FROM sink_rollup_keys);
INSERT INTO call_days SELECT * FROM call_days_of('sink_inspected_calls');

DELETE FROM agent_days
WHERE (day, centre_id, team_id, agent_id) IN (SELECT (day, centre_id, team_id, agent_id) FROM sink_rollup_keys);
INSERT INTO agent_days SELECT * FROM agent_days_of('sink_inspected_calls');

DELETE FROM score_days
WHERE (day, centre_id, team_id, agent_id) IN (SELECT (day, centre_id, team_id, agent_id) FROM sink_rollup_keys);
INSERT INTO score_days SELECT * FROM score_days_of('sink_inspected_calls');

DELETE FROM agent_item_days
WHERE (day, centre_id, team_id, agent_id) IN (SELECT (day, centre_id, team_id, agent_id) FROM sink_rollup_keys);
INSERT INTO agent_item_days SELECT * FROM agent_item_days_of('sink_checked_items');

DELETE FROM coaching_examples
WHERE (day, centre_id, team_id, agent_id) IN (SELECT (day, centre_id, team_id, agent_id) FROM sink_rollup_keys);
INSERT INTO coaching_examples SELECT * FROM coaching_examples_of('sink_checked_items');

DELETE FROM sink_inspected_calls;
DELETE FROM sink_checked_items;
DELETE FROM sink_rollup_keys;
