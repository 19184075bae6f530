-- SQLite.
INSERT INTO review_decisions (
    call_id, centre_id, team_id, agent_id, item_id, item_name, machine_status, machine_points,
    verdict, human_status, human_points, reason, appeal_id, appeal_outcome, decided_by, decided_at
)
VALUES (
    $call_id, $centre_id, $team_id, $agent_id, $item_id, $item_name, $machine_status, $machine_points,
    $verdict, $human_status, $human_points, $reason, $appeal_id, $appeal_outcome, $decided_by, $decided_at
);
