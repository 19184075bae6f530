-- SQLite. Every entry in order, with what its hash covers.
SELECT entry_id, at, username, role, action, call_id, detail, prev_hash, entry_hash
FROM audit_log
ORDER BY entry_id;
