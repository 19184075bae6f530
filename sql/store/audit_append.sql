-- SQLite.
INSERT INTO audit_log (at, username, role, action, call_id, detail, prev_hash, entry_hash)
VALUES ($at, $username, $role, $action, $call_id, $detail, $prev_hash, $entry_hash);
