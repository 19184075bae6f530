-- Which numbered migrations this database has had (one row per applied file, as datasette's
-- sqlite-migrate records them), so migrating again applies nothing.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
);
