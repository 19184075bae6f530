-- SQLite. No password hashes: this feeds the administrators' page.
SELECT username, display_name, role, centre_id, team_id, disabled, created_at, updated_at
FROM users
ORDER BY role, username;
