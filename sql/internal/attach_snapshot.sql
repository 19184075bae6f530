-- Readers attach the snapshot to a private in-memory database rather than opening it directly:
-- DuckDB shares one database instance per path within a process, so a direct open could keep
-- serving a snapshot file that has since been replaced.
ATTACH $path AS snapshot (READ_ONLY);
