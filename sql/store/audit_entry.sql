-- SQLite. One entry's MAC (the head names it).
SELECT entry_id, entry_hash FROM audit_log WHERE entry_id = $entry_id;
