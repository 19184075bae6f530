-- Reference data (warehouse/reference.yaml, loaded by the sink at start): the 个体—班组—机构
-- hierarchy, districts, departments, category routing and SLA per recorded type.
-- calls carry centre_id/team_id/agent_id themselves, so reports roll up without these tables;
-- these add names, and the agents a centre has even before they take a call.
CREATE TABLE centres (
    centre_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    city VARCHAR
);

CREATE TABLE teams (
    team_id VARCHAR PRIMARY KEY,
    centre_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    leader VARCHAR
);

CREATE TABLE agents (
    agent_id VARCHAR PRIMARY KEY,
    team_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    job_number VARCHAR
);

CREATE TABLE districts (
    district VARCHAR PRIMARY KEY,
    city VARCHAR
);

CREATE TABLE departments (
    department VARCHAR PRIMARY KEY,
    -- district | city | enterprise | street
    kind VARCHAR NOT NULL,
    district VARCHAR
);

-- "{district}" in department is replaced by the matter's district (see routing_suggestions).
CREATE TABLE routing_rules (
    category VARCHAR PRIMARY KEY,
    department VARCHAR NOT NULL
);

CREATE TABLE sla_policies (
    recorded_type VARCHAR PRIMARY KEY,
    sla_hours DOUBLE NOT NULL
);

CREATE TABLE reference_versions (
    name VARCHAR PRIMARY KEY,
    version VARCHAR NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL
);
