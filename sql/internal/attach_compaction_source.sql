-- Compaction: DuckDB reuses the blocks that deletes free but never gives them back to the file
-- system, so after a retention purge the file is rewritten. The writer's file (closed) is
-- attached read-only beside a fresh file, on a private in-memory connection.
ATTACH $path AS compaction_source (READ_ONLY);
