-- One row per district (区) of the city the hotline serves. Reference data loaded by the writer from
-- warehouse/reference.yaml (warehouse/reference.py). Read by the filter options (district filter).
CREATE TABLE districts (
    district VARCHAR PRIMARY KEY,
    city VARCHAR
);
