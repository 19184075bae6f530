-- One row per reference file loaded (name 'reference'): the version it declared and when the writer
-- last loaded it (sql/internal/record_reference_version.sql). No page reads it; it tells an
-- operator which reference data a warehouse holds.
CREATE TABLE reference_versions (
    name VARCHAR PRIMARY KEY,
    version VARCHAR NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL
);
