-- Every call rollup (call_days, agent_days, score_days, agent_item_days, coaching_examples) from
-- everything stored: its definition (<rollup>_of) over inspected_calls or checked_items, as
-- refresh_call_rollups gives it a batch's agent-days. For a warehouse loaded in bulk without the
-- sink (bench/warehouse.py) and a rebuild.

DELETE FROM call_days;
INSERT INTO call_days SELECT * FROM call_days_of('inspected_calls') ORDER BY day;

DELETE FROM agent_days;
INSERT INTO agent_days SELECT * FROM agent_days_of('inspected_calls') ORDER BY day;

DELETE FROM score_days;
INSERT INTO score_days SELECT * FROM score_days_of('inspected_calls') ORDER BY day;

DELETE FROM agent_item_days;
INSERT INTO agent_item_days SELECT * FROM agent_item_days_of('checked_items') ORDER BY day;

DELETE FROM coaching_examples;
INSERT INTO coaching_examples SELECT * FROM coaching_examples_of('checked_items') ORDER BY day;
