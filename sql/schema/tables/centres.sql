-- One row per call centre (机构), the top of the 个体—班组—机构 hierarchy. Reference data: upserted from
-- warehouse/reference.yaml by the writer at start (warehouse/reference.py), never deleted. calls
-- carry their centre/team/agent ids themselves; these tables add names, and agents before their
-- first call. Read by the reports page (access_org_rollup).
CREATE TABLE centres (
    centre_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    city VARCHAR
);
