-- SQLite. Users are disabled, never deleted: the audit log keeps naming them.
UPDATE users SET disabled = 1, updated_at = $now WHERE username = $username;
