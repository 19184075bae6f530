-- One row per agent (个体), with their team. Reference data loaded by the writer from
-- warehouse/reference.yaml (warehouse/reference.py). Read by the reports page (access_org_rollup)
-- and the filter options (agents with no call yet).
CREATE TABLE agents (
    agent_id VARCHAR PRIMARY KEY,
    team_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    -- The agent's staff number (工号).
    job_number VARCHAR
);
