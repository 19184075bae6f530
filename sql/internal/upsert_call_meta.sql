-- From a message that carries only the recorder's metadata: never touches the transcript columns.
INSERT INTO calls (
    call_id, centre_id, team_id, agent_id, caller_number, started_at, channel_layout, agent_channel, source_uri
)
VALUES (
    $call_id, $centre_id, $team_id, $agent_id, $caller_number, $started_at, $channel_layout, $agent_channel, $source_uri
)
ON CONFLICT (call_id) DO UPDATE SET
    centre_id = excluded.centre_id,
    team_id = excluded.team_id,
    agent_id = excluded.agent_id,
    caller_number = excluded.caller_number,
    started_at = excluded.started_at,
    channel_layout = excluded.channel_layout,
    agent_channel = excluded.agent_channel,
    source_uri = excluded.source_uri;
