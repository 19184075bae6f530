-- $checks: a list of structs, one per scorecard item.
INSERT INTO check_results (
    call_id, item_no, item_id, name, kind, status, weight, points, fatal, reason, evidence
)
SELECT $call_id, c.item_no, c.item_id, c.name, c.kind, c.status, c.weight, c.points, c.fatal, c.reason, c.evidence
FROM (SELECT unnest($checks) AS c);
