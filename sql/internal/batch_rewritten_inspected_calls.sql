-- How many of the batch's calls were inspected before (a re-inspection, a replay, a transcript
-- after its inspection): only then is anything stored about them to replace, and the agent-days
-- they count under now are refreshed with the batch's (rollup_stage_stored_keys). One semi-join on
-- inspections.
SELECT count(*) AS rewritten
FROM inspections
WHERE call_id IN (SELECT call_id FROM sink_batch_calls);
