SELECT item_no, name, status, reason, value, model, prompt_version
FROM llm_judgements
WHERE call_id = $call_id
ORDER BY item_no;
