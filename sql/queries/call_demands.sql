-- One call's demands (诉求) in the inspection's order, machine-extracted until a person confirms
-- them; todos, evidence and type_evidence (what the demand type 投诉/咨询/… rests on) are JSON lists. For a call inspected before demands were stored,
-- the judged LLM demand summary as its one demand (source 'llm_judgement').
SELECT idx, summary, category, district, street, address, urgency, requested_action, todos, source, machine_extracted, evidence,
    demand_type, type_evidence
FROM demands
WHERE call_id = $call_id
UNION ALL BY NAME
SELECT
    0 AS idx,
    value ->> 'summary' AS summary,
    value ->> 'category' AS category,
    nullif(value ->> 'district', '') AS district,
    'llm_judgement' AS source,
    true AS machine_extracted
FROM llm_judgements
WHERE call_id = $call_id
  AND name = 'demand_summary'
  AND status = 'judged'
  AND NOT EXISTS (SELECT 1 FROM demands WHERE call_id = $call_id)
ORDER BY idx;
