-- The fresh file the warehouse is copied into (see attach_compaction_source.sql).
ATTACH $path AS compaction_target;
