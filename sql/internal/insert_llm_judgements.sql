-- $items: a list of structs; value is JSON text (NULL while the item is pending).
INSERT INTO llm_judgements (call_id, item_no, name, status, reason, value, model, prompt_version)
SELECT $call_id, j.item_no, j.name, j.status, j.reason, j.value::JSON, j.model, j.prompt_version
FROM (SELECT unnest($items) AS j);
