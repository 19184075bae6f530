-- SQLite. Users are disabled, never deleted: the audit log keeps naming them. Their sessions end too.
UPDATE users SET disabled = 1, session_version = session_version + 1, updated_at = $now WHERE username = $username;
