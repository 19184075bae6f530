-- SQLite. Stores made before users.session_version existed (access.open_store runs it once when the column is missing).
ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0;
