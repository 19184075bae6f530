-- One row per department work orders are dispatched to. Reference data loaded by the writer from
-- warehouse/reference.yaml (warehouse/reference.py). Read by the routing page's departments table
-- (access_routing_departments and its _rollup variant).
CREATE TABLE departments (
    department VARCHAR PRIMARY KEY,
    -- district | city | enterprise | street
    kind VARCHAR NOT NULL,
    -- The district a district- or street-level department belongs to; NULL for city-wide ones.
    district VARCHAR
);
