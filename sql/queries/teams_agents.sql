-- Choices for the team and agent filters.
SELECT DISTINCT team_id, agent_id
FROM calls
ORDER BY team_id, agent_id;
