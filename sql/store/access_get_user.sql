-- SQLite.
SELECT username, display_name, role, centre_id, team_id, password_hash, disabled, session_version
FROM users
WHERE username = $username;
