DELETE FROM llm_judgements WHERE call_id = $call_id;
