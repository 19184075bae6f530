-- Calls whose queue_calls row this batch may change: those with an alert in the
-- batch, those the batch sends to mandatory review, and calls with alerts or a queue row whose
-- transcript or inspection the batch brings.
SELECT call_id FROM sink_batch_alerts
UNION
SELECT call_id FROM sink_batch_inspections WHERE review_state = 'mandatory_review'
UNION
SELECT call_id FROM sink_batch_calls WHERE call_id IN (SELECT call_id FROM alerts)
UNION
SELECT call_id FROM sink_batch_calls WHERE call_id IN (SELECT call_id FROM queue_calls);
