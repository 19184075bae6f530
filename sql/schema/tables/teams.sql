-- One row per team (班组) of a centre. Reference data loaded by the writer from
-- warehouse/reference.yaml (warehouse/reference.py). Read by the reports page (access_org_rollup)
-- and the filter options.
CREATE TABLE teams (
    team_id VARCHAR PRIMARY KEY,
    centre_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    -- The team lead's name.
    leader VARCHAR
);
