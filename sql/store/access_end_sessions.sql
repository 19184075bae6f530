-- SQLite. Every session of the user ends at its next page run (they were signed in under the old value).
UPDATE users SET session_version = session_version + 1, updated_at = $now WHERE username = $username;
