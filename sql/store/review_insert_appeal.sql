-- SQLite.
INSERT INTO appeals (call_id, centre_id, team_id, agent_id, item_id, text, recorded_by, recorded_at)
VALUES ($call_id, $centre_id, $team_id, $agent_id, $item_id, $text, $recorded_by, $recorded_at);
