-- The sink's scratch while it refills the coaching examples of the (day, agent, item) groups a
-- rewritten or re-inspected call leaves or joins (sql/internal/coaching_*.sql). A temporary table
-- of the writer's connection, filled and emptied inside one batch's transaction.
CREATE OR REPLACE TEMP TABLE sink_coaching_groups (
    day DATE NOT NULL,
    centre_id VARCHAR NOT NULL,
    team_id VARCHAR NOT NULL,
    agent_id VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL
);
