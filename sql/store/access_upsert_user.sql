-- SQLite. Adding a user that exists resets its role, scope and password (the demo reruns) and ends
-- the sessions signed in under the old ones.
INSERT INTO users (username, display_name, role, centre_id, team_id, password_hash, disabled, created_at, updated_at)
VALUES ($username, $display_name, $role, $centre_id, $team_id, $password_hash, 0, $now, $now)
ON CONFLICT (username) DO UPDATE SET
    display_name = excluded.display_name,
    role = excluded.role,
    centre_id = excluded.centre_id,
    team_id = excluded.team_id,
    password_hash = excluded.password_hash,
    disabled = 0,
    session_version = users.session_version + 1,
    updated_at = excluded.updated_at;
